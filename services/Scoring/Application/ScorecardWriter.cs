using System.Globalization;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Events.V1;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Scoring.Domain;
using PerfEval.Scoring.Storage;

namespace PerfEval.Scoring.Application;

/// <summary>
/// The steps every scoring use case shares, inside the evaluation's transaction: score the inputs with
/// the judgments made so far, store a new scorecard version only when something changed, and announce
/// monitoring colours that changed.
/// </summary>
public sealed class ScorecardWriter(ScoringSettings settings, TimeProvider clock)
{
    public DateOnly Today() => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    /// <summary>The scorecard's wire form; an <see cref="InvalidSystemException"/> when the system cannot be scored.</summary>
    public EvaluationScored Compute(EvaluationKey key, IndicatorSystem system, GetIndicatorValuesResponse values, GetFindingsResponse? findings,
        IReadOnlyList<Judgment> judgments)
    {
        var fromIndicator = IndicatorInputs.FromFindings(findings, system.Indicators.Select(d => d.Code).ToHashSet(StringComparer.Ordinal));
        var inputs = ScoringInputsBuilder.Build(values.Values, judgments, fromIndicator.Declared, fromIndicator.Findings, fromIndicator.Sources);
        var card = RulesEngine.Score(system, inputs, settings.GradesFor(system.SystemCode));
        return ScoringMessages.ToEvent(card, system, key, values.ValueVersion, values.LedgerVersion);
    }

    /// <summary>
    /// Stores <paramref name="scored"/> as the next version (and enqueues it) when it differs from the
    /// latest; returns the new version, or null when nothing changed.
    /// </summary>
    public static async Task<long?> SaveIfChangedAsync(EvaluationTransaction transaction, EvaluationScored scored, IndicatorSystem system,
        GetIndicatorValuesResponse values, GetFindingsResponse? findings, CancellationToken cancellationToken)
    {
        var previous = (await transaction.LatestAsync(cancellationToken))?.Scored;
        if (!ScorecardVersions.MarkChanges(previous, scored))
            return null;
        scored.ScorecardVersion = transaction.ScorecardVersion + 1;
        await transaction.InsertScorecardAsync(scored, decimal.Parse(scored.Total, CultureInfo.InvariantCulture), system, values, findings, cancellationToken);
        return scored.ScorecardVersion;
    }

    /// <summary>Today's pro-rated monitoring of <paramref name="values"/>.</summary>
    public IReadOnlyList<Domain.MonitoredItem> Monitor(EvaluationKey key, IndicatorSystem system, GetIndicatorValuesResponse values, DateOnly asOf) =>
        InYearMonitoring.Assess(system, ScoringInputsBuilder.Build(values.Values, []).Actuals, asOf, key.FiscalYear,
            settings.MonitoringFor(system.SystemCode));

    /// <summary>While the year is open, announces every item whose colour changed with these values.</summary>
    public async Task PublishMonitoringChangesAsync(EvaluationTransaction transaction, EvaluationKey key, IndicatorSystem system,
        GetIndicatorValuesResponse values, CancellationToken cancellationToken)
    {
        var today = Today();
        if (!InYearMonitoring.IsOpen(today, key.FiscalYear))
            return;
        var announced = await transaction.MonitoringStatusesAsync(cancellationToken);
        foreach (var (item, previous) in InYearMonitoring.ColourChanges(Monitor(key, system, values, today), announced))
            await transaction.SaveMonitoringStatusAsync(item.Code, item.Status!.Value, values.ValueVersion,
                ScoringMessages.StatusChanged(key, item, previous, today, values.ValueVersion), cancellationToken);
    }
}

/// <summary>When a newly scored scorecard is a new version: the rule that keeps versions meaningful.</summary>
public static class ScorecardVersions
{
    /// <summary>
    /// Sets <paramref name="scored"/>'s changed item codes against <paramref name="previous"/> and says whether
    /// it is a new version: the first one, a changed item, another system, or a changed list beside the items.
    /// </summary>
    public static bool MarkChanges(EvaluationScored? previous, EvaluationScored scored)
    {
        var before = previous?.Items.ToDictionary(i => i.IndicatorCode) ?? [];
        scored.ChangedItemCodes.Clear();
        scored.ChangedItemCodes.AddRange(scored.Items
            .Where(i => !before.TryGetValue(i.IndicatorCode, out var b) || !b.Equals(i))
            .Select(i => i.IndicatorCode));
        if (previous is null)
            return true;
        var systemChanged = previous.SystemCode != scored.SystemCode || previous.SystemVersion != scored.SystemVersion
            || previous.Items.Count != scored.Items.Count;
        // A declared actual recorded (or corrected) while no value moved changes only what is listed beside the items.
        var listsChanged = !previous.DeclaredDifferences.SequenceEqual(scored.DeclaredDifferences) || !previous.Findings.SequenceEqual(scored.Findings);
        return scored.ChangedItemCodes.Count > 0 || systemChanged || listsChanged;
    }
}
