using System.Globalization;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Events.V1;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Contracts.Scoring.V1;
using PerfEval.Scoring.Domain;
using PerfEval.Scoring.Storage;

namespace PerfEval.Scoring.Application;

/// <summary>
/// The wire forms scoring builds: a scorecard as the EvaluationScored body (stored per version and
/// published), the GetScorecard answer, monitoring answers and announcements, judgment records.
/// </summary>
public static class ScoringMessages
{
    static string Full(decimal? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";
    static string Two(decimal? value) => value is { } v ? Scorecard.Format(v) : "";

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
            ValueOrigin = i.Origin switch
            {
                ActualOrigin.Computed => ScoredValueOrigin.Computed,
                ActualOrigin.Declared => ScoredValueOrigin.Declared,
                ActualOrigin.Assessed => ScoredValueOrigin.Assessed,
                _ => ScoredValueOrigin.None,
            },
            DeclaredSource = i.DeclaredSource,
            RefusalReason = i.Refusal?.Reason ?? "",
            RefusedBy = i.Refusal?.Author ?? "",
        };
        item.DeductionReasons.AddRange(i.Deductions.Select(d => d.Reason));
        item.MissingInputs.AddRange(i.MissingInputs);
        if (i.Rule == ItemRule.Compound)
            item.PartActuals.AddRange(i.Parts.Select(p => $"{p.Label}={Full(p.Actual)}"));
        return item;
    }

    /// <summary>The EvaluationScored body of a scorecard; its version and changed codes are set when it is saved.</summary>
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
            ExactScoring = system.ExactScoring,
            Complete = card.IsComplete,
            UnverifiedPoints = Scorecard.Format(card.UnverifiedPoints),
        };
        scored.IncompleteItemCodes.AddRange(card.Incomplete);
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

    /// <summary>
    /// The GetScorecard answer of a stored scorecard version. A version stored while the event carried the
    /// exact scoring as text reads it as unspecified; the system it was scored with still says.
    /// </summary>
    public static GetScorecardResponse ScorecardResponse(EvaluationScored latest, IndicatorSystem? system) => new()
    {
        ScorecardVersion = latest.ScorecardVersion,
        ValueVersion = latest.ValueVersion,
        Total = latest.Total,
        Grade = latest.Grade,
        Items = { latest.Items },
        LedgerVersion = latest.LedgerVersion,
        SystemCode = latest.SystemCode,
        SystemVersion = latest.SystemVersion,
        ExactScoring = latest.ExactScoring != ExactScoring.Unspecified ? latest.ExactScoring
            : system?.ExactScoring is { } stated && stated != ExactScoring.Unspecified ? stated : ExactScoring.Symmetric,
        Level1Subtotals = { latest.Level1Subtotals },
        Level2Subtotals = { latest.Level2Subtotals },
        Deviations = { latest.Deviations },
        MissingNoteCodes = { latest.MissingNoteCodes },
        DeclaredDifferences = { latest.DeclaredDifferences },
        Findings = { latest.Findings },
        Complete = latest.Complete,
        IncompleteItemCodes = { latest.IncompleteItemCodes },
        UnverifiedPoints = latest.UnverifiedPoints,
    };

    static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    static string ElapsedPercent(DateOnly asOf, int fiscalYear) =>
        (InYearMonitoring.ElapsedShare(asOf, fiscalYear) * 100m).ToString(CultureInfo.InvariantCulture);

    public static Contracts.Events.V1.MonitoringStatus Status(Domain.MonitoringStatus? status) => status switch
    {
        Domain.MonitoringStatus.Green => Contracts.Events.V1.MonitoringStatus.Green,
        Domain.MonitoringStatus.Yellow => Contracts.Events.V1.MonitoringStatus.Yellow,
        Domain.MonitoringStatus.Red => Contracts.Events.V1.MonitoringStatus.Red,
        _ => Contracts.Events.V1.MonitoringStatus.Unspecified,
    };

    /// <summary>The GetMonitoring answer for <paramref name="asOf"/>.</summary>
    public static GetMonitoringResponse MonitoringResponse(IReadOnlyList<Domain.MonitoredItem> items, DateOnly asOf, int fiscalYear, long valueVersion)
    {
        var response = new GetMonitoringResponse
        {
            AsOf = Date(asOf),
            ElapsedPercent = ElapsedPercent(asOf, fiscalYear),
            CompletedMonths = InYearMonitoring.CompletedMonths(asOf, fiscalYear),
            Open = InYearMonitoring.IsOpen(asOf, fiscalYear),
            ValueVersion = valueVersion,
        };
        response.Items.AddRange(items.Select(i => new Contracts.Scoring.V1.MonitoredItem
        {
            IndicatorCode = i.Code,
            Name = i.Name,
            Actual = Full(i.Actual),
            ProratedTarget = Full(i.ProratedTarget),
            ProgressPercent = Full(i.ProgressPercent),
            Status = Status(i.Status),
            Basis = i.Basis,
        }));
        return response;
    }

    /// <summary>The MonitoringStatusChanged announcement of an item whose colour changed on <paramref name="asOf"/>.</summary>
    public static MonitoringStatusChanged StatusChanged(EvaluationKey evaluation, Domain.MonitoredItem item, Domain.MonitoringStatus? previous,
        DateOnly asOf, long valueVersion) => new()
    {
        Evaluation = evaluation,
        IndicatorCode = item.Code,
        Name = item.Name,
        PreviousStatus = Status(previous),
        Status = Status(item.Status),
        ProgressPercent = Full(item.ProgressPercent),
        AsOf = Date(asOf),
        ElapsedPercent = ElapsedPercent(asOf, evaluation.FiscalYear),
        ValueVersion = valueVersion,
    };

    public static Contracts.Scoring.V1.JudgmentKind Kind(Domain.JudgmentKind kind) => kind switch
    {
        Domain.JudgmentKind.Assessment => Contracts.Scoring.V1.JudgmentKind.Assessment,
        Domain.JudgmentKind.Override => Contracts.Scoring.V1.JudgmentKind.Override,
        Domain.JudgmentKind.Deduction => Contracts.Scoring.V1.JudgmentKind.Deduction,
        Domain.JudgmentKind.DeviationNote => Contracts.Scoring.V1.JudgmentKind.DeviationNote,
        Domain.JudgmentKind.Refusal => Contracts.Scoring.V1.JudgmentKind.Refusal,
        Domain.JudgmentKind.RefusalWithdrawal => Contracts.Scoring.V1.JudgmentKind.RefusalWithdrawal,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static JudgmentRecord Record(StoredJudgment stored) => new()
    {
        JudgmentId = stored.JudgmentId,
        IndicatorCode = stored.Judgment.IndicatorCode,
        Kind = Kind(stored.Judgment.Kind),
        Band = stored.Judgment.Band is { } band ? (Contracts.Scoring.V1.QualitativeBand)(int)band : Contracts.Scoring.V1.QualitativeBand.Unspecified,
        Score = Full(stored.Judgment.Score),
        Text = stored.Judgment.Text,
        Author = stored.Judgment.Author,
        CreatedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(stored.CreatedAtUtc),
        ReplacesJudgmentId = stored.ReplacesJudgmentId ?? 0,
        RequestId = stored.RequestId,
    };
}
