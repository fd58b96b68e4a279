using PerfEval.Contracts.Indicator.V1;
using PerfEval.SharedKernel.Errors;
using System.Collections.Concurrent;
using PerfEval.Contracts.Common.V1;
using PerfEval.Hosting.Evaluations;
using PerfEval.Indicator.Domain;
using PerfEval.Indicator.Storage;
using PerfEval.Indicator.Upstream;

namespace PerfEval.Indicator.Application;

/// <summary>
/// Recomputes an evaluation "to latest" when its ledger, its observations or its system binding
/// changed. One recomputation at a time per evaluation; a request whose inputs were already covered
/// by a computation that finished while it waited is skipped, so a burst of events costs a handful
/// of recomputations. Inside a recomputation only the items that read a changed input are evaluated
/// again (<see cref="IndicatorEngine"/>); the state between recomputations is kept in memory, and
/// rebuilt by a full evaluation after a restart.
/// </summary>
public sealed class RecomputeCoordinator(ILedgerFacts ledger, IndicatorStore store, SystemCatalog systems, ILogger<RecomputeCoordinator> logger)
{
    readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, EvaluationState> _states = new(StringComparer.Ordinal);
    // What this process last saw stored per evaluation, to skip passed events without a database read.
    readonly ConcurrentDictionary<string, (long Ledger, long Observations)> _watermarks = new(StringComparer.Ordinal);
    long _recomputations;
    long _itemsRecomputed;

    /// <summary>Recomputations actually run (not skipped), since start.</summary>
    public long Recomputations => Interlocked.Read(ref _recomputations);

    /// <summary>Indicator items evaluated again, since start.</summary>
    public long ItemsRecomputed => Interlocked.Read(ref _itemsRecomputed);

    /// <summary>
    /// Brings the evaluation's values up to date with at least <paramref name="ledgerVersion"/> and
    /// <paramref name="observationRevision"/>; <paramref name="force"/> after a binding change.
    /// Returns the new value version, or null when skipped or nothing changed.
    /// </summary>
    public async Task<long?> RecomputeAsync(EvaluationKey key, long ledgerVersion, long observationRevision, bool force,
        CancellationToken cancellationToken)
    {
        var evaluationKey = EvaluationKeys.Format(key);
        if (!force && _watermarks.TryGetValue(evaluationKey, out var seen) && ledgerVersion <= seen.Ledger && observationRevision <= seen.Observations)
            return null;
        var gate = _gates.GetOrAdd(evaluationKey, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            var computed = await store.StateAsync(evaluationKey, cancellationToken);
            if (!force && computed.ValueVersion > 0 && ledgerVersion <= computed.LedgerVersion && observationRevision <= computed.ObservationRevision)
            {
                logger.LogDebug("Skipping {EvaluationKey}: ledger version {LedgerVersion} already computed", evaluationKey, ledgerVersion);
                _watermarks[evaluationKey] = (computed.LedgerVersion, computed.ObservationRevision);
                return null;
            }

            var snapshot = await ledger.GetAsync(key, cancellationToken);
            IndicatorSystem system;
            try
            {
                system = await systems.ResolveAsync(evaluationKey, cancellationToken);
            }
            catch (PreconditionFailedException e) when (e.Reason == SystemCatalog.NoTargetTable)
            {
                // Not a fault: the bureau has not set its table yet. SetEvaluationTable recomputes.
                logger.LogInformation("{EvaluationKey} has no target table yet: not computed", evaluationKey);
                return null;
            }
            var (observations, revision) = await store.CurrentObservationsAsync(key.RegionCode, key.FiscalYear, cancellationToken);
            var facts = new EvaluationFacts(key.SubjectCode, snapshot.LedgerVersion, snapshot.Accounts, snapshot.PriorLedgerVersion,
                snapshot.PriorAccounts, observations) { Budgets = snapshot.Budgets };

            Interlocked.Increment(ref _recomputations);
            // The in-memory state is only trusted when it is what the database says was computed last.
            var previous = _states.TryGetValue(evaluationKey, out var s) && computed.SystemCode == s.SystemCode && computed.SystemVersion == s.SystemVersion
                ? s : null;
            var result = IndicatorEngine.Evaluate(systems.Compiled(system), facts, previous);
            Interlocked.Add(ref _itemsRecomputed, result.ItemsRecomputed);
            var valueVersion = await store.SaveAsync(key, snapshot.LedgerVersion, revision, system, result.State.Values.Values,
                (version, changed) => IndicatorEvents.ValuesChanged(key, version, snapshot.LedgerVersion, system, changed), cancellationToken);
            _states[evaluationKey] = result.State;
            _watermarks[evaluationKey] = (snapshot.LedgerVersion, revision);
            logger.LogInformation(
                "Recomputed {EvaluationKey} ({ItemsRecomputed} of {ItemCount} items) at ledger version {LedgerVersion}, observation revision {ObservationRevision}: value version {ValueVersion}",
                evaluationKey, result.ItemsRecomputed, system.Indicators.Count, snapshot.LedgerVersion, revision, valueVersion);
            return valueVersion;
        }
        finally
        {
            gate.Release();
        }
    }
}
