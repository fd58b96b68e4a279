using Grpc.Core;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Hosting.Evaluations;
using PerfEval.Indicator.Storage;
using PerfEval.SharedKernel.Errors;

namespace PerfEval.Indicator.Application;

/// <summary>
/// The writes that move indicator values (an explicit binding, new observations): store the write,
/// then recompute the evaluations it affects.
/// </summary>
public sealed class IndicatorWrites(IndicatorStore store, SystemCatalog systems, RecomputeCoordinator coordinator, ILogger<IndicatorWrites> logger)
{
    /// <summary>BindEvaluationSystem: binds once per request id and recomputes when the binding in force moved.</summary>
    public async Task<BindEvaluationSystemResponse> BindAsync(BindEvaluationSystemRequest request, CancellationToken cancellationToken)
    {
        var system = await systems.GetAsync(request.SystemCode, request.Version, cancellationToken);
        var (response, changed) = await store.BindAsync(request.RequestId, request, system, cancellationToken);
        if (changed)
            await RecomputeQuietlyAsync(request.Evaluation, 0, force: true, cancellationToken);
        return response;
    }

    /// <summary>
    /// RecordObservations: stores them once per request id, then recomputes every evaluation they may
    /// affect — those already computed in the region and year, and the subjects named.
    /// </summary>
    public async Task<RecordObservationsResponse> RecordObservationsAsync(RecordObservationsRequest request, CancellationToken cancellationToken)
    {
        var response = await store.RecordObservationsAsync(request, cancellationToken);
        if (response.Replayed)
            return response;
        var maxRevision = response.Revisions.Max();
        var affected = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in request.Observations.GroupBy(o => (o.RegionCode, o.FiscalYear)))
        {
            var keys = (await store.EvaluationsInAsync(group.Key.RegionCode, group.Key.FiscalYear, cancellationToken)).ToList();
            keys.AddRange(group.Where(o => o.SubjectCode.Length > 0)
                .Select(o => new EvaluationKey { RegionCode = o.RegionCode, SubjectCode = o.SubjectCode, FiscalYear = o.FiscalYear }));
            foreach (var key in keys.Where(k => affected.Add(EvaluationKeys.Format(k))))
                await RecomputeQuietlyAsync(key, maxRevision, force: false, cancellationToken);
        }
        return response;
    }

    /// <summary>RecordDeclaredActuals: stores them once per request id and announces them; no value moves.</summary>
    public Task<RecordDeclaredActualsResponse> RecordDeclaredActualsAsync(RecordDeclaredActualsRequest request, CancellationToken cancellationToken) =>
        store.RecordDeclaredActualsAsync(request, IndicatorEvents.DeclaredActualsRecorded(request), cancellationToken);

    /// <summary>
    /// The write is already committed; when the evaluation cannot be recomputed now (ledger subject
    /// not created yet, ledger down, no system for it), the next LedgerChanged brings the values up to
    /// date, so this is logged rather than failing the caller.
    /// </summary>
    async Task RecomputeQuietlyAsync(EvaluationKey key, long observationRevision, bool force, CancellationToken cancellationToken)
    {
        try
        {
            await coordinator.RecomputeAsync(key, 0, observationRevision, force, cancellationToken);
        }
        catch (RpcException e)
        {
            logger.LogWarning("Could not recompute {EvaluationKey} now: {Status} {Detail}", EvaluationKeys.Format(key), e.StatusCode, e.Status.Detail);
        }
        catch (DomainException e)
        {
            logger.LogWarning("Could not recompute {EvaluationKey} now: {Reason} {Detail}", EvaluationKeys.Format(key), e.Reason, e.Message);
        }
    }
}
