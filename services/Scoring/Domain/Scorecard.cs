using System.Globalization;

namespace PerfEval.Scoring.Domain;

/// <summary>One level-3 item of a scoring system, with a 正向 target.</summary>
public sealed record ScoredIndicator(string Code, string Name, string TargetText, decimal Target, string Unit, decimal Weight);

/// <summary>An item's actual and score; both are null when the indicator has no value.</summary>
public sealed record ItemScore(ScoredIndicator Indicator, decimal? Actual, decimal? Score);

public sealed record Scorecard(IReadOnlyList<ItemScore> Items, decimal Total, string Grade)
{
    public static string Format(decimal value) => value.ToString("0.00", CultureInfo.InvariantCulture);
}

/// <summary>
/// The walking skeleton's one-item system: 收入预算执行率 ≥95%, weight 100, scored 正向.
/// (The indicator service will own systems and their versions; scoring will read them from it.)
/// </summary>
public static class SkeletonSystem
{
    public static readonly IReadOnlyList<ScoredIndicator> Items =
        [new("income-budget-execution-rate", "收入预算执行率", "≥95%", 95m, "%", 100m)];

    public static Scorecard Score(IReadOnlyDictionary<string, decimal?> actuals, Grades grades)
    {
        var items = Items.Select(item =>
        {
            var actual = actuals.GetValueOrDefault(item.Code);
            return new ItemScore(item, actual, actual is { } a ? ScoringRules.HigherIsBetter(a, item.Target, item.Weight) : null);
        }).ToList();
        // An item without a value contributes nothing; it is listed as having no value, not as 0.
        var total = items.Sum(i => i.Score ?? 0m);
        return new Scorecard(items, total, grades.For(total));
    }
}
