using PerfEval.Contracts.Ledger.V1;
using PerfEval.Ledger.Domain;
using static PerfEval.Ledger.Tests.Seeds;
using static PerfEval.Testing.Jiashi2020;

namespace PerfEval.Ledger.Tests;

public class FundMetricsTests
{
    static (Dictionary<string, AccountMetrics> Accounts, FundSummary Summary) Metrics(params AccountFigures[][] subjects)
    {
        var (accounts, summary) = FundMetrics.Compute(Chart, FundMetrics.Consolidate(subjects.SelectMany(s => s)), hasPriorYear: true);
        return (accounts.ToDictionary(a => a.AccountCode), summary);
    }

    static decimal R(string value) => FundMetrics.Round2(value);

    [Fact]
    public void Jiashi_2020_resident_income_executes_105_91_percent_and_grows_3568_11_or_10_32_percent()
    {
        var income = Metrics(JiashiResident).Accounts["4"];
        Assert.Equal(Fen(38154.63m), income.ActualFen);
        Assert.Equal(Fen(36026.78m), income.BudgetFen);
        Assert.Equal(105.91m, R(income.BudgetExecutionRate));
        Assert.Equal(Fen(34586.52m), income.PriorYearActualFen);
        Assert.Equal(Fen(3568.11m), income.YearOverYearChangeFen);
        Assert.Equal(10.32m, R(income.YearOverYearGrowth));
    }

    [Fact]
    public void Jiashi_2020_employee_income_executes_100_33_percent() =>
        Assert.Equal(100.33m, R(Metrics(JiashiEmployee).Summary.IncomeBudgetExecutionRate));

    [Fact]
    public void Jiashi_2020_both_funds_income_50872_95_executes_104_46_percent()
    {
        var (accounts, summary) = Metrics(JiashiResident, JiashiEmployee);
        Assert.Equal(Fen(50872.95m), summary.IncomeFen);
        Assert.Equal(Fen(48702.65m), summary.IncomeBudgetFen);
        Assert.Equal(104.46m, R(summary.IncomeBudgetExecutionRate));
        Assert.Equal(104.46m, R(accounts["4"].BudgetExecutionRate));
    }

    [Fact]
    public void Jiashi_2020_balances_period_minus_43573_21_accumulated_5582_35()
    {
        var both = Metrics(JiashiResident, JiashiEmployee).Summary;
        Assert.Equal(Fen(-43573.21m), both.PeriodSurplusFen);
        Assert.Equal(Fen(5582.35m), both.AccumulatedBalanceFen);
        Assert.Equal(Fen(4763.56m) + Fen(818.79m), both.AccumulatedBalanceFen);

        var resident = Metrics(JiashiResident).Summary;
        Assert.Equal(Fen(-28195.82m), resident.PeriodSurplusFen);
        Assert.Equal(Fen(818.79m), resident.AccumulatedBalanceFen);
        var employee = Metrics(JiashiEmployee).Summary;
        Assert.Equal(Fen(-15377.39m), employee.PeriodSurplusFen);
        Assert.Equal(Fen(4763.56m), employee.AccumulatedBalanceFen);
    }

    [Fact]
    public void Jiashi_2020_resident_expenditure_executes_95_26_percent_with_45310_34_unbudgeted_beside_it()
    {
        var (accounts, summary) = Metrics(JiashiResident);
        Assert.Equal(95.26m, R(summary.ExpenditureBudgetExecutionRate));
        Assert.Equal(Fen(45310.34m), summary.UnbudgetedExpenditureFen);
        var expenditure = accounts["5"];
        Assert.Equal(Fen(66350.45m), expenditure.ActualFen);
        Assert.Equal(Fen(21040.11m), expenditure.BudgetedActualFen);
        Assert.Equal(Fen(45310.34m), expenditure.UnbudgetedActualFen);
        Assert.Equal(95.26m, R(expenditure.BudgetExecutionRate));
        Assert.False(accounts["5004"].HasBudgetFen);
        Assert.Contains("no budget line", accounts["5004"].NoValueReason);
    }

    [Fact]
    public void Jiashi_2020_both_funds_treatment_spending_executes_93_72_percent_with_upward_remittances_unbudgeted()
    {
        var (accounts, summary) = Metrics(JiashiResident, JiashiEmployee);
        Assert.Equal(Fen(26567.68m), accounts["5001"].ActualFen);
        Assert.Equal(Fen(28348.73m), accounts["5001"].BudgetFen);
        Assert.Equal(93.72m, R(accounts["5001"].BudgetExecutionRate));
        Assert.Equal(93.72m, R(summary.ExpenditureBudgetExecutionRate));
        Assert.Equal(Fen(45310.34m) + Fen(22563.34m), accounts["5004"].UnbudgetedActualFen);
        Assert.Equal(Fen(94446.16m), summary.ExpenditureFen);
    }

    [Fact]
    public void Jiashi_2020_summary_ratios_are_total_expenditure_over_budget()
    {
        // 300.39% / 333.16% / 448.74% and growth +319.31% / +115.04% come from whole totals (the
        // report truncates some and rounds others: 300.396…, 333.158…, 448.735…).
        static decimal WholeScope(AccountMetrics row) => row.ActualFen * 100m / row.BudgetFen;
        Assert.InRange(WholeScope(Metrics(JiashiResident).Accounts["5"]) - 300.39m, 0m, 0.01m);
        Assert.InRange(WholeScope(Metrics(JiashiResident, JiashiEmployee).Accounts["5"]) - 333.16m, -0.01m, 0m);
        Assert.Equal(448.74m, Math.Round(WholeScope(Metrics(JiashiEmployee).Accounts["5"]), 2, MidpointRounding.AwayFromZero));
        Assert.Equal(319.31m, R(Metrics(JiashiResident).Accounts["5"].YearOverYearGrowth));
        Assert.Equal(115.04m, R(Metrics(JiashiResident, JiashiEmployee).Accounts["5"].YearOverYearGrowth));
        Assert.Equal(Fen(50526.70m), Metrics(JiashiResident).Accounts["5"].YearOverYearChangeFen);
    }

    [Fact]
    public void Huaibei_2023_income_151043_14_in_shares_65_02_0_56_34_15_0_27()
    {
        var (accounts, summary) = Metrics(Huaibei);
        Assert.Equal(Fen(151043.14m), summary.IncomeFen);
        Assert.Equal(65.02m, R(accounts["4002"].Share));
        Assert.Equal(0.56m, R(accounts["4004"].Share));
        Assert.Equal(34.15m, R(accounts["4001"].Share));
        Assert.Equal(0.27m, R(accounts["4009"].Share));
        Assert.Equal(100m, R(accounts["4"].Share));
    }

    [Fact]
    public void Huaibei_2023_accumulated_79765_58_pays_6_46_months()
    {
        var summary = Metrics(Huaibei).Summary;
        Assert.Equal(Fen(148104.56m), summary.ExpenditureFen);
        Assert.Equal(Fen(79765.58m), summary.AccumulatedBalanceFen);
        Assert.Equal(6.46m, R(summary.MonthsOfPaymentCovered));
    }

    [Fact]
    public void Huaibei_2023_transfers_arrive_58278_less_707_and_29288_less_807()
    {
        var central = FundMetrics.Transfer(new TransferTotals(FundingLevel.Central, Fen(58278m), Fen(707m), null, 0, 0, ["皖财社〔2022〕1388号"]));
        var provincial = FundMetrics.Transfer(new TransferTotals(FundingLevel.Provincial, Fen(29288m), Fen(807m), null, 0, 0, []));
        var matching = FundMetrics.Transfer(new TransferTotals(FundingLevel.Municipal, 0, 0, null, Fen(9321.77m), Fen(9322.70m), []));
        Assert.Equal(Fen(57571m), central.ReceivedFen);
        Assert.Equal(Fen(28481m), provincial.ReceivedFen);
        Assert.Equal(98.79m, R(central.FundingArrivalRate));
        Assert.Equal(100.01m, R(matching.MatchingArrivalRate));
        Assert.Equal("", matching.FundingArrivalRate);
    }

    [Fact]
    public void A_budget_on_a_parent_covers_its_sub_accounts()
    {
        var (accounts, summary) = FundMetrics.Compute(Chart,
            [new("4001", 0, 1000), new("400101", 600), new("400102", 300), new("4004", 50)], hasPriorYear: false);
        var rows = accounts.ToDictionary(a => a.AccountCode);
        Assert.Equal(90m, decimal.Parse(rows["4001"].BudgetExecutionRate));
        Assert.Equal(900, rows["4"].BudgetedActualFen);
        Assert.Equal(50, rows["4"].UnbudgetedActualFen);
        Assert.False(rows["400101"].HasBudgetFen);
        Assert.Equal("90", summary.IncomeBudgetExecutionRate);
        Assert.False(rows["4"].HasPriorYearActualFen);
        Assert.Contains("prior year has no ledger", rows["4"].NoValueReason);
    }

    [Fact]
    public void A_zero_denominator_is_a_reason_not_a_zero()
    {
        var (accounts, summary) = FundMetrics.Compute(Chart, [new("4001", 500, 0)], hasPriorYear: false);
        Assert.Equal("", accounts.Single(a => a.AccountCode == "4001").BudgetExecutionRate);
        Assert.Contains("budget is 0", accounts.Single(a => a.AccountCode == "4001").NoValueReason);
        Assert.Equal("", summary.MonthsOfPaymentCovered);
        Assert.Contains("no expenditure", summary.NoValueReason);
    }

    [Fact]
    public void The_initial_budget_rolls_up_beside_the_final_one()
    {
        var (accounts, _) = FundMetrics.Compute(Chart, [new("5001", 10, 120, 100), new("5009", 5, 30, 30)], hasPriorYear: false);
        var group = accounts.Single(a => a.AccountCode == "5");
        Assert.Equal(150, group.BudgetFen);
        Assert.Equal(130, group.InitialBudgetFen);
    }
}

public class RegionCodesTests
{
    [Theory]
    [InlineData("650000", 1)]
    [InlineData("653100", 2)]
    [InlineData("653129", 3)]
    public void The_level_follows_the_code(string code, int level) => Assert.Equal(level, RegionCodes.Level(code));

    [Theory]
    [InlineData("653129", "653100", true)]
    [InlineData("653100", "650000", true)]
    [InlineData("650000", null, true)]
    [InlineData("429004", "420000", true)]
    [InlineData("653129", "650000", false)]
    [InlineData("340600", "650000", false)]
    [InlineData("653129", null, false)]
    public void A_parent_must_be_the_next_level_up(string code, string? parent, bool valid) =>
        Assert.Equal(valid, RegionCodes.CheckParent(code, parent) is null);

    [Theory]
    [InlineData("65312")]
    [InlineData("993129")]
    [InlineData("65312a")]
    public void A_bad_shape_is_refused(string code) => Assert.NotNull(RegionCodes.CheckShape(code));
}

public partial class SeededRegionsTests
{
    [System.Text.RegularExpressions.GeneratedRegex(@"\('(?<code>\d{6})', '[^']+', (?:'(?<parent>\d{6})'|null)\)")]
    private static partial System.Text.RegularExpressions.Regex RegionRow();

    [Fact]
    public void Every_seeded_region_has_a_good_code_and_its_parent_one_level_up()
    {
        using var stream = typeof(FundMetrics).Assembly.GetManifestResourceNames()
            .Where(n => n.EndsWith("0001_ledger.sql", StringComparison.Ordinal))
            .Select(n => typeof(FundMetrics).Assembly.GetManifestResourceStream(n)!).Single();
        var sql = new StreamReader(stream).ReadToEnd();
        var rows = RegionRow().Matches(sql).Select(m => (Code: m.Groups["code"].Value, Parent: m.Groups["parent"].Success ? m.Groups["parent"].Value : null)).ToList();
        Assert.Equal(8, rows.Count);
        Assert.All(rows, r => Assert.Null(RegionCodes.CheckShape(r.Code)));
        Assert.All(rows, r => Assert.Null(RegionCodes.CheckParent(r.Code, r.Parent)));
    }
}
