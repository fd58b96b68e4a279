using PerfEval.Scoring.Domain;
using static PerfEval.Scoring.Tests.Systems;

namespace PerfEval.Scoring.Tests;

/// <summary>
/// Jiashi 2020's resident-fund table scored with actuals computed from its ledger figures (万元, DOMAIN.md §8)
/// instead of the values the bureau typed.
/// </summary>
public class JiashiScorecardTests
{
    // Ledger figures in 万元; ratios in percent at full precision, as the indicator service computes them.
    const decimal IncomeActual = 38154.63m, IncomeBudget = 36026.78m;
    const decimal BenefitActual = 21040.11m, BenefitBudget = 22087.64m; // 待遇支出, the budgeted expenditure
    const decimal UnbudgetedRemittance = 45310.34m;                      // 上解上级支出, never budgeted
    const decimal Insured = 430367m, Registered = 444202m;

    static readonly Dictionary<string, string> Typed = new()
    {
        ["insured-persons"] = "413449人",
        ["beneficiaries"] = "55128人",
        ["income-budget-execution-rate"] = "100%",
        ["expenditure-budget-execution-rate"] = "100%",
        ["registered-coverage"] = "95%",
        ["resident-coverage"] = "93%",
        ["policy-reimbursement"] = "68%",
        ["actual-reimbursement"] = "60%",
        ["personal-contribution"] = "280%",
        ["subsidy-standard"] = "580%",
        ["benefit-cost"] = "0.69万元",
        ["satisfaction"] = "95%",
    };

    static Scorecard Score()
    {
        var system = JiashiResident();
        var expenditureRate = BenefitActual / BenefitBudget * 100m;
        var actuals = new Dictionary<string, decimal?>
        {
            ["budget-execution-rate"] = expenditureRate,
            ["insured-persons"] = Insured,
            ["beneficiaries"] = 55128m,
            ["income-budget-execution-rate"] = IncomeActual / IncomeBudget * 100m,
            ["expenditure-budget-execution-rate"] = expenditureRate,
            ["registered-coverage"] = Insured / Registered * 100m,
            ["resident-coverage"] = 93m,
            ["policy-reimbursement"] = 68m,
            ["actual-reimbursement"] = 60m,
            ["personal-contribution"] = 280m,
            ["subsidy-standard"] = 580m,
            ["benefit-cost"] = 0.69m,
            ["satisfaction"] = 95m,
        };
        var assessments = new Dictionary<string, QualitativeAssessment>
        {
            ["burden-relief"] = new(QualitativeBand.Achieved, 15m, "待遇按时足额支付，未发生因待遇引起的上访", "评价组"),
            ["sustainability"] = new(QualitativeBand.Achieved, 15m, "制度持续运行", "评价组"),
        };
        var findings = new[] { $"上解上级支出 {UnbudgetedRemittance} 万元 was not budgeted: reported as unbudgeted spending, outside the execution rate" };
        return RulesEngine.Score(system, new ScoringInputs
        {
            Actuals = actuals,
            Assessments = assessments,
            DeclaredActuals = Typed,
            Findings = findings,
        }, Grades.Default);
    }

    [Fact]
    public void Expenditure_execution_over_budgeted_accounts_is_95_26_percent_inside_the_range_with_full_marks()
    {
        var item = Score().Item("expenditure-budget-execution-rate");
        Assert.Equal(95.26m, Math.Round(item.Actual!.Value, 2, MidpointRounding.AwayFromZero));
        Assert.True(item.Met);
        Assert.Equal(5m, item.Score);
    }

    [Fact]
    public void The_unbudgeted_remittance_is_a_finding_beside_the_rate()
    {
        var findings = Score().Findings;
        Assert.Contains(findings, f => f.Contains("上解上级支出 45310.34", StringComparison.Ordinal));
        // Jiashi's table types every actual as its target verbatim (DOMAIN.md §7): that is a finding too.
        Assert.Contains(findings, f => f.Contains("均与指标值完全相同", StringComparison.Ordinal));
    }

    [Fact]
    public void Income_executing_105_91_percent_is_above_the_range_and_scored_as_lower_is_better()
    {
        var card = Score();
        var item = card.Item("income-budget-execution-rate");
        Assert.False(item.Met);
        Assert.Equal(4.96m, item.Score); // 5 × (1 − 0.9063… ÷ 105)
        Assert.Contains(card.Deviations, d => d.Code == "income-budget-execution-rate");
    }

    [Fact]
    public void The_fixed_budget_execution_item_scores_ten_times_the_rate()
    {
        var card = Score();
        Assert.Equal(9.53m, card.Item("budget-execution-rate").Score);
        Assert.Equal(99.49m, card.Total); // 100 − 0.47 − 0.04
        Assert.Equal("优", card.Grade);
        Assert.Equal(["budget-execution-rate", "income-budget-execution-rate"], card.MissingNotes);
        var budget = card.Deviations.Single(d => d.Code == "budget-execution-rate");
        Assert.Equal(-4.74m, Math.Round(budget.MissedParts.Single().Gap!.Value, 2, MidpointRounding.AwayFromZero));
        Assert.Equal(0.47m, budget.PointsLost);
    }

    [Fact]
    public void Every_computed_actual_that_differs_from_the_typed_one_is_listed_with_both_values()
    {
        var differences = Score().DeclaredDifferences.ToDictionary(d => d.Code);
        Assert.Equal(
            ["insured-persons", "income-budget-execution-rate", "expenditure-budget-execution-rate", "registered-coverage",
             "personal-contribution", "subsidy-standard"],
            differences.Keys);
        Assert.Equal("413449人", differences["insured-persons"].Declared);
        Assert.Equal(430367m, differences["insured-persons"].Computed);
        Assert.Equal("100%", differences["expenditure-budget-execution-rate"].Declared);
        Assert.Equal(95.26m, Math.Round(differences["expenditure-budget-execution-rate"].Computed!.Value, 2));
        Assert.Equal(96.89m, Math.Round(differences["registered-coverage"].Computed!.Value, 2, MidpointRounding.AwayFromZero));
        // The same number in the wrong unit: 280 元 typed as "280%".
        Assert.Equal("280%", differences["personal-contribution"].Declared);
        Assert.Equal(280m, differences["personal-contribution"].Computed);
    }
}
