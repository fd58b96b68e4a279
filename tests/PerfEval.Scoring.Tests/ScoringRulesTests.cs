using PerfEval.Scoring.Domain;

namespace PerfEval.Scoring.Tests;

public class ScoringRulesTests
{
    [Fact]
    public void Jiashi_105_91_percent_against_95_scores_the_full_weight() =>
        Assert.Equal(100.00m, ScoringRules.HigherIsBetter(105.9063m, 95m, 100m));

    [Theory]
    [InlineData(95, 100)]        // at the target: full weight
    [InlineData(94.99, 99.99)]   // just below: 100 × 94.99 ÷ 95 = 99.9894… → 99.99
    [InlineData(47.5, 50)]
    [InlineData(0, 0)]
    [InlineData(-10, 0)]         // never below 0
    public void Below_target_scores_in_proportion(decimal actual, decimal expected) =>
        Assert.Equal(expected, ScoringRules.HigherIsBetter(actual, 95m, 100m));

    [Fact]
    public void Scores_round_half_away_from_zero()
    {
        Assert.Equal(0.13m, ScoringRules.RoundScore(0.125m));
        Assert.Equal(-0.13m, ScoringRules.RoundScore(-0.125m));
    }

    [Fact]
    public void A_better_actual_never_lowers_the_score()
    {
        var previous = -1m;
        for (var actual = 0m; actual <= 200m; actual += 0.37m)
        {
            var score = ScoringRules.HigherIsBetter(actual, 95m, 10m);
            Assert.InRange(score, 0m, 10m);
            Assert.True(score >= previous, $"score fell from {previous} to {score} at actual {actual}");
            previous = score;
        }
    }

    [Theory]
    [InlineData(100, "优")]
    [InlineData(90, "优")]
    [InlineData(89.99, "良")]
    [InlineData(80, "良")]
    [InlineData(79.99, "中")]
    [InlineData(60, "中")]
    [InlineData(59.99, "差")]
    [InlineData(0, "差")]
    public void Default_grade_bands(decimal total, string grade) => Assert.Equal(grade, Grades.Default.For(total));

    [Fact]
    public void An_item_without_a_value_is_unscored_not_zero()
    {
        var card = SkeletonSystem.Score(new Dictionary<string, decimal?> { ["income-budget-execution-rate"] = null }, Grades.Default);
        var item = Assert.Single(card.Items);
        Assert.Null(item.Actual);
        Assert.Null(item.Score);
    }
}
