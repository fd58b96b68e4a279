using PerfEval.Contracts.Ledger.V1;
using PerfEval.Indicator.Domain;

namespace PerfEval.Indicator.Tests;

public class BudgetExecutionTests
{
    static AccountBalance Income(string code, long actualFen, long? budgetFen)
    {
        var balance = new AccountBalance { AccountCode = code, AccountName = code, AccountClass = AccountClass.Income, ActualFen = actualFen, CreditFen = actualFen };
        if (budgetFen is { } b)
            balance.BudgetFen = b;
        return balance;
    }

    [Fact]
    public void Jiashi_2020_resident_income_executes_105_91_percent_of_budget()
    {
        var result = BudgetExecution.IncomeRate([Income("4001", 38_154_630_000, 36_026_780_000)]);
        Assert.NotNull(result.Value);
        Assert.Equal(105.91m, Math.Round(result.Value!.Value, 2, MidpointRounding.AwayFromZero));
        Assert.StartsWith("105.9063", result.ValueText);
        Assert.Equal(2, result.Inputs.Count);
    }

    [Fact]
    public void Income_without_a_budget_line_stays_out_of_the_rate()
    {
        var result = BudgetExecution.IncomeRate([Income("4001", 50, 100), Income("4004", 1_000, null)]);
        Assert.Equal(50m, result.Value);
    }

    [Fact]
    public void No_budget_line_means_no_value_not_zero()
    {
        var result = BudgetExecution.IncomeRate([Income("4001", 50, null)]);
        Assert.Null(result.Value);
        Assert.Equal("", result.ValueText);
        Assert.NotEmpty(result.NoValueReason);
    }

    [Fact]
    public void A_zero_budget_is_a_finding_not_a_number()
    {
        var result = BudgetExecution.IncomeRate([Income("4001", 50, 0)]);
        Assert.Null(result.Value);
        Assert.Contains("zero denominator", result.NoValueReason);
    }

    [Fact]
    public void Expenditure_accounts_do_not_count_as_income()
    {
        var spending = new AccountBalance { AccountCode = "5001", AccountClass = AccountClass.Expenditure, ActualFen = 10, BudgetFen = 10 };
        var result = BudgetExecution.IncomeRate([Income("4001", 95, 100), spending]);
        Assert.Equal(95m, result.Value);
    }
}
