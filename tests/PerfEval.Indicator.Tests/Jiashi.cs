using PerfEval.Indicator.Domain;
using PerfEval.Testing;

namespace PerfEval.Indicator.Tests;

/// <summary>Jiashi 2020 resident fund figures (DOMAIN.md §8), in fen.</summary>
static class Jiashi
{
    public static AccountFact Income(string code, decimal actual, decimal? budget) =>
        new(code, code, "income", Jiashi2020.Fen(actual), budget is { } b ? Jiashi2020.Fen(b) : null);

    public static AccountFact Expenditure(string code, decimal actual, decimal? budget) =>
        new(code, code, "expenditure", Jiashi2020.Fen(actual), budget is { } b ? Jiashi2020.Fen(b) : null);

    public static readonly AccountFact[] ResidentAccounts =
    [
        Income("4001", Jiashi2020.IncomeActualWanYuan, Jiashi2020.IncomeBudgetWanYuan),
        Expenditure("5001", Jiashi2020.BenefitActualWanYuan, Jiashi2020.BenefitBudgetWanYuan),
        Expenditure("5004", Jiashi2020.RemittedUpwardWanYuan, null),
    ];

    public static EvaluationFacts Facts(IReadOnlyList<AccountFact>? accounts = null, IReadOnlyList<ObservationFact>? observations = null, long ledgerVersion = 1) =>
        new("resident-fund", ledgerVersion, accounts ?? ResidentAccounts, 0, null, observations ?? []);

    public static CompiledSystem BuiltIn(string code) => CompiledSystem.Compile(SystemFiles.BuiltIn().Single(s => s.SystemCode == code));

    public static decimal Round2(decimal? value) => Math.Round(value!.Value, 2, MidpointRounding.AwayFromZero);
}
