using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Scoring.Domain;
using static PerfEval.Scoring.Tests.Systems;

namespace PerfEval.Scoring.Tests;

/// <summary>DOMAIN.md §5 "Where an actual comes from": computed, else declared (flagged), else nothing and 待定.</summary>
public class DeclaredActualScoringTests
{
    // 参保人数 computed from observations, 政策范围内报销比例 only declared (it lives in the settlement system).
    static IndicatorSystem Table() => Of("table", ExactScoring.AsHigherIsBetter,
        Item("insured", "参保人数", "产出指标", "数量指标", 50, "≥413449人", Direction.HigherIsBetter, "人", AtLeast(413449, "人")),
        Item("policy-ratio", "政策范围内住院费用报销比例", "产出指标", "质量指标", 50, "≥70%", Direction.HigherIsBetter, "%", AtLeast(70)));

    [Fact]
    public void A_declared_only_item_is_scored_on_its_declared_value_and_counted_as_unverified()
    {
        var card = RulesEngine.Score(Table(), new ScoringInputs
        {
            Actuals = new Dictionary<string, decimal?> { ["insured"] = 413449m },
            DeclaredActuals = new Dictionary<string, string> { ["policy-ratio"] = "68%" },
            DeclaredSources = new Dictionary<string, string> { ["policy-ratio"] = "医保结算系统 2020 年报" },
        }, Grades.Default);

        var declared = card.Item("policy-ratio");
        Assert.Equal((ActualOrigin.Declared, 68m, 48.57m), (declared.Origin, declared.Actual, declared.Score)); // 50 × 68 ÷ 70
        Assert.Equal("医保结算系统 2020 年报", declared.DeclaredSource);
        Assert.True(declared.Unverified);
        Assert.Equal(ActualOrigin.Computed, card.Item("insured").Origin);
        Assert.Equal(98.57m, card.Total);
        Assert.Equal(48.57m, card.UnverifiedPoints);
        Assert.Equal("优", card.Grade);
        Assert.True(card.IsComplete);
    }

    [Fact]
    public void A_computed_value_wins_over_the_declared_one_which_becomes_a_difference()
    {
        var card = RulesEngine.Score(Table(), new ScoringInputs
        {
            Actuals = new Dictionary<string, decimal?> { ["insured"] = 400000m, ["policy-ratio"] = 72m },
            DeclaredActuals = new Dictionary<string, string> { ["insured"] = "413449人" },
        }, Grades.Default);

        Assert.Equal((ActualOrigin.Computed, 400000m), (card.Item("insured").Origin, card.Item("insured").Actual));
        Assert.Equal(0m, card.UnverifiedPoints);
        Assert.Equal("insured", Assert.Single(card.DeclaredDifferences).Code);
    }

    [Fact]
    public void A_refused_declared_value_scores_0_and_keeps_the_declared_value_beside_it()
    {
        var card = RulesEngine.Score(Table(), new ScoringInputs
        {
            Actuals = new Dictionary<string, decimal?> { ["insured"] = 413449m },
            DeclaredActuals = new Dictionary<string, string> { ["policy-ratio"] = "68%" },
            Refusals = new Dictionary<string, Refusal> { ["policy-ratio"] = new("无结算系统佐证", "县财政局复核") },
        }, Grades.Default);

        var refused = card.Item("policy-ratio");
        Assert.Equal((0m, 68m, "无结算系统佐证"), (refused.Score, refused.Actual, refused.Refusal!.Reason));
        Assert.False(refused.Unverified);
        Assert.Equal((50m, 0m), (card.Total, card.UnverifiedPoints));
        Assert.Equal("差", card.Grade); // complete: a refusal is a decision, not a missing value
    }

    [Fact]
    public void An_item_with_neither_value_nor_refusal_leaves_the_scorecard_pending_never_差_on_zeros()
    {
        var card = RulesEngine.Score(Table(), new ScoringInputs
        {
            Actuals = new Dictionary<string, decimal?> { ["insured"] = 413449m },
        }, Grades.Default);

        Assert.Equal(Scorecard.PendingGrade, card.Grade);
        Assert.Equal(["policy-ratio"], card.Incomplete);
        Assert.Equal(50m, card.Total);
        Assert.False(card.IsComplete);
    }

    [Fact]
    public void A_qualitative_item_awaiting_judgment_leaves_it_pending_too()
    {
        var system = Of("q", ExactScoring.AsHigherIsBetter,
            Item("insured", "参保人数", "产出指标", "数量指标", 90, "≥1人", Direction.HigherIsBetter, "人", AtLeast(1, "人")),
            Item("relief", "减轻负担", "效益指标", "社会效益", 10, "有效缓解", Direction.Qualitative, "", Qualitative("有效缓解")));
        var card = RulesEngine.Score(system, new ScoringInputs { Actuals = new Dictionary<string, decimal?> { ["insured"] = 5m } }, Grades.Default);
        Assert.Equal((Scorecard.PendingGrade, 90m), (card.Grade, card.Total));
    }

    [Fact]
    public void Every_declared_actual_equal_to_its_target_is_a_finding_asking_for_evidence()
    {
        var system = Of("copied", ExactScoring.AsHigherIsBetter,
            Item("a", "参保人数", "产出指标", "数量指标", 40, "≥413449人", Direction.HigherIsBetter, "人", AtLeast(413449, "人")),
            Item("b", "享受待遇人数", "产出指标", "数量指标", 30, "≥55128人", Direction.HigherIsBetter, "人", AtLeast(55128, "人")),
            Item("c", "满意度", "满意度指标", "满意度", 30, "≥95%", Direction.HigherIsBetter, "%", AtLeast(95)));
        var typed = new Dictionary<string, string> { ["a"] = "413449人", ["b"] = "55128人", ["c"] = "95%" };

        var copied = RulesEngine.Score(system, new ScoringInputs { DeclaredActuals = typed }, Grades.Default);
        Assert.Contains("填报的3项实际完成值均与指标值完全相同，请提供佐证", copied.Findings);

        typed["c"] = "96.2%";
        Assert.DoesNotContain(RulesEngine.Score(system, new ScoringInputs { DeclaredActuals = typed }, Grades.Default).Findings,
            f => f.Contains("请提供佐证", StringComparison.Ordinal));
    }
}
