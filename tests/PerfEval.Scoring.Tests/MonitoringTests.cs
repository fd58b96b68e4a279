using System.Globalization;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Scoring.Domain;
using static PerfEval.Scoring.Tests.Systems;

namespace PerfEval.Scoring.Tests;

public class MonitoringTests
{
    static readonly IndicatorSystem System = Of("m", ExactScoring.Symmetric,
        Item("income-budget-execution-rate", "收入预算执行率", "产出指标", "数量指标", 40, "105%≥x≥95%", Direction.Range, "%", Between(95, 105)),
        Item("insured-persons", "参保人数", "产出指标", "数量指标", 30, "≥413449人", Direction.HigherIsBetter, "人", AtLeast(413449, "人")),
        Item("reimbursement", "政策范围内报销比例", "产出指标", "质量指标", 20, "≥68%", Direction.HigherIsBetter, "%", AtLeast(68)),
        Item("q", "有所提高", "效益指标", "社会效益指标", 10, "有所提高", Direction.Qualitative, "", Qualitative("有所提高")));

    static IReadOnlyList<MonitoredItem> At(string date, decimal rate, decimal insured, decimal reimbursement) =>
        InYearMonitoring.Assess(System, new Dictionary<string, decimal?>
        {
            ["income-budget-execution-rate"] = rate, ["insured-persons"] = insured, ["reimbursement"] = reimbursement,
        }, DateOnly.Parse(date, CultureInfo.InvariantCulture), 2020, new MonitoringThresholds());

    [Theory]
    [InlineData("2020-06-30", 6)]
    [InlineData("2020-06-29", 5)]
    [InlineData("2020-01-15", 0)]
    [InlineData("2020-12-31", 12)]
    [InlineData("2021-02-01", 12)]
    public void Budget_execution_counts_completed_months(string date, int months) =>
        Assert.Equal(months, InYearMonitoring.CompletedMonths(DateOnly.Parse(date, CultureInfo.InvariantCulture), 2020));

    [Fact]
    public void In_July_budget_execution_is_measured_against_half_the_lower_bound()
    {
        var items = At("2020-06-30", 47.5m, 206725m, 68m).ToDictionary(i => i.Code);
        var rate = items["income-budget-execution-rate"];
        Assert.Equal(47.5m, rate.ProratedTarget);          // 95 × 6 ÷ 12
        Assert.Equal(MonitoringStatus.Green, rate.Status);
        Assert.Equal(MonitoringStatus.Yellow, At("2020-06-30", 38m, 206725m, 68m).Single(i => i.Code == "income-budget-execution-rate").Status); // 80%
        Assert.Equal(MonitoringStatus.Red, At("2020-06-30", 37.99m, 206725m, 68m).Single(i => i.Code == "income-budget-execution-rate").Status);
    }

    [Fact]
    public void Counts_accumulate_with_the_calendar_and_rates_face_the_full_target()
    {
        // 2020-07-01 is day 183 of 366: half the year.
        var items = At("2020-07-01", 50m, 206724.5m * 0.8m, 54.4m).ToDictionary(i => i.Code);
        Assert.Equal(413449m * 183 / 366, items["insured-persons"].ProratedTarget);
        Assert.Equal(MonitoringStatus.Yellow, items["insured-persons"].Status);  // exactly 80% of the pro-rated target
        Assert.Equal(68m, items["reimbursement"].ProratedTarget);
        Assert.Equal(MonitoringStatus.Yellow, items["reimbursement"].Status);    // 54.4 = 80% of 68
        Assert.Null(items["q"].Status);
    }

    [Fact]
    public void Thresholds_are_configurable()
    {
        var strict = new MonitoringThresholds { GreenAtPercent = 110m, YellowAtPercent = 95m };
        Assert.Equal(MonitoringStatus.Yellow, InYearMonitoring.StatusOf(100m, strict));
        Assert.Equal(MonitoringStatus.Red, InYearMonitoring.StatusOf(94.9m, strict));
        Assert.Equal(MonitoringStatus.Green, InYearMonitoring.StatusOf(110m, strict));
    }
}
