using System.Diagnostics;
using System.Globalization;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Indicator.Domain;
using static PerfEval.Testing.Jiashi2020;

// Recompute time of the indicator engine in memory (database and broker I/O excluded):
//   - the built-in resident system after one posting, and evaluated from scratch;
//   - synthetic systems of 125 … 1,000 items after one posting and after all inputs change.
// Usage: dotnet run -c Release --project benchmarks/PerfEval.Indicator.Benchmarks [-- --quick]
var quick = args.Contains("--quick");
var repetitions = quick ? 20 : 200;

Console.WriteLine($"PerfEval indicator engine benchmark ({repetitions} runs each, median and p95; in memory, I/O excluded)");
Console.WriteLine();

// ---- resident system ----
var resident = CompiledSystem.Compile(SystemFiles.BuiltIn().Single(s => s.SystemCode == "resident-fund"));
AccountFact[] ResidentAccounts(long extraFen) =>
[
    new("3001", "基金结余", "net_asset", Fen(4763.56m)),
    new("4001", "基本医疗保险费收入", "income", Fen(IncomeActualWanYuan) + extraFen),
    new("5001", "基本医疗保险待遇支出", "expenditure", Fen(BenefitActualWanYuan)),
    new("5004", "上解上级支出", "expenditure", Fen(RemittedUpwardWanYuan)),
];
// The ledger's budget coverage of the same top-level accounts (GetFundMetrics): each covered by its own line.
BudgetCoverage[] ResidentBudgets(long extraFen) =>
[
    new("4001", "", "income", Fen(IncomeBudgetWanYuan), Fen(IncomeActualWanYuan) + extraFen),
    new("5001", "", "expenditure", Fen(BenefitBudgetWanYuan), Fen(BenefitActualWanYuan)),
    new("5004", "", "expenditure", null, 0),
];
ObservationFact[] observations =
[
    new("insured-persons", "resident-fund", 406124, 1), new("insured-persons", "employee-fund", 24243, 2),
    new("registered-population", "", 444202, 3), new("resident-population", "", 430000, 4),
    new("beneficiaries", "resident-fund", 55128, 5), new("inpatient-fund-paid", "resident-fund", 10_000_000_00, 6),
    new("inpatient-policy-cost", "resident-fund", 14_000_000_00, 7), new("inpatient-total-cost", "resident-fund", 16_000_000_00, 8),
    new("instant-settlement-visits", "resident-fund", 98_120, 9), new("settlement-visits", "resident-fund", 100_000, 10),
    new("drg-dip-paid-cost", "resident-fund", 10_634_700_00, 11), new("personal-contribution-standard", "resident-fund", 280, 12),
    new("subsidy-standard", "resident-fund", 580, 13), new("satisfaction", "resident-fund", 96, 14),
];
EvaluationFacts ResidentFacts(long version) => new("resident-fund", version, ResidentAccounts(version), 0, null, observations) { Budgets = ResidentBudgets(version) };

var residentBase = IndicatorEngine.Evaluate(resident, ResidentFacts(0), null).State;
var residentFull = Measure(repetitions, i => IndicatorEngine.Evaluate(resident, ResidentFacts(i), null));
var residentOne = Measure(repetitions, i => IndicatorEngine.Evaluate(resident, ResidentFacts(i + 1), residentBase));
Console.WriteLine($"resident system ({resident.InDependencyOrder.Count} items):");
Console.WriteLine($"  evaluate from scratch        median {Ms(residentFull.Median)}  p95 {Ms(residentFull.P95)}");
Console.WriteLine($"  after one posting (4001)     median {Ms(residentOne.Median)}  p95 {Ms(residentOne.P95)}  ({IndicatorEngine.Evaluate(resident, ResidentFacts(1), residentBase).ItemsRecomputed} items recomputed)");
Console.WriteLine();

// ---- synthetic systems ----
Console.WriteLine("synthetic systems (each item: executed(\"4nnnn\") / budget(\"4nnnn\"); every 10th item also reads the previous item):");
Console.WriteLine($"  {"items",6} | {"one posting",14} | {"all inputs",14} | {"all / item",12} | items recomputed (one / all)");
var perItem = new List<(int Items, double Ms)>();
foreach (var n in new[] { 125, 250, 500, 1000 })
{
    var system = CompiledSystem.Compile(Synthetic(n));
    long Actual(long version, int i, int changedAccount, bool all) => 1_000_000 + (all || i == changedAccount ? version : 0);
    EvaluationFacts Facts(long version, int changedAccount, bool all) => new("synthetic", version,
        Enumerable.Range(0, n).Select(i => new AccountFact($"4{i:D4}", $"收入{i}", "income", Actual(version, i, changedAccount, all))).ToList(), 0, null, [])
    {
        Budgets = Enumerable.Range(0, n).Select(i => new BudgetCoverage($"4{i:D4}", "", "income", 2_000_000, Actual(version, i, changedAccount, all))).ToList(),
    };
    var baseState = IndicatorEngine.Evaluate(system, Facts(0, -1, false), null).State;
    var one = Measure(repetitions, i => IndicatorEngine.Evaluate(system, Facts(i + 1, n / 2, false), baseState));
    var all = Measure(repetitions, i => IndicatorEngine.Evaluate(system, Facts(i + 1, -1, true), baseState));
    var oneItems = IndicatorEngine.Evaluate(system, Facts(1, n / 2, false), baseState).ItemsRecomputed;
    var allItems = IndicatorEngine.Evaluate(system, Facts(1, -1, true), baseState).ItemsRecomputed;
    perItem.Add((n, all.Median / n));
    Console.WriteLine($"  {n,6} | {Ms(one.Median),14} | {Ms(all.Median),14} | {(all.Median * 1000 / n).ToString("0.00", CultureInfo.InvariantCulture) + " µs",12} | {oneItems} / {allItems}");
}
var growth = perItem[^1].Ms / perItem[0].Ms;
Console.WriteLine();
Console.WriteLine($"growth: time per item at {perItem[^1].Items} items is {growth.ToString("0.00", CultureInfo.InvariantCulture)}× the time per item at {perItem[0].Items} items (1.0 = linear)");
Console.WriteLine($"goal: resident system in memory under 1 ms — {(residentFull.Median < 1 ? "met" : "NOT met")} ({Ms(residentFull.Median)} from scratch)");
return 0;

static IndicatorSystem Synthetic(int n)
{
    var system = new IndicatorSystem { SystemCode = $"synthetic-{n}", Version = 1, Name = "合成体系", SubjectKind = "department-budget", ExactScoring = ExactScoring.Symmetric };
    var weight = (100m / n).ToString(CultureInfo.InvariantCulture);
    for (var i = 0; i < n; i++)
        system.Indicators.Add(new IndicatorDefinition
        {
            Code = $"item-{i}", Name = $"指标{i}", Level1 = "产出指标", Level2 = $"二级{i / 50}", Unit = "%", Weight = weight,
            Target = new Target { Text = "≥95%" },
            Formula = i % 10 == 9 ? $"executed(\"4{i:D4}\") / budget(\"4{i:D4}\") + value(\"item-{i - 1}\") * 0" : $"executed(\"4{i:D4}\") / budget(\"4{i:D4}\")",
        });
    return system;
}

static (double Median, double P95) Measure(int repetitions, Action<int> action)
{
    for (var i = 0; i < 5; i++)
        action(i);
    var times = new double[repetitions];
    for (var i = 0; i < repetitions; i++)
    {
        var started = Stopwatch.GetTimestamp();
        action(i);
        times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }
    Array.Sort(times);
    return (times[repetitions / 2], times[(int)(repetitions * 0.95)]);
}

static string Ms(double ms) => ms.ToString("0.000", CultureInfo.InvariantCulture) + " ms";
