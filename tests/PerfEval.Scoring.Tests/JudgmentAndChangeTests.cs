using System.Globalization;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Events.V1;
using PerfEval.Contracts.Indicator.V1;
using ChangeCause = PerfEval.Contracts.Scoring.V1.ChangeCause;
using PerfEval.Scoring.Application;
using PerfEval.Scoring.Domain;
using static PerfEval.Scoring.Tests.Systems;

namespace PerfEval.Scoring.Tests;

public class JudgmentAndChangeTests
{
    static IndicatorSystem System() => Of("j", ExactScoring.Symmetric,
        Item("rate", "收入预算执行率", "产出指标", "数量指标", 80, "≥95%", Direction.HigherIsBetter, "%", AtLeast(95)),
        Item("q", "有所提高", "效益指标", "社会效益指标", 20, "有所提高", Direction.Qualitative, "", Qualitative("有所提高")));

    static EvaluationScored Scored(long version, long valueVersion, decimal? rate, params Judgment[] judgments)
    {
        var system = System();
        var values = new List<IndicatorValue> { new() { IndicatorCode = "rate", Value = rate?.ToString(CultureInfo.InvariantCulture) ?? "" } };
        var card = RulesEngine.Score(system, ScoringInputsBuilder.Build(values, judgments), Grades.Default);
        var scored = ScoringMessages.ToEvent(card, system, new EvaluationKey { RegionCode = "653129", SubjectCode = "resident-fund", FiscalYear = 2020 }, valueVersion, valueVersion * 10);
        scored.ScorecardVersion = version;
        return scored;
    }

    [Theory]
    [InlineData(QualitativeBand.Achieved, 15.9, "score")]
    [InlineData(QualitativeBand.PartlyAchieved, 16, "score")]
    [InlineData(QualitativeBand.NotAchieved, 12, "score")]
    public void An_out_of_band_assessment_is_refused_naming_the_score(QualitativeBand band, decimal score, string field) =>
        Assert.Equal(field, ScoringInputsBuilder.Check(System(), new Judgment(JudgmentKind.Assessment, "q", band, score, "说明", "张三"))?.Field);

    [Fact]
    public void Judgments_are_checked_against_their_item()
    {
        Assert.Null(ScoringInputsBuilder.Check(System(), new Judgment(JudgmentKind.Assessment, "q", QualitativeBand.Achieved, 16, "说明", "张三")));
        Assert.Equal("indicator_code",
            ScoringInputsBuilder.Check(System(), new Judgment(JudgmentKind.Assessment, "rate", QualitativeBand.Achieved, 70, "说明", "张三"))?.Field);
        Assert.Equal("score", ScoringInputsBuilder.Check(System(), new Judgment(JudgmentKind.Override, "rate", null, 80.01m, "原因", "张三"))?.Field);
        Assert.Equal("indicator_code", ScoringInputsBuilder.Check(System(), new Judgment(JudgmentKind.DeviationNote, "nope", null, null, "说明", "张三"))?.Field);
    }

    [Fact]
    public void The_latest_judgment_of_a_kind_replaces_the_earlier_and_deductions_add_up()
    {
        var inputs = ScoringInputsBuilder.Build([], [
            new Judgment(JudgmentKind.Override, "rate", null, 50m, "初评", "张三"),
            new Judgment(JudgmentKind.Override, "rate", null, 60m, "复核", "李四"),
            new Judgment(JudgmentKind.Deduction, "q", null, 1m, "资料缺失", "张三"),
            new Judgment(JudgmentKind.Deduction, "q", null, 2m, "逾期", "李四"),
        ]);
        Assert.Equal(new ScoreOverride(60m, "李四", "复核"), inputs.Overrides["rate"]);
        Assert.Equal(3m, inputs.Deductions["q"].Sum(d => d.Points));
    }

    [Fact]
    public void A_changed_actual_is_explained_as_a_value_change_between_the_value_and_ledger_versions()
    {
        var assessed = new Judgment(JudgmentKind.Assessment, "q", QualitativeBand.Achieved, 20m, "显著提高", "张三");
        var from = Scored(1, 1, 76m, assessed);
        var to = Scored(2, 2, 95m, assessed);
        var explained = ChangeExplainer.Explain(from, to);

        Assert.Equal("84.00", explained.FromTotal); // 80 × 76 ÷ 95 = 64, + 20
        Assert.Equal("100.00", explained.ToTotal);
        Assert.Equal("16.00", explained.TotalDelta);
        Assert.Equal((1, 2, 10, 20), (explained.FromValueVersion, explained.ToValueVersion, explained.FromLedgerVersion, explained.ToLedgerVersion));
        var change = Assert.Single(explained.Items);
        Assert.Equal("rate", change.IndicatorCode);
        Assert.Equal(("76", "95"), (change.FromActual, change.ToActual));
        Assert.Equal("16.00", change.ScoreDelta);
        Assert.Equal([ChangeCause.Value], change.Causes);
    }

    [Fact]
    public void With_lineage_a_value_change_names_the_postings_or_observations_that_moved_it()
    {
        var from = Scored(1, 1, 76m);
        var to = Scored(2, 2, 95m);
        var before = new Dictionary<string, IReadOnlyList<ChangeExplainer.LineageInput>>
        {
            ["rate"] = [new("ledger:executed:income", "76000000", "ledger version 10"), new("ledger:budget:income", "100000000", "ledger version 3")],
        };
        var after = new Dictionary<string, IReadOnlyList<ChangeExplainer.LineageInput>>
        {
            ["rate"] = [new("ledger:executed:income", "95000000", "ledger version 20"), new("ledger:budget:income", "100000000", "ledger version 3")],
        };
        var moved = Assert.Single(Assert.Single(ChangeExplainer.Explain(from, to, before, after).Items).MovedInputs);
        Assert.Equal(("ledger:executed:income", "76000000", "95000000", "ledger version 20"), (moved.Key, moved.FromValue, moved.ToValue, moved.Source));
    }

    [Fact]
    public void An_assessment_is_explained_as_such()
    {
        var from = Scored(1, 1, 95m);
        var to = Scored(2, 1, 95m, new Judgment(JudgmentKind.Assessment, "q", QualitativeBand.PartlyAchieved, 13m, "部分提高", "张三"));
        var change = Assert.Single(ChangeExplainer.Explain(from, to).Items);
        Assert.Equal("q", change.IndicatorCode);
        Assert.Equal("", change.FromScore);
        Assert.Equal("13.00", change.ToScore);
        Assert.Equal("13.00", change.ScoreDelta);
        Assert.Contains(ChangeCause.Assessment, change.Causes);
        Assert.DoesNotContain(ChangeCause.Value, change.Causes);
    }

    [Fact]
    public void The_wire_form_carries_subtotals_deviations_and_missing_notes()
    {
        var scored = Scored(1, 1, 76m);
        Assert.Equal(["产出指标", "效益指标"], scored.Level1Subtotals.Select(s => s.Level1));
        Assert.Equal("64.00", scored.Level1Subtotals[0].Score);
        var deviation = Assert.Single(scored.Deviations);
        Assert.Equal(("rate", "-19", "16.00"), (deviation.IndicatorCode, deviation.Gaps.Single(), deviation.PointsLost));
        Assert.Equal(["rate"], scored.MissingNoteCodes);
        Assert.Equal("awaiting an assessor's judgment", scored.Items.Single(i => i.IndicatorCode == "q").NoValueReason);
    }

    [Fact]
    public void The_event_carries_the_exact_scoring_as_an_enum_and_an_older_version_stored_as_text_answers_its_systems()
    {
        Assert.Equal(ExactScoring.Symmetric, Scored(1, 1, 76m).ExactScoring);

        // A version stored while exact_scoring was text parses with the field unknown, so unspecified.
        var older = Scored(1, 1, 76m);
        older.ExactScoring = ExactScoring.Unspecified;
        var system = System();
        system.ExactScoring = ExactScoring.AsHigherIsBetter;
        Assert.Equal(ExactScoring.AsHigherIsBetter, ScoringMessages.ScorecardResponse(older, system).ExactScoring);
        Assert.Equal(ExactScoring.Symmetric, ScoringMessages.ScorecardResponse(older, null).ExactScoring);
    }
}
