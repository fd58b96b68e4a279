using System.Text;
using PerfEval.Contracts.Events.V1;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Reporting.Domain;

namespace PerfEval.Reporting.Tests;

public class ReportModelBuilderTests
{
    static long Fen(decimal wanYuan) => JiashiExample.Fen(wanYuan);

    /// <summary>What the running chain gives today: the one-item skeleton scorecard and the ledger's balances.</summary>
    static ReportSources Jiashi() => new(new EvaluationScored
    {
        EvaluationKey = "653129/resident-fund/2020",
        RegionCode = "653129",
        SubjectCode = "resident-fund",
        FiscalYear = 2020,
        ScorecardVersion = 3,
        ValueVersion = 2,
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
    }, new GetBalancesResponse
    {
        LedgerVersion = 7,
        Subject = new EvaluationSubject
        {
            RegionCode = "653129", SubjectCode = "resident-fund", Kind = SubjectKind.ResidentFund,
            Name = "伽师县城乡居民基本医疗保险基金", RegionName = "伽师县",
        },
        Balances =
        {
            new AccountBalance { AccountCode = "1002", AccountName = "收入户存款", AccountClass = AccountClass.Asset, ActualFen = Fen(818.79m) },
            new AccountBalance { AccountCode = "3001", AccountName = "基金结余", AccountClass = AccountClass.NetAsset, ActualFen = Fen(29014.61m) },
            new AccountBalance { AccountCode = "4001", AccountName = "基本医疗保险费收入", AccountClass = AccountClass.Income, ActualFen = Fen(38154.63m), BudgetFen = Fen(36026.78m) },
            new AccountBalance { AccountCode = "5004", AccountName = "上解上级支出", AccountClass = AccountClass.Expenditure, ActualFen = Fen(45310.34m) },
            new AccountBalance { AccountCode = "5001", AccountName = "基本医疗保险待遇支出", AccountClass = AccountClass.Expenditure, ActualFen = Fen(21040.11m), BudgetFen = Fen(22087.64m) },
        },
    }, new DateOnly(2021, 2, 20));

    [Fact]
    public void Jiashi_2020_resident_income_executes_105_91_percent_of_budget()
    {
        var model = ReportModelBuilder.Build(Jiashi());
        Assert.Equal("105.91%", Display.Percent(model.Funds!.IncomeExecutionRate));
        Assert.Equal("收入预算执行率", model.Indicators[0].Name);
        Assert.Equal("105.91%", model.Indicators[0].Actual);
        Assert.Equal(100.00m, model.Total);
        Assert.Equal(new InputVersions(7, 2, 3), model.Inputs);
    }

    [Fact]
    public void Expenditure_executes_95_26_percent_with_the_unbudgeted_remittance_beside_it()
    {
        var funds = ReportModelBuilder.Build(Jiashi()).Funds!;
        Assert.Equal("95.26%", Display.Percent(funds.ExpenditureExecutionRate));
        Assert.Equal("45310.34", Display.Money(Assert.Single(funds.UnbudgetedSpending).ActualFen));
        Assert.Equal("-28195.82", Display.Money(funds.PeriodSurplusFen));
        Assert.Equal("818.79", Display.Money(funds.AccumulatedBalanceFen));
    }

    [Fact]
    public void The_header_is_the_budgeted_expenditure_and_the_initial_budget_is_not_invented()
    {
        var header = ReportModelBuilder.Build(Jiashi()).Budget;
        Assert.Null(header.InitialBudgetFen);
        Assert.Equal(Fen(22087.64m), header.FinalBudgetFen);
        Assert.Equal("95.26%", Display.Percent(header.ExecutionRate));
    }

    [Fact]
    public void Without_an_opening_balance_the_accumulated_balance_is_no_data()
    {
        var sources = Jiashi();
        sources.Balances.Balances.RemoveAt(1);
        var funds = ReportModelBuilder.Build(sources).Funds!;
        Assert.Null(funds.AccumulatedBalanceFen);
        Assert.Null(funds.MonthsOfPaymentCovered);
    }

    [Fact]
    public void An_item_without_a_value_says_so_and_is_listed_as_a_deviation()
    {
        var sources = Jiashi();
        sources.Scorecard.Items[0].Actual = "";
        sources.Scorecard.Items[0].Score = "";
        var model = ReportModelBuilder.Build(sources);
        var row = Assert.Single(model.Deviations);
        Assert.Equal("暂无数据", row.Actual);
        Assert.Equal("缺少计算所需数据", row.DeviationNote);
    }

    [Fact]
    public void The_chain_report_in_markdown_states_the_rate_and_grade()
    {
        var model = ReportModelBuilder.Build(Jiashi());
        var rendered = ReportRenderer.Render(model, ReportTemplates.Default);
        Assert.Equal(["xlsx", "docx", "html", "markdown"], rendered.Files.Select(f => f.Format));
        var text = Encoding.UTF8.GetString(rendered.Files.Single(f => f.Format == "markdown").Content);
        Assert.Contains("| 未分级 | 未分级 | 收入预算执行率 | ≥95% | 105.91% | 100 | 100.00 |", text);
        Assert.Contains("评价等级为“优”", text);
        Assert.Equal(rendered.ContentSha256, ReportRenderer.Render(model, ReportTemplates.Default).ContentSha256);
    }

    [Theory]
    [InlineData("105.905", "105.91")]
    [InlineData("99.994999", "99.99")]
    [InlineData("-0.005", "-0.01")]
    [InlineData("0", "0.00")]
    public void Values_display_with_two_decimals_half_away_from_zero(string value, string shown) =>
        Assert.Equal(shown, Display.Number(decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture)));
}
