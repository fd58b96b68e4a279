using PerfEval.Contracts.Common.V1;
using PerfEval.Hosting.Evaluations;
using PerfEval.Scoring.Domain;
using PerfEval.Scoring.Storage;
using PerfEval.Scoring.Upstream;

namespace PerfEval.Scoring.Application;

/// <summary>
/// Rescoring "to latest": on new indicator values, on new reconciliation findings and on the monitoring
/// sweep. Every use case reads the current state, so events that arrive late, twice or out of order never
/// roll a scorecard back.
/// </summary>
public sealed class Rescoring(IndicatorReader indicator, ScoringStore store, ScorecardWriter writer, ILogger<Rescoring> logger)
{
    /// <summary>
    /// The indicator values of <paramref name="key"/> reached <paramref name="valueVersion"/>: scores the
    /// current system and values with the judgments made so far, unless a newer value version was scored
    /// already. Returns the new scorecard version, or null when nothing changed. A system that cannot be
    /// scored is remembered (GetScorecard then says why) and the <see cref="InvalidSystemException"/> thrown.
    /// </summary>
    public async Task<long?> OnValuesChangedAsync(EvaluationKey key, long valueVersion, CancellationToken cancellationToken)
    {
        var evaluationKey = EvaluationKeys.Format(key);
        if (valueVersion <= await store.ScoredValueVersionAsync(evaluationKey, cancellationToken))
            return null;
        var (system, values, findings) = await indicator.ReadAsync(key, cancellationToken);

        await using var transaction = await store.BeginAsync(evaluationKey, cancellationToken);
        if (values.ValueVersion <= transaction.ValueVersion)
            return null;
        var judgments = await transaction.JudgmentsAsync(cancellationToken);
        Contracts.Events.V1.EvaluationScored scored;
        try
        {
            scored = writer.Compute(key, system, values, findings, judgments);
        }
        catch (InvalidSystemException ex)
        {
            // Remembered, so GetScorecard says why the scorecard is not current instead of serving a stale one.
            await transaction.RefuseAsync(ex.Message, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            throw;
        }
        var newVersion = await ScorecardWriter.SaveIfChangedAsync(transaction, scored, system, values, findings, cancellationToken);
        await transaction.SetScoredAsync(values.ValueVersion, newVersion ?? transaction.ScorecardVersion, cancellationToken);
        await writer.PublishMonitoringChangesAsync(transaction, key, system, values, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Scored value version {ValueVersion} with system {SystemCode} v{SystemVersion}: scorecard version {ScorecardVersion}",
            values.ValueVersion, system.SystemCode, system.Version, newVersion);
        return newVersion;
    }

    /// <summary>
    /// Declared actuals were recorded: rescores the latest scored values with the current reconciliation
    /// findings. Findings of values not scored yet are left to that scoring. Returns the new scorecard
    /// version, or null when nothing changed.
    /// </summary>
    public async Task<long?> OnFindingsChangedAsync(EvaluationKey key, CancellationToken cancellationToken)
    {
        var findings = await indicator.ReadFindingsAsync(key, cancellationToken);
        await using var transaction = await store.BeginAsync(EvaluationKeys.Format(key), cancellationToken);
        // The latest snapshot scores like the scored value version: a value version that changed no score
        // stores no new scorecard. Findings of a newer value version wait for that version's scoring.
        if (findings.ValueVersion > transaction.ValueVersion
            || await transaction.LatestAsync(cancellationToken) is not { System: { } system, Values: { } values })
            return null;
        var judgments = await transaction.JudgmentsAsync(cancellationToken);
        var scored = writer.Compute(key, system, values, findings, judgments);
        var newVersion = await ScorecardWriter.SaveIfChangedAsync(transaction, scored, system, values, findings, cancellationToken);
        if (newVersion is { } v)
            await transaction.SetScorecardVersionAsync(v, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (newVersion is { } version)
            logger.LogInformation("Rescored with {FindingCount} findings at value version {ValueVersion}: scorecard version {ScorecardVersion}",
                findings.Findings.Count, findings.ValueVersion, version);
        return newVersion;
    }

    /// <summary>Keys of the scored evaluations whose fiscal year is still open today.</summary>
    public async Task<IReadOnlyList<EvaluationKey>> OpenEvaluationsAsync(CancellationToken cancellationToken)
    {
        var today = writer.Today();
        return [.. (await store.ScoredEvaluationKeysAsync(cancellationToken))
            .Select(EvaluationKeys.Parse)
            .OfType<EvaluationKey>()
            .Where(key => InYearMonitoring.IsOpen(today, key.FiscalYear))];
    }

    /// <summary>Re-evaluates an open evaluation's colours for today: the calendar moves even when no value does.</summary>
    public async Task RecheckMonitoringAsync(EvaluationKey key, CancellationToken cancellationToken)
    {
        await using var transaction = await store.BeginAsync(EvaluationKeys.Format(key), cancellationToken);
        if (await transaction.LatestAsync(cancellationToken) is { System: { } system, Values: { } values })
            await writer.PublishMonitoringChangesAsync(transaction, key, system, values, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}
