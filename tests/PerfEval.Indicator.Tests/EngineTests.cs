using PerfEval.Contracts.Indicator.V1;
using PerfEval.Indicator.Domain;

namespace PerfEval.Indicator.Tests;

public class EngineTests
{
    [Fact]
    public void Jiashi_2020_resident_income_executes_105_91_percent_and_benefits_95_26_percent()
    {
        var result = IndicatorEngine.Evaluate(Jiashi.BuiltIn("resident-fund"), Jiashi.Facts(), null);
        var values = result.State.Values;
        Assert.Equal(105.91m, Jiashi.Round2(values["income-budget-execution-rate"].Value));
        Assert.StartsWith("105.9063", values["income-budget-execution-rate"].ValueText);
        // Unbudgeted 上解上级支出 stays out of the rate (the report's 300.39% is the finding).
        Assert.Equal(95.26m, Jiashi.Round2(values["expenditure-budget-execution-rate"].Value));
        Assert.Equal(18, result.ItemsRecomputed);
    }

    [Fact]
    public void Missing_observations_give_no_value_with_the_reason()
    {
        var value = IndicatorEngine.Evaluate(Jiashi.BuiltIn("resident-fund"), Jiashi.Facts(), null).State.Values["coverage-rate-registered"];
        Assert.Null(value.Value);
        Assert.Contains("missing observation", value.NoValueReason);
    }

    [Fact]
    public void Jiashi_coverage_counts_both_schemes_over_the_whole_registered_population()
    {
        // 430367 insured (both schemes) ÷ 444202 registered = 96.89% (100% only when the 13835 ineligible are subtracted).
        ObservationFact[] observations =
        [
            new("insured-persons", "resident-fund", 406124, 1),
            new("insured-persons", "employee-fund", 24243, 2),
            new("registered-population", "", 444202, 3),
        ];
        var value = IndicatorEngine.Evaluate(Jiashi.BuiltIn("resident-fund"), Jiashi.Facts(observations: observations), null).State.Values["coverage-rate-registered"];
        Assert.Equal(96.89m, Jiashi.Round2(value.Value));
        Assert.Contains(value.Inputs, i => i.Key == "obs:insured-persons@employee-fund" && i.Source == "observation revision 2");
    }

    [Fact]
    public void Benefit_cost_per_person_is_in_wan_yuan_per_person()
    {
        ObservationFact[] observations = [new("beneficiaries", "resident-fund", 55128, 1)];
        var value = IndicatorEngine.Evaluate(Jiashi.BuiltIn("resident-fund"), Jiashi.Facts(observations: observations), null).State.Values["benefit-cost-per-person"];
        Assert.Equal("万元/人", value.Unit);
        Assert.Equal(0.38m, Jiashi.Round2(value.Value)); // 21040.11 万元 ÷ 55128 人
    }

    [Fact]
    public void A_new_observation_recomputes_only_the_items_that_read_it()
    {
        var system = Jiashi.BuiltIn("resident-fund");
        var first = IndicatorEngine.Evaluate(system, Jiashi.Facts(), null);
        var second = IndicatorEngine.Evaluate(system, Jiashi.Facts(observations: [new("beneficiaries", "resident-fund", 55128, 1)]), first.State);
        Assert.Equal(2, second.ItemsRecomputed); // 享受待遇人数 and 待遇成本
        Assert.Equal(["beneficiaries", "benefit-cost-per-person"], second.Changed.Select(c => c.Code).Order());
    }

    [Fact]
    public void A_posting_to_income_recomputes_only_the_income_rate()
    {
        var system = Jiashi.BuiltIn("resident-fund");
        var first = IndicatorEngine.Evaluate(system, Jiashi.Facts(), null);
        Jiashi.Row[] accounts = [Jiashi.Income("4001", 38200m, 36026.78m), .. Jiashi.ResidentAccounts.Skip(1)];
        var second = IndicatorEngine.Evaluate(system, Jiashi.Facts(accounts, ledgerVersion: 2), first.State);
        // The income rate and 可支付月数 (which reads income) are evaluated again; nothing else.
        // 可支付月数 still has no value (no 3001 balance), so only the rate changed.
        Assert.Equal(2, second.ItemsRecomputed);
        Assert.Equal(["income-budget-execution-rate"], second.Changed.Select(c => c.Code));
    }

    [Fact]
    public void Nothing_changed_recomputes_nothing()
    {
        var system = Jiashi.BuiltIn("resident-fund");
        var first = IndicatorEngine.Evaluate(system, Jiashi.Facts(), null);
        var second = IndicatorEngine.Evaluate(system, Jiashi.Facts(ledgerVersion: 2), first.State);
        Assert.Equal(0, second.ItemsRecomputed);
        Assert.Empty(second.Changed);
    }

    [Fact]
    public void Jiashi_declared_100_percent_expenditure_execution_is_a_finding()
    {
        var values = IndicatorEngine.Evaluate(Jiashi.BuiltIn("resident-fund"), Jiashi.Facts(), null).State.Values;
        var findings = Findings.Reconcile([("expenditure-budget-execution-rate", 100m), ("income-budget-execution-rate", 105.91m)], values);
        var finding = Assert.Single(findings);
        Assert.Equal(FindingKind.DeclaredActualMismatch, finding.Kind);
        Assert.Equal("expenditure-budget-execution-rate", finding.IndicatorCode);
        Assert.Contains("computed 95.26%", finding.Message);
    }

    [Fact]
    public void A_zero_budget_is_reported_as_a_finding()
    {
        var values = IndicatorEngine.Evaluate(Jiashi.BuiltIn("skeleton"), Jiashi.Facts([Jiashi.Income("4001", 50m, 0m)]), null).State.Values;
        Assert.Null(values["income-budget-execution-rate"].Value);
        Assert.Equal(FindingKind.ZeroDenominator, Assert.Single(Findings.Reconcile([], values)).Kind);
    }
}
