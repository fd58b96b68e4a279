using PerfEval.Indicator.Domain;

namespace PerfEval.Indicator.Tests;

/// <summary>
/// budget() and executed() read the ledger's fund metrics (GetFundMetrics), the one owner of budget
/// coverage: a budget line on an account covers it and everything under it.
/// </summary>
public class BudgetExecutionSourceTests
{
    // 5001 基本医疗保险待遇支出 budgeted at the group, spent on its two children; 5004 上解上级支出 unbudgeted.
    static readonly AccountFact[] Accounts =
    [
        new("4001", "基本医疗保险费收入", "income", 110_00),
        new("500101", "住院待遇支出", "expenditure", 60_00),
        new("500102", "门诊待遇支出", "expenditure", 30_00),
        new("5004", "上解上级支出", "expenditure", 50_00),
    ];

    // What the ledger answers for that chart: the group row carries its line and the children's spending.
    static readonly BudgetCoverage[] Coverage =
    [
        new("4001", "", "income", 100_00, 110_00),
        new("5001", "", "expenditure", 100_00, 90_00),
        new("500101", "5001", "expenditure", null, 0),
        new("500102", "5001", "expenditure", null, 0),
        new("5004", "", "expenditure", null, 0),
    ];

    static EvaluationFacts Facts(IReadOnlyList<BudgetCoverage> coverage) =>
        new("resident-fund", 7, Accounts, 0, null, []) { Budgets = coverage };

    [Fact]
    public void A_budget_line_on_a_group_covers_the_spending_under_it()
    {
        var values = IndicatorEngine.Evaluate(Jiashi.BuiltIn("resident-fund"), Facts(Coverage), null).State.Values;

        // 90 spent under 5001 of its 100 budget; 上解上级支出 stays out of the rate.
        Assert.Equal(0.9m, values["expenditure-budget-execution-rate"].Value / 100m);
        Assert.Equal(1.1m, values["income-budget-execution-rate"].Value / 100m);
    }

    [Fact]
    public void The_rate_is_the_ledger_answer_not_a_sum_of_balances()
    {
        // The same balances with a ledger that reports a different coverage give the ledger's figure:
        // the indicator never re-derives which spending a budget covers.
        BudgetCoverage[] other = [Coverage[0], Coverage[1] with { BudgetedActualFen = 45_00 }, .. Coverage[2..]];
        var values = IndicatorEngine.Evaluate(Jiashi.BuiltIn("resident-fund"), Facts(other), null).State.Values;
        Assert.Equal(0.45m, values["expenditure-budget-execution-rate"].Value / 100m);
    }

    [Fact]
    public void Without_any_covering_line_the_rate_has_no_value()
    {
        var values = IndicatorEngine.Evaluate(Jiashi.BuiltIn("resident-fund"), Facts([]), null).State.Values;
        var rate = values["expenditure-budget-execution-rate"];
        Assert.Null(rate.Value);
        Assert.Equal(MissingInputKind.BudgetLine, Assert.Single(rate.MissingInputs).Kind);
    }

    [Fact]
    public void A_class_reads_its_top_level_rows_once()
    {
        var state = IndicatorEngine.Evaluate(Jiashi.BuiltIn("resident-fund"), Facts(Coverage), null).State;
        // The group's line counts once, not again through the child rows under it.
        Assert.Equal(100m, state.Leaves["ledger:budget:expenditure"].Value);
        Assert.Equal(90m, state.Leaves["ledger:executed:expenditure"].Value);
    }
}
