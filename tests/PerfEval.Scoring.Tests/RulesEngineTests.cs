using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Scoring.Domain;
using static PerfEval.Scoring.Tests.Systems;

namespace PerfEval.Scoring.Tests;

public class RulesEngineTests
{
    static IndicatorSystem OneItem(IndicatorDefinition item, ExactScoring exact = ExactScoring.Symmetric)
    {
        item.Weight = "100";
        return Of("one", exact, item);
    }

    static ScoringInputs Actual(string code, decimal? value) => new() { Actuals = new Dictionary<string, decimal?> { [code] = value } };

    [Fact]
    public void Taojiang_2022_with_every_item_met_scores_100_and_grades_优()
    {
        var system = Taojiang();
        Assert.Equal(33, system.Indicators.Count);
        var card = RulesEngine.Score(system, TaojiangAllMet(system), Grades.Default);

        Assert.Equal(100.00m, card.Total);
        Assert.Equal("优", card.Grade);
        Assert.Equal([("项目决策", 18m), ("过程管理", 22m), ("项目产出", 50m), ("项目效益", 10m)],
            card.Level1Subtotals.Select(s => (s.Level1, s.Score)));
        Assert.Equal(17m, card.Level2Subtotals.Single(s => s.Level2 == "资金管理").Score);
        Assert.Equal(5m, card.Level2Subtotals.Single(s => s.Level2 == "组织管理").Score);
        Assert.Equal(21m, card.Level2Subtotals.Single(s => s.Level2 == "数量指标").Score);
        Assert.Equal(29m, card.Level2Subtotals.Single(s => s.Level2 == "质量指标").Score);
        Assert.Empty(card.Deviations);
        Assert.Empty(card.MissingNotes);
    }

    [Fact]
    public void A_system_whose_weights_do_not_add_up_to_100_is_refused_with_the_actual_sum()
    {
        var system = Taojiang();
        system.Indicators[0].Weight = "2.5";
        var refused = Assert.Throws<InvalidSystemException>(() => RulesEngine.Score(system, TaojiangAllMet(system), Grades.Default));
        Assert.Contains("add up to 99.5, not 100", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_compound_target_splits_its_weight_equally_and_scores_each_part()
    {
        var system = OneItem(Item("drg", "DRG付费", "产出指标", "质量指标", 0, "医疗机构≥40% 病种≥70% 基金≥30%", Direction.Compound, "%",
            AtLeast(40, label: "医疗机构"), AtLeast(70, label: "病种"), AtLeast(30, label: "基金")));
        var card = RulesEngine.Score(system, new ScoringInputs
        {
            Actuals = new Dictionary<string, decimal?> { ["drg:医疗机构"] = 45m, ["drg:病种"] = 35m, ["drg:基金"] = 30m },
        }, Grades.Default);

        var item = card.Item("drg");
        Assert.Equal(ItemRule.Compound, item.Rule);
        Assert.All(item.Parts, p => Assert.Equal(100m / 3, p.Weight));
        Assert.Equal(83.33m, item.Score); // 33.33… + 16.66… + 33.33…
        var deviation = Assert.Single(card.Deviations);
        var missed = Assert.Single(deviation.MissedParts);
        Assert.Equal("病种", missed.Label);
        Assert.Equal(-35m, missed.Gap);
        Assert.Equal(16.67m, deviation.PointsLost);
    }

    [Fact]
    public void A_compound_target_with_a_missing_part_has_no_value()
    {
        var system = OneItem(Item("drg", "DRG付费", "产出指标", "质量指标", 0, "医疗机构≥40% 病种≥70%", Direction.Compound, "%",
            AtLeast(40, label: "医疗机构"), AtLeast(70, label: "病种")));
        var item = RulesEngine.Score(system, Actual("drg:医疗机构", 45m), Grades.Default).Item("drg");
        Assert.Null(item.Score);
        Assert.Contains("病种", item.NoValueReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Exact_scoring_is_chosen_per_system()
    {
        var item = Item("fee", "个人缴费标准", "产出指标", "成本指标", 0, "=280", Direction.Exact, "元/人/年", EqualTo(280));
        Assert.Equal(50m, RulesEngine.Score(OneItem(item.Clone()), Actual("fee", 560m), Grades.Default).Total);
        Assert.Equal(100m, RulesEngine.Score(OneItem(item.Clone(), ExactScoring.AsHigherIsBetter), Actual("fee", 560m), Grades.Default).Total);
    }

    [Fact]
    public void A_bare_value_target_with_an_unparsed_comparison_follows_the_direction()
    {
        var part = new TargetPart { Value = "6.80", Unit = "%" };
        var card = RulesEngine.Score(OneItem(Item("rate", "单位缴费基数", "产出指标", "成本指标", 0, "6.80%", Direction.Exact, "%", part)),
            Actual("rate", 6.8m), Grades.Default);
        Assert.Equal(100m, card.Total);
        Assert.Equal(ItemRule.Exact, card.Item("rate").Rule);
    }

    [Fact]
    public void Missing_data_is_not_zero()
    {
        var system = OneItem(Item("x", "x", "产出指标", "数量指标", 0, "≥95%", Direction.HigherIsBetter, "%", AtLeast(95)));
        var card = RulesEngine.Score(system, new ScoringInputs
        {
            NoValueReasons = new Dictionary<string, string> { ["x"] = "zero denominator: budget is 0" },
        }, Grades.Default);
        var item = Assert.Single(card.Items);
        Assert.Null(item.Actual);
        Assert.Null(item.Score);
        Assert.Equal("zero denominator: budget is 0", item.NoValueReason);
        Assert.Empty(card.Deviations);
    }

    [Fact]
    public void A_qualitative_item_scores_the_assessors_judgment_and_awaits_one_until_then()
    {
        var system = OneItem(Item("q", "有所提高", "效益指标", "社会效益指标", 0, "有所提高", Direction.Qualitative, "", Qualitative("有所提高")));
        Assert.Equal("awaiting an assessor's judgment", RulesEngine.Score(system, new ScoringInputs(), Grades.Default).Item("q").NoValueReason);

        var card = RulesEngine.Score(system, new ScoringInputs
        {
            Assessments = new Dictionary<string, QualitativeAssessment>
            {
                ["q"] = new(QualitativeBand.PartlyAchieved, 70m, "部分医疗机构未覆盖", "张三"),
            },
        }, Grades.Default);
        Assert.Equal(70m, card.Total);
        Assert.Equal("中", card.Grade);
        var deviation = Assert.Single(card.Deviations);
        Assert.Equal(30m, deviation.PointsLost);
        Assert.Equal(["q"], card.MissingNotes);
    }

    [Fact]
    public void An_override_counts_and_the_computed_score_is_kept_beside_it()
    {
        var system = OneItem(Item("x", "x", "产出指标", "数量指标", 0, "≥95%", Direction.HigherIsBetter, "%", AtLeast(95)));
        var card = RulesEngine.Score(system, Actual("x", 47.5m) with
        {
            Overrides = new Dictionary<string, ScoreOverride> { ["x"] = new(90m, "李四", "统计口径调整，经复核认定") },
        }, Grades.Default);
        var item = card.Item("x");
        Assert.Equal(50m, item.ComputedScore);
        Assert.Equal(90m, item.Score);
        Assert.Equal("李四", item.Override!.Author);
        Assert.Equal(90m, card.Total);
    }

    [Fact]
    public void Deductions_with_reasons_apply_last_and_never_go_below_zero()
    {
        var system = OneItem(Item("x", "x", "产出指标", "数量指标", 0, "≥95%", Direction.HigherIsBetter, "%", AtLeast(95)));
        ScoringInputs With(params decimal[] points) => Actual("x", 120m) with
        {
            Deductions = new Dictionary<string, IReadOnlyList<Deduction>> { ["x"] = [.. points.Select(p => new Deduction(p, "资料不全", "王五"))] },
        };
        var item = RulesEngine.Score(system, With(5m, 2.5m), Grades.Default).Item("x");
        Assert.Equal(100m, item.RuleScore);       // capped at the weight first
        Assert.Equal(92.5m, item.Score);          // then deducted
        Assert.Equal(["资料不全", "资料不全"], item.Deductions.Select(d => d.Reason));
        Assert.Equal(0m, RulesEngine.Score(system, With(150m), Grades.Default).Item("x").Score);
    }

    [Fact]
    public void Every_missed_item_is_a_deviation_with_its_gap_and_points_lost_until_noted()
    {
        var system = Of("d", ExactScoring.Symmetric,
            Item("a", "a", "产出指标", "数量指标", 50, "≥95%", Direction.HigherIsBetter, "%", AtLeast(95)),
            Item("b", "b", "产出指标", "质量指标", 50, "105%≥x≥95%", Direction.Range, "%", Between(95, 105)));
        var inputs = new ScoringInputs { Actuals = new Dictionary<string, decimal?> { ["a"] = 76m, ["b"] = 110m } };
        var card = RulesEngine.Score(system, inputs, Grades.Default);

        Assert.Equal(["a", "b"], card.Deviations.Select(d => d.Code));
        var a = card.Deviations[0];
        Assert.Equal("≥95%", a.Target);
        Assert.Equal(76m, a.Actual);
        Assert.Equal(-19m, a.MissedParts.Single().Gap);
        Assert.Equal(10m, a.PointsLost);           // 50 × 76 ÷ 95 = 40
        Assert.Equal(5m, card.Deviations[1].MissedParts.Single().Gap); // 110 − 105
        Assert.Equal(2.38m, card.Deviations[1].PointsLost);  // 50 × 5 ÷ 105 = 2.38…
        Assert.Equal(["a", "b"], card.MissingNotes);

        var noted = RulesEngine.Score(system, inputs with
        {
            Notes = new Dictionary<string, DeviationNote> { ["a"] = new("参保任务分解偏高，下年按实际户籍人口调整", "赵六") },
        }, Grades.Default);
        Assert.Equal(["b"], noted.MissingNotes);
        Assert.Equal(2, noted.Deviations.Count);
    }

    [Fact]
    public void The_walking_skeleton_system_scores_105_91_percent_as_100_优()
    {
        var system = OneItem(Item("income-budget-execution-rate", "收入预算执行率", "产出指标", "数量指标", 0, "≥95%",
            Direction.HigherIsBetter, "%", AtLeast(95)));
        var card = RulesEngine.Score(system, Actual("income-budget-execution-rate", 105.9063436530554903453710958m), Grades.Default);
        Assert.Equal(100.00m, card.Total);
        Assert.Equal("优", card.Grade);
    }
}
