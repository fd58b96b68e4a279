using PerfEval.Indicator.Domain;
using PerfEval.Testing;

namespace PerfEval.Indicator.Tests;

/// <summary>Jiashi 2020 resident fund figures (DOMAIN.md §8), in fen.</summary>
static class Jiashi
{
    /// <summary>An account and its own budget line (null when none), as a flat chart has them.</summary>
    public sealed record Row(AccountFact Account, long? BudgetFen);

    public static Row Income(string code, decimal actual, decimal? budget) =>
        new(new(code, code, "income", Jiashi2020.Fen(actual)), budget is { } b ? Jiashi2020.Fen(b) : null);

    public static Row Expenditure(string code, decimal actual, decimal? budget) =>
        new(new(code, code, "expenditure", Jiashi2020.Fen(actual)), budget is { } b ? Jiashi2020.Fen(b) : null);

    public static readonly Row[] ResidentAccounts =
    [
        Income("4001", Jiashi2020.IncomeActualWanYuan, Jiashi2020.IncomeBudgetWanYuan),
        Expenditure("5001", Jiashi2020.BenefitActualWanYuan, Jiashi2020.BenefitBudgetWanYuan),
        Expenditure("5004", Jiashi2020.RemittedUpwardWanYuan, null),
    ];

    /// <summary>
    /// What the ledger's GetFundMetrics answers for a chart of top-level accounts: each row covered by
    /// its own line alone (a row without one covers nothing).
    /// </summary>
    public static IReadOnlyList<BudgetCoverage> FlatCoverage(IEnumerable<Row> rows) =>
        rows.Select(r => new BudgetCoverage(r.Account.Code, "", r.Account.AccountClass, r.BudgetFen, r.BudgetFen is null ? 0 : r.Account.ActualFen)).ToList();

    public static EvaluationFacts Facts(IReadOnlyList<Row>? accounts = null, IReadOnlyList<ObservationFact>? observations = null, long ledgerVersion = 1)
    {
        var rows = accounts ?? ResidentAccounts;
        return new("resident-fund", ledgerVersion, rows.Select(r => r.Account).ToList(), 0, null, observations ?? []) { Budgets = FlatCoverage(rows) };
    }

    public static CompiledSystem BuiltIn(string code) => CompiledSystem.Compile(SystemFiles.BuiltIn().Single(s => s.SystemCode == code));

    public static decimal Round2(decimal? value) => Math.Round(value!.Value, 2, MidpointRounding.AwayFromZero);
}
