using PerfEval.Indicator.Upstream;
using PerfEval.Indicator.Domain;
using Grpc.Core;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Hosting.Errors;
using PerfEval.Hosting.Evaluations;
using PerfEval.Indicator.Storage;
using PerfEval.SharedKernel.Errors;

namespace PerfEval.Indicator.Application;

/// <summary>
/// The writes that move indicator values (an explicit binding, new observations): store the write,
/// then recompute the evaluations it affects.
/// </summary>
public sealed class IndicatorWrites(IndicatorStore store, EvaluationTableStore tables, SystemCatalog systems, RecomputeCoordinator coordinator,
    ILedgerFacts ledger, ILogger<IndicatorWrites> logger)
{
    /// <summary>
    /// SetEvaluationTable: reads the table from its source, validates it (weights add up to 100, every
    /// target and formula parses), stores it as the evaluation's next table version with who and why,
    /// binds the evaluation to it and recomputes. The subject must exist in the ledger.
    /// </summary>
    public async Task<SetEvaluationTableResponse> SetTableAsync(SetEvaluationTableRequest request, CancellationToken cancellationToken)
    {
        var key = EvaluationKeys.Format(request.Evaluation);
        var subject = await ledger.GetAsync(request.Evaluation, cancellationToken);
        var (table, origin, fieldOf) = await ReadTableAsync(request, cancellationToken);
        table.SystemCode = EvaluationTableStore.TableCode(key);
        table.Version = 1; // the store assigns the real version
        table.SubjectKind = subject.SubjectKind;
        if (table.Name.Length == 0)
            table.Name = $"{key} 绩效目标表";
        // DOMAIN.md §5: a bare value (=640, 6.80%) scores as 正向 unless the table says symmetric.
        if (table.ExactScoring == ExactScoring.Unspecified)
            table.ExactScoring = ExactScoring.AsHigherIsBetter;
        CompiledSystem compiled;
        try
        {
            compiled = CompiledSystem.Compile(table, evaluationTable: true);
        }
        catch (SystemValidationException e)
        {
            throw new InvalidRequestException(e.Problems.Select(p => new FieldViolation(fieldOf(p.Field), p.Description)).ToList());
        }
        var (response, replayed) = await tables.SetAsync(key, request, compiled.System, origin, cancellationToken);
        if (replayed)
            return new SetEvaluationTableResponse { Table = response.Table, Replayed = true };
        await RecomputeQuietlyAsync(request.Evaluation, 0, force: true, cancellationToken);
        return response;
    }

    async Task<(IndicatorSystem Table, string Origin, Func<string, string> FieldOf)> ReadTableAsync(SetEvaluationTableRequest request,
        CancellationToken cancellationToken)
    {
        switch (request.SourceCase)
        {
            case SetEvaluationTableRequest.SourceOneofCase.Template:
                var template = await systems.GetAsync(request.Template.SystemCode, request.Template.Version, cancellationToken);
                var copy = template.Clone();
                copy.Notes = $"由模板 {template.SystemCode} 第{template.Version}版 设定。{copy.Notes}".Trim();
                return (copy, $"template {template.SystemCode} v{template.Version}", field => "template");
            case SetEvaluationTableRequest.SourceOneofCase.Table:
                return (request.Table.Clone(), "table", field => "table." + field);
            case SetEvaluationTableRequest.SourceOneofCase.FileText:
                try
                {
                    return (SystemFiles.Read(request.FileText), "file", field => "file_text." + field);
                }
                catch (SystemValidationException e)
                {
                    throw new InvalidRequestException(e.Problems.Select(p => new FieldViolation("file_text." + p.Field, p.Description)).ToList());
                }
            case SetEvaluationTableRequest.SourceOneofCase.Xlsx:
                var read = TargetTableWorkbook.Parse(request.Xlsx.ToByteArray(), "");
                return (read.Table, "xlsx", field => TargetTableWorkbook.FieldOf(read, field));
            default:
                throw new InvalidRequestException("source", "one of template, table, file_text or xlsx");
        }
    }

    /// <summary>GetEvaluationTableHistory.</summary>
    public async Task<GetEvaluationTableHistoryResponse> TableHistoryAsync(EvaluationKey evaluation, CancellationToken cancellationToken) =>
        new() { Versions = { await tables.HistoryAsync(EvaluationKeys.Format(evaluation), cancellationToken) } };

    /// <summary>BindEvaluationSystem: binds once per request id and recomputes when the binding in force moved.</summary>
    public async Task<BindEvaluationSystemResponse> BindAsync(BindEvaluationSystemRequest request, CancellationToken cancellationToken)
    {
        await RequireLedgerEvaluationAsync(request.Evaluation, cancellationToken);
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
    public async Task<RecordDeclaredActualsResponse> RecordDeclaredActualsAsync(RecordDeclaredActualsRequest request, CancellationToken cancellationToken)
    {
        await RequireLedgerEvaluationAsync(request.Evaluation, cancellationToken);
        return await store.RecordDeclaredActualsAsync(request, IndicatorEvents.DeclaredActualsRecorded(request), cancellationToken);
    }

    /// <summary>
    /// A write for an evaluation the ledger does not know is refused (issue 14 item 10): it would be
    /// stored against nothing and squat the key before the subject is created. NOT_FOUND with reason
    /// EVALUATION_NOT_FOUND, naming the evaluation; a ledger that cannot answer fails the call as before.
    /// </summary>
    async Task RequireLedgerEvaluationAsync(EvaluationKey key, CancellationToken cancellationToken)
    {
        try
        {
            await ledger.GetAsync(key, cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound && RpcErrors.ReasonOf(e) == NotFoundException.EvaluationNotFound)
        {
            throw NotFoundException.Evaluation(EvaluationKeys.Format(key));
        }
    }

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
