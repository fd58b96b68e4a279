using PerfEval.Contracts.Ledger.V1;

namespace PerfEval.Indicator.Domain;

/// <summary>收入预算执行率: income actual ÷ income budget, over the income accounts that have a budget line.</summary>
public static class BudgetExecution
{
    public const string IncomeRateCode = "income-budget-execution-rate";
    public const string IncomeRateName = "收入预算执行率";

    public static IndicatorResult IncomeRate(IEnumerable<AccountBalance> balances)
    {
        // Accounts without a budget line are left out of both sides (DOMAIN.md §2: like for like).
        var budgeted = balances.Where(b => b.AccountClass == AccountClass.Income && b.HasBudgetFen).ToList();
        var inputs = budgeted
            .SelectMany(b => new[]
            {
                new IndicatorInput($"ledger:{b.AccountCode}:actual", $"{b.AccountName} 执行数", b.ActualFen),
                new IndicatorInput($"ledger:{b.AccountCode}:budget", $"{b.AccountName} 预算数", b.BudgetFen),
            })
            .ToList();

        if (budgeted.Count == 0)
            return new IndicatorResult(IncomeRateCode, IncomeRateName, "%", null, "no income account has a budget line", inputs);

        var budget = budgeted.Sum(b => (decimal)b.BudgetFen);
        if (budget == 0)
            return new IndicatorResult(IncomeRateCode, IncomeRateName, "%", null, "zero denominator: the budgeted income is 0", inputs);

        var actual = budgeted.Sum(b => (decimal)b.ActualFen);
        return new IndicatorResult(IncomeRateCode, IncomeRateName, "%", actual * 100m / budget, "", inputs);
    }
}
