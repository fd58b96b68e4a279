using System.Text;
using PerfEval.Contracts.Events.V1;
using PerfEval.Reporting.Domain;

namespace PerfEval.Reporting.Tests;

public class MarkdownReportTests
{
    static ReportInput Jiashi() => new(new EvaluationScored
    {
        EvaluationKey = "653129/resident-fund/2020",
        RegionCode = "653129",
        SubjectCode = "resident-fund",
        FiscalYear = 2020,
        ScorecardVersion = 3,
        Total = "100.00",
        Grade = "优",
        Items =
        {
            new ScoredItem
            {
                IndicatorCode = "income-budget-execution-rate", Name = "收入预算执行率", Target = "≥95%", Unit = "%",
                Actual = "105.90634365305549000", Weight = "100", Score = "100.00",
            },
        },
    }, "伽师县城乡居民基本医疗保险基金", "伽师县");

    [Fact]
    public void The_report_states_the_indicator_its_value_score_and_grade()
    {
        var text = Encoding.UTF8.GetString(MarkdownReport.Render(Jiashi()));
        Assert.Contains("# 伽师县城乡居民基本医疗保险基金 2020年度绩效自评报告", text);
        Assert.Contains("| 收入预算执行率 | ≥95% | 105.91% | 100 | 100.00 |", text);
        Assert.Contains("评价等级为“优”", text);
    }

    [Fact]
    public void The_same_input_renders_the_same_bytes() =>
        Assert.Equal(MarkdownReport.Render(Jiashi()), MarkdownReport.Render(Jiashi()));

    [Fact]
    public void An_item_without_a_value_says_so()
    {
        var input = Jiashi();
        input.Scorecard.Items[0].Actual = "";
        input.Scorecard.Items[0].Score = "";
        Assert.Contains("| 收入预算执行率 | ≥95% | 无数据 | 100 | — |", Encoding.UTF8.GetString(MarkdownReport.Render(input)));
    }

    [Theory]
    [InlineData("105.905", "105.91")]
    [InlineData("99.994999", "99.99")]
    [InlineData("0", "0.00")]
    public void Values_display_with_two_decimals_half_away_from_zero(string value, string shown) =>
        Assert.Equal(shown, MarkdownReport.DisplayValue(value));
}
