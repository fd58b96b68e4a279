using System.Globalization;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Events.V1;
using PerfEval.Contracts.Indicator.V1;
using ChangeCause = PerfEval.Contracts.Scoring.V1.ChangeCause;
using PerfEval.Scoring.Application;
using PerfEval.Scoring.Domain;
using static PerfEval.Scoring.Tests.Systems;

namespace PerfEval.Scoring.Tests;

/// <summary>The indicator service's findings and lineage mapped onto the scorecard and the change explanation.</summary>
public class IndicatorInputsTests
{
    const string Code = "expenditure-budget-execution-rate";

    static IndicatorSystem System() => Of("r", ExactScoring.Symmetric,
        Item(Code, "城乡居民医疗保险基金支出预算执行率", "产出指标", "数量指标", 100, "105%≥x≥95%", Direction.Range, "%", Between(95, 105)));

    static GetFindingsResponse Findings(params ReconciliationFinding[] findings) => new() { Findings = { findings } };

    static Scorecard Score(string actual, GetFindingsResponse findings)
    {
        var (declared, _, texts) = IndicatorInputs.FromFindings(findings);
        var values = new[] { new IndicatorValue { IndicatorCode = Code, Value = actual } };
        return RulesEngine.Score(System(), ScoringInputsBuilder.Build(values, [], declared, texts), Grades.Default);
    }

    [Fact]
    public void A_declared_actual_mismatch_is_listed_with_both_values_and_does_not_change_the_score()
    {
        var card = Score("95.2574", Findings(new ReconciliationFinding
        {
            Kind = FindingKind.DeclaredActualMismatch, IndicatorCode = Code, DeclaredValue = "100", ComputedValue = "95.2574", Difference = "4.7426",
            Message = "declared 100%, computed 95.26%",
        }));
        var difference = Assert.Single(card.DeclaredDifferences);
        Assert.Equal((Code, "100", 100m, 95.2574m), (difference.Code, difference.Declared, difference.DeclaredValue, difference.Computed));
        Assert.Equal(100m, card.Total);
        Assert.Empty(card.Findings);
    }

    [Fact]
    public void Zero_denominators_and_declared_actuals_without_a_value_become_findings()
    {
        var card = Score("", Findings(
            new ReconciliationFinding { Kind = FindingKind.ZeroDenominator, IndicatorCode = Code, Message = "支出预算执行率: budget is 0" },
            new ReconciliationFinding { Kind = FindingKind.DeclaredActualWithoutValue, IndicatorCode = "unknown", DeclaredValue = "3", Message = "unknown is declared as 3" }));
        Assert.Equal(["支出预算执行率: budget is 0", "unknown is declared as 3"], card.Findings);
        Assert.Empty(card.DeclaredDifferences);
    }

    [Fact]
    public void Unbudgeted_spending_merged_into_an_older_findings_snapshot_is_no_longer_listed()
    {
        // What scoring stored before the ledger's findings stopped travelling through it: the report reads them from the ledger.
        var snapshot = Findings(
            new ReconciliationFinding { Kind = FindingKind.ZeroDenominator, IndicatorCode = Code, Message = "budget is 0" },
            new ReconciliationFinding { Kind = FindingKind.Unspecified, Unit = "fen", ComputedValue = "4531034000000", Message = "上解上级支出 45310.34 万元 无预算" });

        Assert.Equal(["budget is 0"], IndicatorInputs.FromFindings(snapshot).Findings);
    }

    [Fact]
    public void No_findings_means_no_declared_differences()
    {
        var (declared, _, texts) = IndicatorInputs.FromFindings(null);
        Assert.Empty(declared);
        Assert.Empty(texts);
    }

    [Fact]
    public void Lineage_names_the_ledger_version_that_moved_an_item()
    {
        static GetIndicatorValuesResponse Values(long ledgerVersion, string executed, decimal rate) => new()
        {
            ValueVersion = ledgerVersion,
            LedgerVersion = ledgerVersion,
            Values = { new IndicatorValue { IndicatorCode = Code, Value = rate.ToString(CultureInfo.InvariantCulture) } },
            Lineage =
            {
                new ValueLineage
                {
                    IndicatorCode = Code, Formula = "executed(expenditure) / budget(expenditure)", ValueVersion = ledgerVersion,
                    Inputs =
                    {
                        new LineageInput { Key = "ledger:executed:expenditure", Value = executed, Source = $"ledger version {ledgerVersion}" },
                        new LineageInput { Key = "ledger:budget:expenditure", Value = "220876400", Source = $"ledger version {ledgerVersion}" },
                    },
                },
            },
        };
        EvaluationScored Scored(GetIndicatorValuesResponse values, long version)
        {
            var card = RulesEngine.Score(System(), ScoringInputsBuilder.Build(values.Values, []), Grades.Default);
            var scored = ScoringMessages.ToEvent(card, System(), new EvaluationKey { RegionCode = "653129", SubjectCode = "resident-fund", FiscalYear = 2020 }, values.ValueVersion, values.LedgerVersion);
            scored.ScorecardVersion = version;
            return scored;
        }
        var (before, after) = (Values(3, "210401100", 95.2574m), Values(4, "200401100", 90.7299m));

        var explained = ChangeExplainer.Explain(Scored(before, 1), Scored(after, 2), IndicatorInputs.Lineage(before), IndicatorInputs.Lineage(after));

        var change = Assert.Single(explained.Items);
        Assert.Contains(ChangeCause.Value, change.Causes);
        var moved = Assert.Single(change.MovedInputs);
        Assert.Equal(("ledger:executed:expenditure", "210401100", "200401100", "ledger version 4"), (moved.Key, moved.FromValue, moved.ToValue, moved.Source));
        Assert.Same(ChangeExplainer.NoLineage, IndicatorInputs.Lineage(new GetIndicatorValuesResponse()));
    }

    [Fact]
    public void A_value_beyond_the_range_of_a_decimal_scores_as_no_value_instead_of_throwing()
    {
        var card = Score("1" + new string('0', 40), new GetFindingsResponse());
        Assert.Equal(0m, card.Total);
    }
}
