using System.Globalization;
using System.Text.RegularExpressions;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Indicator.V1;
using MissingInput = PerfEval.Contracts.Events.V1.MissingInput;

namespace PerfEval.Scoring.Domain;

/// <summary>Everything besides the system that a scorecard depends on. Dictionaries are keyed by item code.</summary>
public sealed record ScoringInputs
{
    /// <summary>
    /// Computed actuals. A compound target's parts are keyed "code:label" (e.g.
    /// "drg-coverage:医疗机构"); a missing key or a null value means the item has no value.
    /// </summary>
    public IReadOnlyDictionary<string, decimal?> Actuals { get; init; } = new Dictionary<string, decimal?>();
    /// <summary>Why a value is missing, from the indicator service, by code.</summary>
    public IReadOnlyDictionary<string, string> NoValueReasons { get; init; } = new Dictionary<string, string>();
    /// <summary>The inputs whose absence left a value empty, from the indicator service, by code: carried onto the item for the report.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<MissingInput>> MissingInputs { get; init; } = new Dictionary<string, IReadOnlyList<MissingInput>>();
    public IReadOnlyDictionary<string, QualitativeAssessment> Assessments { get; init; } = new Dictionary<string, QualitativeAssessment>();
    public IReadOnlyDictionary<string, ScoreOverride> Overrides { get; init; } = new Dictionary<string, ScoreOverride>();
    public IReadOnlyDictionary<string, IReadOnlyList<Deduction>> Deductions { get; init; } = new Dictionary<string, IReadOnlyList<Deduction>>();
    public IReadOnlyDictionary<string, DeviationNote> Notes { get; init; } = new Dictionary<string, DeviationNote>();
    /// <summary>Actuals as the bureau typed them (DeclaredActual), verbatim, e.g. "100%", "280%", "413449人".</summary>
    public IReadOnlyDictionary<string, string> DeclaredActuals { get; init; } = new Dictionary<string, string>();
    /// <summary>Where each declared actual comes from (数据来源 / 佐证), by code.</summary>
    public IReadOnlyDictionary<string, string> DeclaredSources { get; init; } = new Dictionary<string, string>();
    /// <summary>A reviewer's 不予认可 of a declared value, by code.</summary>
    public IReadOnlyDictionary<string, Refusal> Refusals { get; init; } = new Dictionary<string, Refusal>();
    /// <summary>Findings reported beside the scores (e.g. unbudgeted spending), passed through.</summary>
    public IReadOnlyList<string> Findings { get; init; } = [];
}

/// <summary>
/// The rules engine: (indicator system, actuals, judgments, overrides, deductions) → scorecard.
/// Pure; every rule of DOMAIN.md §5.
/// </summary>
public static partial class RulesEngine
{
    /// <summary>Code of the fixed 预算执行率 header item, scored w × rate capped at w.</summary>
    public const string BudgetExecutionRateCode = "budget-execution-rate";

    /// <summary>A typed actual equal to the computed one within this (half a display unit) is not a difference.</summary>
    public const decimal DeclaredTolerance = 0.005m;

    public static Scorecard Score(IndicatorSystem system, ScoringInputs inputs, Grades grades)
    {
        var weights = Validate(system);
        var asHigherIsBetter = system.ExactScoring == ExactScoring.AsHigherIsBetter;
        var items = system.Indicators.Select((d, i) => ScoreItem(d, weights[i], inputs, asHigherIsBetter)).ToList();

        var total = items.Sum(i => i.Score ?? 0m);
        var level1 = items.GroupBy(i => i.Definition.Level1)
            .Select(g => new Subtotal(g.Key, null, g.Sum(i => i.Weight), g.Sum(i => i.Score ?? 0m))).ToList();
        var level2 = items.GroupBy(i => (i.Definition.Level1, i.Definition.Level2))
            .Select(g => new Subtotal(g.Key.Level1, g.Key.Level2, g.Sum(i => i.Weight), g.Sum(i => i.Score ?? 0m))).ToList();

        var deviations = items.Where(i => !i.Met && (i.RuleScore is not null))
            .Select(i => new Deviation(i.Code, i.Definition.Name, i.Definition.Target?.Text ?? "", i.Actual,
                [.. i.Parts.Where(p => !p.Met)], i.Weight - (i.ComputedScore ?? 0m), i.Note))
            .ToList();

        var differences = new List<DeclaredDifference>();
        foreach (var item in items)
        {
            if (!inputs.DeclaredActuals.TryGetValue(item.Code, out var declared) || item.Rule == ItemRule.Qualitative)
                continue;
            var declaredValue = ParseDeclared(declared);
            if (declaredValue is null || item.Actual is null || Math.Abs(declaredValue.Value - item.Actual.Value) > DeclaredTolerance
                || UnitSlip(declared, item.Definition.Unit))
                differences.Add(new DeclaredDifference(item.Code, item.Definition.Name, declared, declaredValue, item.Actual));
        }

        var findings = inputs.Findings.ToList();
        if (EveryDeclaredActualEqualsItsTarget(items, inputs) is { } count)
            findings.Add($"填报的{count}项实际完成值均与指标值完全相同，请提供佐证");

        // DOMAIN.md §5: an item with no value at all leaves the evaluation incomplete — grade 待定, never
        // a 差 built on zeros. The total still adds what is scored, so a reader sees how far it got.
        var grade = items.Any(i => i.Score is null) ? Scorecard.PendingGrade : grades.For(total);
        return new Scorecard(items, level1, level2, total, grade, deviations, differences, findings);
    }

    /// <summary>
    /// DOMAIN.md §7: a table whose every typed actual is its target verbatim (Jiashi 2020: ten of ten) was
    /// filled in, not measured. Counts the single-bound and exact items with a declared number (a range
    /// has no one value to copy); null unless there are at least three and all equal their target.
    /// </summary>
    static int? EveryDeclaredActualEqualsItsTarget(IReadOnlyList<ItemScore> items, ScoringInputs inputs)
    {
        var checkedItems = items
            .Where(i => i.Rule is ItemRule.HigherIsBetter or ItemRule.LowerIsBetter or ItemRule.Exact)
            .Select(i => (Declared: inputs.DeclaredActuals.TryGetValue(i.Code, out var typed) ? ParseDeclared(typed) : null,
                Target: i.Definition.Target?.Parts.Count == 1 && TryParse(i.Definition.Target.Parts[0].Value, out var t) ? t : (decimal?)null))
            .Where(x => x.Declared is not null && x.Target is not null)
            .ToList();
        return checkedItems.Count >= 3 && checkedItems.All(x => x.Declared == x.Target) ? checkedItems.Count : null;
    }

    /// <summary>Parses every weight and checks they add up to 100; refuses the system with the actual sum.</summary>
    public static decimal[] Validate(IndicatorSystem system)
    {
        var weights = new decimal[system.Indicators.Count];
        var problems = new List<string>();
        for (var i = 0; i < weights.Length; i++)
        {
            var d = system.Indicators[i];
            if (!TryParse(d.Weight, out weights[i]) || weights[i] < 0)
                problems.Add($"indicator {d.Code} has weight '{d.Weight}', not a non-negative number");
        }
        if (problems.Count > 0)
            throw new InvalidSystemException(string.Join("; ", problems));
        var sum = weights.Sum();
        if (sum != 100m)
            throw new InvalidSystemException(
                $"the weights of system {system.SystemCode} v{system.Version} add up to {sum.ToString(CultureInfo.InvariantCulture)}, not 100");
        return weights;
    }

    static ItemScore ScoreItem(IndicatorDefinition d, decimal weight, ScoringInputs inputs, bool asHigherIsBetter)
    {
        var rule = RuleOf(d);
        inputs.Overrides.TryGetValue(d.Code, out var @override);
        inputs.Notes.TryGetValue(d.Code, out var note);
        var deductions = inputs.Deductions.GetValueOrDefault(d.Code) ?? [];
        var deducted = deductions.Sum(x => x.Points);
        inputs.Assessments.TryGetValue(d.Code, out var assessment);

        decimal? actual = null;
        decimal? raw = null;
        string? noValue = null;
        var origin = ActualOrigin.None;
        Refusal? refusal = null;
        var met = false;
        IReadOnlyList<PartScore> parts = [];

        switch (rule)
        {
            case ItemRule.Qualitative:
                if (assessment is null)
                    noValue = "awaiting an assessor's judgment";
                else
                {
                    // The band was checked when the judgment was submitted; the clamp keeps a
                    // judgment made under an older, heavier weight inside this one.
                    raw = Math.Clamp(assessment.Score, 0m, weight);
                    met = assessment.Band == QualitativeBand.Achieved;
                    origin = ActualOrigin.Assessed;
                }
                break;
            case ItemRule.BudgetExecution:
                actual = inputs.Actuals.GetValueOrDefault(d.Code);
                if (actual is { } rate)
                {
                    raw = ScoringRules.BudgetExecution(rate, weight);
                    met = rate >= 100m;
                    origin = ActualOrigin.Computed;
                    parts = [new PartScore("", "100%", weight, rate, raw, met, rate - 100m)];
                }
                else
                    noValue = inputs.NoValueReasons.GetValueOrDefault(d.Code) ?? "no value";
                break;
            default:
                var targetParts = d.Target?.Parts ?? [];
                if (targetParts.Count == 0)
                    throw new InvalidSystemException($"indicator {d.Code} has no parsed target");
                var share = weight / targetParts.Count;
                var compound = targetParts.Count > 1;
                // Precedence (DOMAIN.md §5): the computed value, else the bureau's declared one, else nothing.
                // A compound target's declared figure cannot be split into its parts, so it is never scored.
                decimal? declaredValue = null;
                if (!compound && inputs.Actuals.GetValueOrDefault(d.Code) is null
                    && inputs.DeclaredActuals.TryGetValue(d.Code, out var typed) && (declaredValue = ParseDeclared(typed)) is not null)
                {
                    origin = ActualOrigin.Declared;
                    if (inputs.Refusals.TryGetValue(d.Code, out var refused))
                    {
                        refusal = refused;
                        actual = declaredValue;
                        raw = 0m;
                        parts = [ScorePart(d, targetParts[0], share, declaredValue, asHigherIsBetter) with { RawScore = 0m, Met = false }];
                        break;
                    }
                }
                var scored = targetParts.Select(p =>
                {
                    var key = compound ? $"{d.Code}:{p.Label}" : d.Code;
                    var value = origin == ActualOrigin.Declared ? declaredValue : inputs.Actuals.GetValueOrDefault(key);
                    return ScorePart(d, p, share, value, asHigherIsBetter);
                }).ToList();
                if (origin == ActualOrigin.None && scored.All(p => p.Actual is not null))
                    origin = ActualOrigin.Computed;
                parts = scored;
                actual = compound ? null : scored[0].Actual;
                if (scored.Any(p => p.RawScore is null))
                    noValue = compound
                        ? $"no value for {string.Join(", ", scored.Where(p => p.RawScore is null).Select(p => p.Label))}"
                        : inputs.NoValueReasons.GetValueOrDefault(d.Code) ?? "no value";
                else
                {
                    raw = Math.Clamp(scored.Sum(p => p.RawScore!.Value), 0m, weight);
                    met = scored.All(p => p.Met);
                }
                break;
        }

        decimal? ruleScore = raw is { } r ? ScoringRules.RoundScore(r) : null;
        decimal? computed = raw is { } s ? ScoringRules.RoundScore(Math.Max(0m, Math.Min(s, weight) - deducted)) : null;
        var effective = @override?.Score ?? computed;
        return new ItemScore(d, weight, rule, actual, parts, noValue, assessment, ruleScore, deducted, deductions, computed,
            @override, effective, met, note)
        {
            Origin = origin,
            DeclaredSource = origin == ActualOrigin.Declared ? inputs.DeclaredSources.GetValueOrDefault(d.Code) ?? "" : "",
            Refusal = refusal,
            MissingInputs = noValue is null ? [] : inputs.MissingInputs.GetValueOrDefault(d.Code) ?? [],
        };
    }

    static PartScore ScorePart(IndicatorDefinition d, TargetPart p, decimal share, decimal? actual, bool asHigherIsBetter)
    {
        var comparison = EffectiveComparison(d, p);
        var text = PartText(p, comparison);
        if (actual is not { } a)
            return new PartScore(p.Label, text, share, null, null, false, null);

        decimal raw, gap;
        bool met;
        switch (comparison)
        {
            case Comparison.GreaterOrEqual or Comparison.Greater:
            {
                var target = Number(d, p.Value, "value");
                raw = ScoringRules.HigherIsBetter(a, target, share);
                met = comparison == Comparison.Greater ? a > target : a >= target;
                gap = a - target;
                break;
            }
            case Comparison.LessOrEqual or Comparison.Less:
            {
                var target = Number(d, p.Value, "value");
                raw = ScoringRules.LowerIsBetter(a, target, share);
                met = comparison == Comparison.Less ? a < target : a <= target;
                gap = a - target;
                break;
            }
            case Comparison.Equal:
            {
                var target = Number(d, p.Value, "value");
                raw = ScoringRules.Exact(a, target, share, asHigherIsBetter);
                met = asHigherIsBetter ? a >= target : a == target;
                gap = a - target;
                break;
            }
            case Comparison.Between:
            {
                var lower = Number(d, p.Lower, "lower");
                var upper = Number(d, p.Upper, "upper");
                raw = ScoringRules.Range(a, lower, upper, share);
                met = (p.LowerInclusive ? a >= lower : a > lower) && (p.UpperInclusive ? a <= upper : a < upper);
                gap = a < lower ? a - lower : a > upper ? a - upper : 0m;
                break;
            }
            default:
                throw new InvalidSystemException($"indicator {d.Code} has a target part that cannot be scored ({comparison})");
        }
        return new PartScore(p.Label, text, share, a, raw, met, gap);
    }

    /// <summary>The part's own comparison; an unparsed one falls back to the item's direction.</summary>
    static Comparison EffectiveComparison(IndicatorDefinition d, TargetPart p) =>
        p.Comparison != Comparison.Unspecified ? p.Comparison : d.Direction switch
        {
            Direction.HigherIsBetter => Comparison.GreaterOrEqual,
            Direction.LowerIsBetter => Comparison.LessOrEqual,
            Direction.Exact => Comparison.Equal,
            Direction.Range => Comparison.Between,
            _ => Comparison.Unspecified,
        };

    public static ItemRule RuleOf(IndicatorDefinition d)
    {
        if (d.Code == BudgetExecutionRateCode)
            return ItemRule.BudgetExecution;
        var parts = d.Target?.Parts ?? [];
        if (d.Direction == Direction.Qualitative || parts.Any(p => p.Comparison == Comparison.Qualitative))
            return ItemRule.Qualitative;
        if (parts.Count > 1)
            return ItemRule.Compound;
        return (parts.Count == 1 ? EffectiveComparison(d, parts[0]) : Comparison.Unspecified) switch
        {
            Comparison.GreaterOrEqual or Comparison.Greater => ItemRule.HigherIsBetter,
            Comparison.LessOrEqual or Comparison.Less => ItemRule.LowerIsBetter,
            Comparison.Equal => ItemRule.Exact,
            Comparison.Between => ItemRule.Range,
            _ => d.Direction switch
            {
                Direction.LowerIsBetter => ItemRule.LowerIsBetter,
                Direction.Exact => ItemRule.Exact,
                Direction.Range => ItemRule.Range,
                _ => ItemRule.HigherIsBetter,
            },
        };
    }

    static string PartText(TargetPart p, Comparison c) => c switch
    {
        Comparison.GreaterOrEqual => $"{p.Label}≥{p.Value}{p.Unit}",
        Comparison.Greater => $"{p.Label}>{p.Value}{p.Unit}",
        Comparison.LessOrEqual => $"{p.Label}≤{p.Value}{p.Unit}",
        Comparison.Less => $"{p.Label}<{p.Value}{p.Unit}",
        Comparison.Equal => $"{p.Label}={p.Value}{p.Unit}",
        Comparison.Between => $"{p.Label}{p.Upper}{p.Unit}{(p.UpperInclusive ? "≥" : ">")}x{(p.LowerInclusive ? "≥" : ">")}{p.Lower}{p.Unit}",
        _ => p.QualitativeText,
    };

    static decimal Number(IndicatorDefinition d, string text, string field) =>
        TryParse(text, out var value) ? value
            : throw new InvalidSystemException($"indicator {d.Code} has target {field} '{text}', not a number");

    public static bool TryParse(string text, out decimal value) =>
        decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out value);

    /// <summary>The number in a typed actual ("100%", "280%", "0.69万元", "413449人"); null when it has none.</summary>
    public static decimal? ParseDeclared(string declared)
    {
        var match = DeclaredNumber().Match(declared);
        return match.Success && TryParse(match.Value, out var v) ? v : null;
    }

    /// <summary>A typed unit that is not the item's ("280%" for 元/人/年) is a slip even when the number matches.</summary>
    static bool UnitSlip(string declared, string unit)
    {
        var match = DeclaredNumber().Match(declared);
        var suffix = match.Success ? declared[(match.Index + match.Length)..].Trim() : "";
        return suffix.Length > 0 && unit.Length > 0 && !unit.StartsWith(suffix, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"-?\d+(\.\d+)?")]
    private static partial Regex DeclaredNumber();
}
