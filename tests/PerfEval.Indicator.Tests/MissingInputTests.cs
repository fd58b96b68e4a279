using PerfEval.Contracts.Indicator.V1;
using PerfEval.Indicator.Domain;
using PerfEval.Indicator.Storage;
using Contract = PerfEval.Contracts.Events.V1;

namespace PerfEval.Indicator.Tests;

/// <summary>Missing inputs travel structured (kind, code, Chinese name, subject); the reason text is for people only.</summary>
public class MissingInputTests
{
    [Fact]
    public void A_missing_registered_population_is_named_as_an_observation_in_chinese()
    {
        ObservationFact[] observations = [new("insured-persons", "resident-fund", 406124, 1), new("insured-persons", "employee-fund", 24243, 2)];
        var value = IndicatorEngine.Evaluate(Jiashi.BuiltIn("resident-fund"), Jiashi.Facts(observations: observations), null)
            .State.Values["coverage-rate-registered"];

        Assert.Null(value.Value);
        Assert.Equal([new MissingInput(MissingInputKind.Observation, "registered-population", "户籍人口")], value.MissingInputs);
        Assert.StartsWith("缺少统计数据：户籍人口", value.NoValueReason);
    }

    [Fact]
    public void An_observation_of_a_named_subject_keeps_the_subject()
    {
        ObservationFact[] observations = [new("insured-persons", "resident-fund", 406124, 1), new("registered-population", "", 444202, 3)];
        var value = IndicatorEngine.Evaluate(Jiashi.BuiltIn("resident-fund"), Jiashi.Facts(observations: observations), null)
            .State.Values["coverage-rate-registered"];

        var missing = Assert.Single(value.MissingInputs);
        Assert.Equal(new MissingInput(MissingInputKind.Observation, "insured-persons", "参保人数", "employee-fund"), missing);
    }

    [Fact]
    public void An_income_group_without_a_budget_line_is_a_missing_budget_line()
    {
        var value = IndicatorEngine.Evaluate(Jiashi.BuiltIn("resident-fund"), Jiashi.Facts([Jiashi.Income("4001", 100m, null)]), null)
            .State.Values["income-budget-execution-rate"];

        Assert.Equal([new MissingInput(MissingInputKind.BudgetLine, "income", "基金收入预算数")], value.MissingInputs);
    }

    [Fact]
    public void A_value_with_a_value_lists_no_missing_input()
    {
        var values = IndicatorEngine.Evaluate(Jiashi.BuiltIn("resident-fund"), Jiashi.Facts(), null).State.Values;
        Assert.Empty(values["income-budget-execution-rate"].MissingInputs);
    }

    [Fact]
    public void A_missing_input_carries_up_through_an_expression()
    {
        var missing = new MissingInput(MissingInputKind.Observation, "resident-population", "常住人口");
        var quantity = FormulaEvaluator.Evaluate(FormulaParser.Parse("1 + obs(\"resident-population\") * 2"),
            _ => Quantity.Missing(missing, "缺少统计数据：常住人口"));
        Assert.Equal(missing, quantity.MissingInput);
    }

    [Fact]
    public void The_contract_value_carries_the_missing_inputs_beside_the_reason()
    {
        var value = new ComputedValue("coverage-rate-resident", "常住人口参保率", "%", null, "缺少统计数据：常住人口（missing observation resident-population）", false, [])
        {
            MissingInputs = [new MissingInput(MissingInputKind.Observation, "resident-population", "常住人口", "employee-fund")],
        };

        var contract = IndicatorStore.ToContract(value);

        var missing = Assert.Single(contract.MissingInputs);
        Assert.Equal(Contract.MissingInputKind.Observation, missing.Kind);
        Assert.Equal("resident-population", missing.MetricCode);
        Assert.Equal("常住人口", missing.DisplayName);
        Assert.Equal("employee-fund", missing.SubjectCode);
        Assert.Equal(value.NoValueReason, contract.NoValueReason);
    }

    [Theory]
    [InlineData(MissingInputKind.Observation, Contract.MissingInputKind.Observation)]
    [InlineData(MissingInputKind.LedgerFigure, Contract.MissingInputKind.LedgerFigure)]
    [InlineData(MissingInputKind.BudgetLine, Contract.MissingInputKind.BudgetLine)]
    [InlineData(MissingInputKind.PriorYearLedgerFigure, Contract.MissingInputKind.PriorYearLedgerFigure)]
    [InlineData(MissingInputKind.IndicatorValue, Contract.MissingInputKind.IndicatorValue)]
    [InlineData(MissingInputKind.DeclaredActual, Contract.MissingInputKind.DeclaredActual)]
    public void Every_kind_maps_to_its_contract_kind(MissingInputKind kind, Contract.MissingInputKind expected) =>
        Assert.Equal(expected, new MissingInput(kind, "x", "某项").ToContract().Kind);

    [Fact]
    public void A_declared_actual_without_a_value_names_what_is_missing()
    {
        var values = IndicatorEngine.Evaluate(Jiashi.BuiltIn("resident-fund"), Jiashi.Facts(), null).State.Values;
        var finding = Assert.Single(Findings.Reconcile([("coverage-rate-resident", 100m)], values));

        Assert.Equal(FindingKind.DeclaredActualWithoutValue, finding.Kind);
        var missing = Assert.Single(finding.MissingInputs);
        Assert.Equal(Contract.MissingInputKind.Observation, missing.Kind);
        Assert.Equal("参保人数", missing.DisplayName);
    }
}
