using System.Globalization;
using PerfEval.Contracts.Indicator.V1;
using MissingInput = PerfEval.Contracts.Events.V1.MissingInput;

namespace PerfEval.Scoring.Domain;

/// <summary>How an item is scored, decided from its target and code.</summary>
public enum ItemRule
{
    HigherIsBetter,
    LowerIsBetter,
    Exact,
    Range,
    Compound,
    Qualitative,
    /// <summary>The fixed 预算执行率 header item: w × rate, capped at w.</summary>
    BudgetExecution,
}

/// <summary>Where the actual an item was scored on came from (DOMAIN.md §5).</summary>
public enum ActualOrigin
{
    /// <summary>No value: the item leaves the scorecard incomplete unless overridden.</summary>
    None,
    /// <summary>Computed by the indicator service from the ledger and observations.</summary>
    Computed,
    /// <summary>The bureau's declared figure, scored as declared and unverified (填报，未核实).</summary>
    Declared,
    /// <summary>A person's qualitative judgment.</summary>
    Assessed,
}

/// <summary>A reviewer's 不予认可 of a declared value: the item then scores 0, the declared value kept beside it.</summary>
public sealed record Refusal(string Reason, string Author);

/// <summary>An assessor's override of an item's score: stored beside the computed one, and it counts.</summary>
public sealed record ScoreOverride(decimal Score, string Author, string Reason);

/// <summary>扣分: points taken off an item, with the reason, applied after every rule.</summary>
public sealed record Deduction(decimal Points, string Reason, string Author);

/// <summary>偏差原因分析及改进措施 of a missed item.</summary>
public sealed record DeviationNote(string Text, string Author);

/// <summary>One part of an item's target, scored by its own rule against its share of the weight.</summary>
public sealed record PartScore(string Label, string Target, decimal Weight, decimal? Actual, decimal? RawScore, bool Met, decimal? Gap);

/// <summary>
/// An item's score. <see cref="ComputedScore"/> is what the rules give (capped at the weight, floored at 0,
/// after deductions); <see cref="Score"/> is what counts: the override when there is one.
/// Both are null when the item has no value (missing data is not zero) and nobody overrode it.
/// </summary>
public sealed record ItemScore(
    IndicatorDefinition Definition,
    decimal Weight,
    ItemRule Rule,
    decimal? Actual,
    IReadOnlyList<PartScore> Parts,
    string? NoValueReason,
    QualitativeAssessment? Assessment,
    decimal? RuleScore,
    decimal DeductedPoints,
    IReadOnlyList<Deduction> Deductions,
    decimal? ComputedScore,
    ScoreOverride? Override,
    decimal? Score,
    bool Met,
    DeviationNote? Note)
{
    public string Code => Definition.Code;
    public ActualOrigin Origin { get; init; }
    /// <summary>Where the bureau says a declared value comes from (数据来源 / 佐证).</summary>
    public string DeclaredSource { get; init; } = "";
    /// <summary>The reviewer's refusal of the declared value, when there is one (the item then scores 0).</summary>
    public Refusal? Refusal { get; init; }
    /// <summary>Scored on the bureau's own figure, not verified and not refused.</summary>
    public bool Unverified => Origin == ActualOrigin.Declared && Refusal is null && Score is not null;

    /// <summary>The indicator service's structured missing inputs behind <see cref="NoValueReason"/>; empty when none.</summary>
    public IReadOnlyList<MissingInput> MissingInputs { get; init; } = [];
}

/// <summary>A subtotal per 一级 (Level2 null) or per 二级 inside its 一级.</summary>
public sealed record Subtotal(string Level1, string? Level2, decimal Weight, decimal Score);

/// <summary>An item below its target (or outside its range), what it cost, and its note if written.</summary>
public sealed record Deviation(string Code, string Name, string Target, decimal? Actual, IReadOnlyList<PartScore> MissedParts,
    decimal PointsLost, DeviationNote? Note);

/// <summary>An item whose computed actual differs from the actual the bureau typed (DeclaredActual).</summary>
public sealed record DeclaredDifference(string Code, string Name, string Declared, decimal? DeclaredValue, decimal? Computed);

public sealed record Scorecard(
    IReadOnlyList<ItemScore> Items,
    IReadOnlyList<Subtotal> Level1Subtotals,
    IReadOnlyList<Subtotal> Level2Subtotals,
    decimal Total,
    string Grade,
    IReadOnlyList<Deviation> Deviations,
    IReadOnlyList<DeclaredDifference> DeclaredDifferences,
    IReadOnlyList<string> Findings)
{
    /// <summary>The grade of a scorecard with an item that has neither a value nor a refusal: never 差 built on zeros.</summary>
    public const string PendingGrade = "待定";

    /// <summary>Codes of the items without a score (no value, no judgment, no refusal, no override).</summary>
    public IReadOnlyList<string> Incomplete => [.. Items.Where(i => i.Score is null).Select(i => i.Code)];

    public bool IsComplete => Incomplete.Count == 0;

    /// <summary>Points resting on declared values nobody verified (填报，未核实), counted apart from the total.</summary>
    public decimal UnverifiedPoints => Items.Where(i => i.Unverified).Sum(i => i.Score!.Value);

    /// <summary>Codes of the deviations that still need a 偏差原因分析及改进措施.</summary>
    public IReadOnlyList<string> MissingNotes => [.. Deviations.Where(d => d.Note is null).Select(d => d.Code)];

    public ItemScore Item(string code) => Items.Single(i => i.Code == code);

    public static string Format(decimal value) => value.ToString("0.00", CultureInfo.InvariantCulture);
}

/// <summary>Thrown when an indicator system cannot be scored; the message says why (e.g. the weights' actual sum).</summary>
public sealed class InvalidSystemException(string message) : Exception(message);
