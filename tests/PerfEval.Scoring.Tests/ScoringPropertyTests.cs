using CsCheck;
using PerfEval.Scoring.Domain;

namespace PerfEval.Scoring.Tests;

/// <summary>Properties over random actuals, targets and weights.</summary>
public class ScoringPropertyTests
{
    static readonly Gen<decimal> Actual = Gen.Decimal[-1000m, 1000m];
    static readonly Gen<decimal> Target = Gen.Decimal[0.01m, 500m];
    // Weights are written with at most two decimals (分值 "2.9", "3.4"), so a rounded full score equals its weight.
    static readonly Gen<decimal> Weight = Gen.Int[0, 10_000].Select(i => i / 100m);

    static IEnumerable<Func<decimal, decimal, decimal, decimal>> Rules =>
    [
        ScoringRules.HigherIsBetter,
        ScoringRules.LowerIsBetter,
        (a, t, w) => ScoringRules.Exact(a, t, w, asHigherIsBetter: false),
        (a, t, w) => ScoringRules.Exact(a, t, w, asHigherIsBetter: true),
        (a, t, w) => ScoringRules.Range(a, t, t * 1.1m, w),
        (a, _, w) => ScoringRules.BudgetExecution(a, w),
    ];

    [Fact]
    public void No_score_leaves_zero_to_weight() =>
        Gen.Select(Actual, Target, Weight).Sample((a, t, w) =>
            Rules.All(rule => rule(a, t, w) is var s && s >= 0 && s <= w && ScoringRules.RoundScore(s) <= w));

    [Fact]
    public void A_better_actual_never_lowers_a_higher_is_better_score() =>
        Gen.Select(Actual, Actual, Target, Weight).Sample((a, b, t, w) =>
        {
            var (low, high) = a <= b ? (a, b) : (b, a);
            return ScoringRules.HigherIsBetter(high, t, w) >= ScoringRules.HigherIsBetter(low, t, w)
                && ScoringRules.BudgetExecution(high, w) >= ScoringRules.BudgetExecution(low, w);
        });

    [Fact]
    public void A_better_actual_never_raises_a_lower_is_better_score() =>
        Gen.Select(Actual, Actual, Target, Weight).Sample((a, b, t, w) =>
        {
            var (low, high) = a <= b ? (a, b) : (b, a);
            return ScoringRules.LowerIsBetter(high, t, w) <= ScoringRules.LowerIsBetter(low, t, w);
        });

    [Fact]
    public void A_range_rises_to_its_lower_bound_and_falls_after_its_upper_bound() =>
        Gen.Select(Actual, Actual, Target, Weight).Sample((a, b, t, w) =>
        {
            var (low, high) = a <= b ? (a, b) : (b, a);
            var upper = t * 1.1m;
            if (high <= t)
                return ScoringRules.Range(high, t, upper, w) >= ScoringRules.Range(low, t, upper, w);
            if (low >= upper)
                return ScoringRules.Range(high, t, upper, w) <= ScoringRules.Range(low, t, upper, w);
            return true;
        });

    [Fact]
    public void A_whole_scorecard_stays_inside_zero_to_100_and_each_item_inside_its_weight()
    {
        // Weights in hundredths that add up to exactly 100, one rule per item, any actuals.
        var gen = Gen.Int[1, 12].SelectMany(n => Gen.Int[1, 100].Array[n].SelectMany(shares =>
            Gen.Int[0, 4].Array[n].SelectMany(rules => Actual.Array[n].Select(actuals => (shares, rules, actuals)))));
        gen.Sample(t =>
        {
            var (shares, rules, actuals) = t;
            var total = shares.Sum();
            var weights = shares.Select(x => Math.Round(100m * x / total, 2)).ToArray();
            weights[^1] += 100m - weights.Sum();
            if (weights[^1] < 0)
                return true;
            var items = weights.Select((w, i) => rules[i] switch
            {
                0 => Systems.Item($"i{i}", "x", "产出指标", "数量指标", w, "≥95%", Contracts.Indicator.V1.Direction.HigherIsBetter, "%", Systems.AtLeast(95)),
                1 => Systems.Item($"i{i}", "x", "产出指标", "数量指标", w, "≤30%", Contracts.Indicator.V1.Direction.LowerIsBetter, "%", Systems.AtMost(30)),
                2 => Systems.Item($"i{i}", "x", "产出指标", "质量指标", w, "=280", Contracts.Indicator.V1.Direction.Exact, "元", Systems.EqualTo(280)),
                3 => Systems.Item($"i{i}", "x", "效益指标", "社会效益指标", w, "105%≥x≥95%", Contracts.Indicator.V1.Direction.Range, "%", Systems.Between(95, 105)),
                _ => Systems.Item(i == 0 ? RulesEngine.BudgetExecutionRateCode : $"i{i}", "x", "预算执行率", "预算执行率", w, "100%",
                    Contracts.Indicator.V1.Direction.HigherIsBetter, "%", Systems.AtLeast(100)),
            }).ToArray();
            var system = Systems.Of("p", Contracts.Common.V1.ExactScoring.Symmetric, items);
            var card = RulesEngine.Score(system, new ScoringInputs
            {
                Actuals = items.Select((d, i) => (d.Code, actuals[i])).ToDictionary(x => x.Code, x => (decimal?)x.Item2),
            }, Grades.Default);
            return card.Total >= 0 && card.Total <= 100 && card.Items.All(i => i.Score >= 0 && i.Score <= i.Weight)
                && card.Level1Subtotals.Sum(s => s.Score) == card.Total;
        });
    }

    [Fact]
    public void Deductions_and_overrides_keep_an_item_inside_its_weight() =>
        Gen.Select(Actual, Weight, Gen.Decimal[0m, 200m]).Sample((a, w, deducted) =>
        {
            var system = Systems.Of("p", Contracts.Common.V1.ExactScoring.Symmetric,
                Systems.Item("x", "x", "产出指标", "数量指标", 100m, "≥50%", Contracts.Indicator.V1.Direction.HigherIsBetter, "%", Systems.AtLeast(50)));
            var card = RulesEngine.Score(system, new ScoringInputs
            {
                Actuals = new Dictionary<string, decimal?> { ["x"] = a },
                Deductions = new Dictionary<string, IReadOnlyList<Deduction>> { ["x"] = [new Deduction(deducted, "扣分", "t")] },
            }, Grades.Default);
            var item = card.Item("x");
            return item.Score is { } s && s >= 0 && s <= 100 && card.Total == s && w >= 0;
        });
}
