using PerfEval.Contracts.Ledger.V1;
using PerfEval.Ledger.Domain;
using static PerfEval.Ledger.Tests.Seeds;
using static PerfEval.Testing.Jiashi2020;

namespace PerfEval.Ledger.Tests;

/// <summary>Every case of DOMAIN.md §7 that concerns money, with both numbers and the difference.</summary>
public class ReconciliationTests
{
    const long WanYuanCents = 10_000; // a figure written in 万元 with two decimals

    static LedgerView View(params AccountFigures[][] subjects)
    {
        var (accounts, summary) = FundMetrics.Compute(Chart, FundMetrics.Consolidate(subjects.SelectMany(s => s)), hasPriorYear: true);
        return new LedgerView(accounts.ToDictionary(a => a.AccountCode), summary, true);
    }

    static DeclaredFigure Money(string id, FigureMeasure measure, string account, decimal wanYuan, string total = "", string label = "",
        params string[] consolidate) => new()
    {
        FigureId = id, Measure = measure, AccountCode = account, AmountFen = Fen(wanYuan), PrecisionFen = WanYuanCents,
        TotalFigureId = total, Label = label, ConsolidateSubjectCodes = { consolidate },
    };

    static DeclaredFigure Ratio(string id, FigureMeasure measure, string account, string value, params string[] consolidate) => new()
    {
        FigureId = id, Measure = measure, AccountCode = account, Value = value, ConsolidateSubjectCodes = { consolidate },
    };

    static List<ReconciliationFinding> Jiashi(params DeclaredFigure[] figures) => Reconciliation.Reconcile(figures, "resident-fund",
        new Dictionary<string, LedgerView>
        {
            ["resident-fund"] = View(JiashiResident),
            ["employee-fund+resident-fund"] = View(JiashiResident, JiashiEmployee),
        });

    static List<ReconciliationFinding> JiashiEmployeeFund(params DeclaredFigure[] figures) => Reconciliation.Reconcile(figures, "employee-fund",
        new Dictionary<string, LedgerView> { ["employee-fund"] = View(JiashiEmployee) });

    static List<ReconciliationFinding> HuaibeiFund(params DeclaredFigure[] figures) => Reconciliation.Reconcile(figures, "resident-fund",
        new Dictionary<string, LedgerView> { ["resident-fund"] = View(Huaibei) });

    static void AssertNumbers(ReconciliationFinding finding, decimal declaredWanYuan, decimal comparedWanYuan, decimal differenceWanYuan)
    {
        Assert.Equal("fen", finding.Unit);
        Assert.Equal(Fen(declaredWanYuan), long.Parse(finding.Declared));
        Assert.Equal(Fen(comparedWanYuan), long.Parse(finding.Compared));
        Assert.Equal(Fen(differenceWanYuan), long.Parse(finding.Difference));
    }

    static readonly DeclaredFigure[] HuaibeiIncome =
    [
        Money("income", FigureMeasure.Actual, "4", 150959.39m, label: "基金收入"),
        Money("subsidy", FigureMeasure.Actual, "4002", 98205.10m, "income", "财政补贴收入"),
        Money("interest", FigureMeasure.Actual, "4004", 850.53m, "income", "利息收入"),
        Money("premiums", FigureMeasure.Actual, "4001", 51582.29m, "income", "保费收入"),
        Money("other", FigureMeasure.Actual, "4009", 405.22m, "income", "其他收入"),
    ];

    [Fact]
    public void Huaibei_2023_income_lines_sum_to_151043_14_not_the_stated_150959_39()
    {
        var finding = Assert.Single(HuaibeiFund(HuaibeiIncome), f => f.Kind == FindingKind.PartsDoNotSum);
        AssertNumbers(finding, 151043.14m, 150959.39m, 83.75m);
        Assert.Contains("income", finding.FigureIds);
    }

    [Fact]
    public void Huaibei_2023_stated_income_differs_from_the_ledger_by_83_75_and_its_parts_agree()
    {
        var finding = Assert.Single(HuaibeiFund(HuaibeiIncome), f => f.Kind == FindingKind.DiffersFromLedger);
        AssertNumbers(finding, 150959.39m, 151043.14m, -83.75m);
        Assert.Equal(["income"], finding.FigureIds);
    }

    [Fact]
    public void Jiashi_2020_employee_income_breakdown_11718_31_misses_the_total_12718_32_by_1000_01()
    {
        var findings = JiashiEmployeeFund(
            Money("income", FigureMeasure.Actual, "4", 12718.32m, label: "基金收入"),
            Money("premiums", FigureMeasure.Actual, "4001", 11417.27m, "income"),
            Money("interest", FigureMeasure.Actual, "4004", 284m, "income"),
            Money("transfer", FigureMeasure.Actual, "4006", 0.31m, "income"),
            Money("other", FigureMeasure.Actual, "4009", 16.73m, "income"));
        AssertNumbers(Assert.Single(findings, f => f.Kind == FindingKind.PartsDoNotSum), 11718.31m, 12718.32m, -1000.01m);
    }

    [Fact]
    public void Huaibei_2023_stated_balance_minus_4244_9_contradicts_income_less_expenditure_2854_83()
    {
        var findings = HuaibeiFund(
            Money("income", FigureMeasure.Actual, "4", 150959.39m),
            Money("expenditure", FigureMeasure.Actual, "5", 148104.56m),
            Money("balance", FigureMeasure.PeriodSurplus, "", -4244.90m, label: "当年基金结余"));
        AssertNumbers(Assert.Single(findings, f => f.Kind == FindingKind.BalanceContradicts), -4244.90m, 2854.83m, -7099.73m);
    }

    [Fact]
    public void Huaibei_2023_two_income_figures_are_7099_73_apart()
    {
        var findings = HuaibeiFund(
            Money("income", FigureMeasure.Actual, "4", 150959.39m, label: "基金收入"),
            Money("income-text", FigureMeasure.Actual, "4", 143859.66m, label: "居民医保基金收入 14.39亿元"));
        var finding = Assert.Single(findings, f => f.Kind == FindingKind.ConflictingDeclarations);
        AssertNumbers(finding, 150959.39m, 143859.66m, 7099.73m);
        Assert.Equal(["income", "income-text"], finding.FigureIds);
    }

    [Theory]
    [InlineData("300.39", false)]
    [InlineData("333.16", true)]
    public void Jiashi_2020_expenditure_execution_over_the_whole_total_is_a_ratio_over_the_wrong_scope(string declared, bool bothFunds)
    {
        var figure = bothFunds
            ? Ratio("rate", FigureMeasure.BudgetExecutionRate, "5", declared, "employee-fund")
            : Ratio("rate", FigureMeasure.BudgetExecutionRate, "5", declared);
        var finding = Assert.Single(Jiashi(figure), f => f.Kind == FindingKind.RatioOverWrongScope);
        Assert.Equal("%", finding.Unit);
        Assert.Equal(decimal.Parse(declared), decimal.Parse(finding.Declared));
        var likeForLike = bothFunds ? 93.72m : 95.26m;
        Assert.Equal(likeForLike, FundMetrics.Round2(finding.Compared));
        Assert.Equal(decimal.Parse(declared) - decimal.Parse(finding.Compared), decimal.Parse(finding.Difference));
        Assert.Contains(bothFunds ? "67878.48" : "45310.34", finding.Message);
        // The Chinese explanation stands alone for a report; the English gloss follows it only in message.
        Assert.Equal($"{finding.ChineseMessage} (ratio over a different scope than its budget)", finding.Message);
    }

    [Fact]
    public void Jiashi_2020_like_for_like_execution_rates_agree_with_the_ledger()
    {
        var findings = Jiashi(
            Ratio("resident", FigureMeasure.BudgetExecutionRate, "5001", "95.26"),
            Ratio("both", FigureMeasure.BudgetExecutionRate, "5001", "93.72", "employee-fund"),
            Ratio("income", FigureMeasure.BudgetExecutionRate, "4", "105.91"));
        Assert.DoesNotContain(findings, f => f.Kind is FindingKind.DiffersFromLedger or FindingKind.RatioOverWrongScope);
    }

    [Fact]
    public void Jiashi_2020_typed_100_percent_execution_matches_neither_figure()
    {
        var finding = Assert.Single(Jiashi(Ratio("typed", FigureMeasure.BudgetExecutionRate, "5", "100")), f => f.Kind == FindingKind.DiffersFromLedger);
        Assert.Equal(100m, decimal.Parse(finding.Declared));
        Assert.Equal(95.26m, FundMetrics.Round2(finding.Compared));
        Assert.Equal(4.74m, FundMetrics.Round2(finding.Difference));
    }

    [Fact]
    public void Jiashi_2020_employee_balance_minus_15377_38_is_a_cent_off_minus_15377_39()
    {
        var findings = JiashiEmployeeFund(
            Money("income", FigureMeasure.Actual, "4", 12718.32m),
            Money("expenditure", FigureMeasure.Actual, "5", 28095.71m),
            Money("balance", FigureMeasure.PeriodSurplus, "", -15377.38m));
        AssertNumbers(Assert.Single(findings, f => f.Kind == FindingKind.BalanceContradicts), -15377.38m, -15377.39m, 0.01m);
        // Against the ledger it agrees within the one-cent granularity of 万元 with two decimals? No: 0.01 万元 is the granularity, so it differs.
        AssertNumbers(Assert.Single(findings, f => f.Kind == FindingKind.DiffersFromLedger), -15377.38m, -15377.39m, 0.01m);
    }

    [Fact]
    public void Jiashi_2020_employee_expenditure_parts_28095_70_miss_the_stated_28095_71()
    {
        var findings = JiashiEmployeeFund(
            Money("expenditure", FigureMeasure.Actual, "5", 28095.71m),
            Money("treatment", FigureMeasure.Actual, "5001", 5527.57m, "expenditure"),
            Money("transfer", FigureMeasure.Actual, "5005", 4.79m, "expenditure"),
            Money("remittance", FigureMeasure.Actual, "5004", 22563.34m, "expenditure"));
        AssertNumbers(Assert.Single(findings, f => f.Kind == FindingKind.PartsDoNotSum), 28095.70m, 28095.71m, -0.01m);
        AssertNumbers(Assert.Single(findings, f => f.Kind == FindingKind.DiffersFromLedger), 4.79m, 4.80m, -0.01m);
    }

    [Fact]
    public void Jiashi_2020_employee_year_copies_2019_line_for_line()
    {
        var findings = JiashiEmployeeFund(
            Money("income-2020", FigureMeasure.Actual, "4", 12718.32m),
            Money("expenditure-2020", FigureMeasure.Actual, "5", 28095.71m),
            Money("income-2019", FigureMeasure.PriorYearActual, "4", 12718.32m),
            Money("expenditure-2019", FigureMeasure.PriorYearActual, "5", 28095.71m));
        var finding = Assert.Single(findings, f => f.Kind == FindingKind.CopiedPriorYear);
        Assert.Equal("0", finding.Difference);
        Assert.Equal(["income-2020", "income-2019", "expenditure-2020", "expenditure-2019"], finding.FigureIds);
    }

    [Fact]
    public void A_year_that_differs_from_the_prior_one_is_not_a_copy() =>
        Assert.DoesNotContain(Jiashi(
            Money("income-2020", FigureMeasure.Actual, "4", 38154.63m),
            Money("expenditure-2020", FigureMeasure.Actual, "5", 66350.45m),
            Money("income-2019", FigureMeasure.PriorYearActual, "4", 34586.52m),
            Money("expenditure-2019", FigureMeasure.PriorYearActual, "5", 15823.75m)), f => f.Kind == FindingKind.CopiedPriorYear);

    [Fact]
    public void Jiashi_2020_upward_remittances_are_unbudgeted_spending()
    {
        var resident = Assert.Single(Jiashi(), f => f.Kind == FindingKind.UnbudgetedSpending);
        Assert.Equal("5004", resident.AccountCode);
        AssertNumbers(resident, 45310.34m, 0m, 45310.34m);
        var employee = JiashiEmployeeFund().Where(f => f.Kind == FindingKind.UnbudgetedSpending).ToList();
        Assert.Equal(["5004", "5005"], employee.Select(f => f.AccountCode));
        Assert.Equal(Fen(22563.34m), long.Parse(employee[0].Declared));
    }

    [Fact]
    public void Huaibei_2023_stated_shares_65_05_and_34_17_differ_from_the_ledger_and_6_4_months_agrees()
    {
        var findings = HuaibeiFund(
            Ratio("subsidy-share", FigureMeasure.Share, "4002", "65.05"),
            Ratio("interest-share", FigureMeasure.Share, "4004", "0.56"),
            Ratio("premium-share", FigureMeasure.Share, "4001", "34.17"),
            Ratio("other-share", FigureMeasure.Share, "4009", "0.27"),
            Ratio("months", FigureMeasure.MonthsOfPaymentCovered, "", "6.4"),
            Money("accumulated", FigureMeasure.AccumulatedBalance, "", 79765.58m));
        var differing = findings.Where(f => f.Kind == FindingKind.DiffersFromLedger).ToList();
        Assert.Equal(["subsidy-share", "premium-share"], differing.Select(f => f.FigureIds.Single()));
        Assert.Equal(65.02m, FundMetrics.Round2(differing[0].Compared));
        Assert.Equal(0.03m, FundMetrics.Round2(differing[0].Difference));
        Assert.Equal(34.15m, FundMetrics.Round2(differing[1].Compared));
    }

    [Fact]
    public void A_figure_in_yuan_instead_of_wan_yuan_differs_from_the_ledger_by_the_factor()
    {
        // Unit slip: 38154.63 万元 typed where 元 were meant shows as a huge difference, never silently accepted.
        var finding = Assert.Single(Jiashi(Money("income", FigureMeasure.Actual, "4", 3.815463m)), f => f.Kind == FindingKind.DiffersFromLedger);
        Assert.Equal(Fen(38154.63m), long.Parse(finding.Compared));
    }

    [Fact]
    public void Ratios_agree_within_one_unit_of_the_last_written_digit()
    {
        Assert.Equal(0.01m, Reconciliation.Unit("300.39"));
        Assert.Equal(0.1m, Reconciliation.Unit("6.4"));
        Assert.Equal(1m, Reconciliation.Unit("100"));
    }
}
