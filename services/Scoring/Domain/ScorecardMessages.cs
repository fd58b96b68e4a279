using System.Globalization;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Events.V1;
using PerfEval.Contracts.Indicator.V1;

namespace PerfEval.Scoring.Domain;

/// <summary>Turns a scorecard into its wire form (the EvaluationScored body, stored per version).</summary>
public static class ScorecardMessages
{
    static string Full(decimal? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";
    static string Two(decimal? value) => value is { } v ? Scorecard.Format(v) : "";

    public static string ExactScoringName(ExactScoring scoring) =>
        scoring == ExactScoring.AsHigherIsBetter ? "higher-is-better" : "symmetric";

    /// <summary>The inverse of <see cref="ExactScoringName"/>, for a stored EvaluationScored.</summary>
    public static ExactScoring ExactScoringFromName(string name) =>
        name == ExactScoringName(ExactScoring.AsHigherIsBetter) ? ExactScoring.AsHigherIsBetter : ExactScoring.Symmetric;

    public static ScoredItem Item(ItemScore i)
    {
        var item = new ScoredItem
        {
            IndicatorCode = i.Code,
            Name = i.Definition.Name,
            Target = i.Definition.Target?.Text ?? "",
            Unit = i.Definition.Unit,
            Actual = Full(i.Actual),
            Weight = i.Weight.ToString(CultureInfo.InvariantCulture),
            Score = Two(i.Score),
            Level1 = i.Definition.Level1,
            Level2 = i.Definition.Level2,
            ComputedScore = Two(i.ComputedScore),
            OverrideScore = Two(i.Override?.Score),
            OverrideAuthor = i.Override?.Author ?? "",
            OverrideReason = i.Override?.Reason ?? "",
            DeductedPoints = Scorecard.Format(i.DeductedPoints),
            Met = i.Met,
            NoValueReason = i.NoValueReason ?? "",
            AssessmentBand = i.Assessment is { } a ? QualitativeBands.Label(a.Band) : "",
            AssessmentDescription = i.Assessment?.Description ?? "",
            DeviationNote = i.Note?.Text ?? "",
        };
        item.DeductionReasons.AddRange(i.Deductions.Select(d => d.Reason));
        item.MissingInputs.AddRange(i.MissingInputs);
        if (i.Rule == ItemRule.Compound)
            item.PartActuals.AddRange(i.Parts.Select(p => $"{p.Label}={Full(p.Actual)}"));
        return item;
    }

    /// <summary>The EvaluationScored body of a scorecard; versions and changed codes are set by the store.</summary>
    public static EvaluationScored ToEvent(Scorecard card, IndicatorSystem system, EvaluationKey evaluation, long valueVersion, long ledgerVersion)
    {
        var scored = new EvaluationScored
        {
            Evaluation = evaluation,
            ValueVersion = valueVersion,
            LedgerVersion = ledgerVersion,
            Total = Scorecard.Format(card.Total),
            Grade = card.Grade,
            SystemCode = system.SystemCode,
            SystemVersion = system.Version,
            ExactScoring = ExactScoringName(system.ExactScoring),
        };
        scored.Items.AddRange(card.Items.Select(Item));
        scored.Level1Subtotals.AddRange(card.Level1Subtotals.Select(Subtotal));
        scored.Level2Subtotals.AddRange(card.Level2Subtotals.Select(Subtotal));
        scored.Deviations.AddRange(card.Deviations.Select(d =>
        {
            var deviation = new ScoreDeviation
            {
                IndicatorCode = d.Code,
                Name = d.Name,
                Target = d.Target,
                Actual = Full(d.Actual),
                PointsLost = Scorecard.Format(d.PointsLost),
                Note = d.Note?.Text ?? "",
            };
            deviation.Gaps.AddRange(d.MissedParts.Where(p => p.Gap is not null)
                .Select(p => p.Label.Length == 0 ? Full(p.Gap) : $"{p.Label}: {Full(p.Gap)}"));
            return deviation;
        }));
        scored.MissingNoteCodes.AddRange(card.MissingNotes);
        scored.DeclaredDifferences.AddRange(card.DeclaredDifferences.Select(d => new DeclaredActualDifference
        {
            IndicatorCode = d.Code,
            Name = d.Name,
            Declared = d.Declared,
            Computed = Full(d.Computed),
        }));
        scored.Findings.AddRange(card.Findings);
        return scored;
    }

    static ScoreSubtotal Subtotal(Subtotal s) => new()
    {
        Level1 = s.Level1,
        Level2 = s.Level2 ?? "",
        Weight = s.Weight.ToString(CultureInfo.InvariantCulture),
        Score = Scorecard.Format(s.Score),
    };
}
