using PerfEval.Indicator.Domain;

namespace PerfEval.Indicator.Tests;

/// <summary>Jiashi 2020 resident fund figures (DOMAIN.md §8), in fen.</summary>
static class Jiashi
{
    public static long WanYuan(decimal wan) => (long)(wan * 1_000_000m);

    public static AccountFact Income(string code, decimal actual, decimal? budget) =>
        new(code, code, "income", WanYuan(actual), budget is { } b ? WanYuan(b) : null);

    public static AccountFact Expenditure(string code, decimal actual, decimal? budget) =>
        new(code, code, "expenditure", WanYuan(actual), budget is { } b ? WanYuan(b) : null);

    public static readonly AccountFact[] ResidentAccounts =
    [
        Income("4001", 38154.63m, 36026.78m),
        Expenditure("5001", 21040.11m, 22087.64m),
        Expenditure("5004", 45310.34m, null),
    ];

    public static EvaluationFacts Facts(IReadOnlyList<AccountFact>? accounts = null, IReadOnlyList<ObservationFact>? observations = null, long ledgerVersion = 1) =>
        new("resident-fund", ledgerVersion, accounts ?? ResidentAccounts, 0, null, observations ?? []);

    public static CompiledSystem BuiltIn(string code) => CompiledSystem.Compile(SystemFiles.BuiltIn().Single(s => s.SystemCode == code));

    public static decimal Round2(decimal? value) => Math.Round(value!.Value, 2, MidpointRounding.AwayFromZero);
}
