using PerfEval.Scoring.Domain;

namespace PerfEval.Scoring.Tests;

/// <summary>Each rule of DOMAIN.md §5 at and around its boundaries (weight 10 unless said).</summary>
public class ScoringRulesTests
{
    static decimal R(decimal d) => ScoringRules.RoundScore(d);

    [Fact]
    public void Jiashi_105_91_percent_against_95_scores_the_full_weight() =>
        Assert.Equal(100.00m, R(ScoringRules.HigherIsBetter(105.9063m, 95m, 100m)));

    [Theory]
    [InlineData(95, 100)]        // at the target: full weight
    [InlineData(95.01, 100)]     // above: capped at the weight
    [InlineData(94.99, 99.99)]   // just below: 100 × 94.99 ÷ 95 = 99.9894… → 99.99
    [InlineData(47.5, 50)]
    [InlineData(0, 0)]
    [InlineData(-10, 0)]         // never below 0
    public void HigherIsBetter_below_target_scores_in_proportion(decimal actual, decimal expected) =>
        Assert.Equal(expected, R(ScoringRules.HigherIsBetter(actual, 95m, 100m)));

    [Theory]
    [InlineData(30, 10)]         // at the target
    [InlineData(29.99, 10)]      // under it
    [InlineData(0, 10)]
    [InlineData(30.3, 9.9)]      // 10 × (1 − 0.3 ÷ 30)
    [InlineData(45, 5)]          // half-way to 2 × target
    [InlineData(59.99, 0)]       // 10 × (1 − 29.99 ÷ 30) = 0.0033… → 0.00
    [InlineData(60, 0)]          // 2 × target: cut off
    [InlineData(90, 0)]
    public void LowerIsBetter_falls_linearly_to_zero_at_twice_the_target(decimal actual, decimal expected) =>
        Assert.Equal(expected, R(ScoringRules.LowerIsBetter(actual, 30m, 10m)));

    [Theory]
    [InlineData(280, 10)]
    [InlineData(252, 9)]          // 10 × 252 ÷ 280
    [InlineData(311.11, 9)]       // over-shooting: 10 × 280 ÷ 311.11 = 8.99999… → 9.00
    [InlineData(560, 5)]          // twice the standard is as far off as half of it
    [InlineData(0, 0)]
    [InlineData(-280, 0)]
    public void Exact_is_symmetric_by_default(decimal actual, decimal expected) =>
        Assert.Equal(expected, R(ScoringRules.Exact(actual, 280m, 10m, asHigherIsBetter: false)));

    [Theory]
    [InlineData(280, 10)]
    [InlineData(560, 10)]         // the national software: over-shooting earns the weight
    [InlineData(252, 9)]
    public void Exact_as_higher_is_better_is_the_per_system_option(decimal actual, decimal expected) =>
        Assert.Equal(expected, R(ScoringRules.Exact(actual, 280m, 10m, asHigherIsBetter: true)));

    [Theory]
    [InlineData(0, 10)]
    [InlineData(-1, 10)]
    [InlineData(0.01, 0)]
    [InlineData(5, 0)]
    public void Exact_with_a_target_of_zero_is_all_or_nothing(decimal actual, decimal expected)
    {
        Assert.Equal(expected, ScoringRules.Exact(actual, 0m, 10m, asHigherIsBetter: false));
        Assert.Equal(expected, ScoringRules.Exact(actual, 0m, 10m, asHigherIsBetter: true));
    }

    [Theory]
    [InlineData(95, 10)]          // lower bound, inclusive
    [InlineData(100, 10)]
    [InlineData(105, 10)]         // upper bound, inclusive
    [InlineData(95.2574, 10)]     // Jiashi resident 待遇支出 21040.11 ÷ 22087.64
    [InlineData(94.99, 10)]       // 10 × 94.99 ÷ 95 = 9.9989… → 10.00 (rounded, still a deviation)
    [InlineData(76, 8)]           // below: 正向 against 95
    [InlineData(105.9063, 9.91)]  // above: 反向 against 105, 10 × (1 − 0.9063 ÷ 105)
    [InlineData(157.5, 5)]
    [InlineData(210, 0)]          // 2 × upper
    public void A_range_scores_below_as_higher_and_above_as_lower_is_better(decimal actual, decimal expected) =>
        Assert.Equal(expected, R(ScoringRules.Range(actual, 95m, 105m, 10m)));

    [Theory]
    [InlineData(100, 10)]
    [InlineData(95.2574, 9.53)]   // 10 × 0.952574
    [InlineData(105.91, 10)]      // capped at 10
    [InlineData(0, 0)]
    [InlineData(-5, 0)]
    public void Budget_execution_is_ten_times_the_rate_capped_at_ten(decimal rate, decimal expected) =>
        Assert.Equal(expected, R(ScoringRules.BudgetExecution(rate, 10m)));

    [Theory]
    [InlineData(QualitativeBand.Achieved, 8, true)]
    [InlineData(QualitativeBand.Achieved, 10, true)]
    [InlineData(QualitativeBand.Achieved, 7.99, false)]
    [InlineData(QualitativeBand.Achieved, 10.01, false)]
    [InlineData(QualitativeBand.PartlyAchieved, 6, true)]
    [InlineData(QualitativeBand.PartlyAchieved, 7.99, true)]
    [InlineData(QualitativeBand.PartlyAchieved, 8, false)]
    [InlineData(QualitativeBand.PartlyAchieved, 5.99, false)]
    [InlineData(QualitativeBand.NotAchieved, 0, true)]
    [InlineData(QualitativeBand.NotAchieved, 5.99, true)]
    [InlineData(QualitativeBand.NotAchieved, 6, false)]
    [InlineData(QualitativeBand.NotAchieved, -0.01, false)]
    public void Qualitative_bands_are_80_to_100_60_to_80_and_below_60_percent(QualitativeBand band, decimal score, bool inside) =>
        Assert.Equal(inside, QualitativeBands.Check(band, score, 10m) is null);

    [Fact]
    public void Scores_round_half_away_from_zero()
    {
        Assert.Equal(0.13m, R(0.125m));
        Assert.Equal(-0.13m, R(-0.125m));
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
    public void Grade_labels_and_bands_are_configuration()
    {
        var grades = new Grades([new(0m, "四等"), new(85m, "一等"), new(70m, "二等"), new(50m, "三等")]);
        Assert.Equal("一等", grades.For(85m));
        Assert.Equal("二等", grades.For(84.99m));
        Assert.Equal("三等", grades.For(50m));
        Assert.Equal("四等", grades.For(49.99m));
        Assert.Throws<ArgumentException>(() => new Grades([new(10m, "甲")]));
    }
}
