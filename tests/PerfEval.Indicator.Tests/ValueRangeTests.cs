using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Indicator.Api;
using PerfEval.Indicator.Domain;
using PerfEval.SharedKernel.Errors;

namespace PerfEval.Indicator.Tests;

/// <summary>Issue 14 item 2, the indicator part: overflow is "no value" with a reason, and values are range-checked at the door.</summary>
public class ValueRangeTests
{
    static Quantity Evaluate(string formula, Dictionary<string, Quantity> inputs)
    {
        var expr = FormulaParser.Parse(formula);
        FormulaEvaluator.Check(expr, _ => null, new HashSet<string>());
        return FormulaEvaluator.Evaluate(expr, key => inputs.TryGetValue(key, out var q) ? q : Quantity.Missing($"missing {key}"));
    }

    const string PerBeneficiary = "actual(expenditure) / obs(\"beneficiaries\")";

    [Fact]
    public void A_divisor_of_ten_to_the_minus_28_gives_no_value_with_the_overflow_named_not_an_exception()
    {
        var q = Evaluate(PerBeneficiary, new()
        {
            ["ledger:actual:expenditure"] = Quantity.Of(148_104_560_000m),
            ["obs:beneficiaries"] = Quantity.Of(0.0000000000000000000000000001m),
        });
        Assert.Null(q.Value);
        Assert.Contains("overflow", q.Reason);
        Assert.False(q.ZeroDenominator);
    }

    [Fact]
    public void A_result_too_large_for_its_unit_gives_no_value()
    {
        var q = Evaluate("1 / obs(\"beneficiaries\")", new() { ["obs:beneficiaries"] = Quantity.Of(0.0000000000000000000000000001m) });
        Assert.Null(q.Value);
        Assert.Contains("beyond ±10^24", q.Reason);
        Assert.Null(Evaluate("sum(actual(income), actual(income))", new() { ["ledger:actual:income"] = Quantity.Of(decimal.MaxValue) }).Value);
        Assert.Null(Evaluate("months_of_payment(closing(\"3001\"), actual(expenditure))", new()
        {
            ["ledger:closing:3001"] = Quantity.Of(1m),
            ["ledger:actual:expenditure"] = Quantity.Of(0.0000000000000000000000000001m),
        }).Value);
    }

    static readonly IndicatorApi Door = new(null!, null!, null!, null!);

    [Theory]
    [InlineData("0.0000000000000000000000000001", "at most 6 digits after the decimal point")]
    [InlineData("79228162514264337593543950335", "at most 15 digits before the decimal point")]
    public async Task Observations_outside_15_integer_digits_and_6_decimals_are_refused_at_the_door(string value, string rule)
    {
        var request = new RecordObservationsRequest { RequestId = Guid.NewGuid().ToString() };
        request.Observations.Add(new Observation { RegionCode = "653129", FiscalYear = 2020, Metric = "beneficiaries", Unit = "人", Value = value });
        var e = await Assert.ThrowsAsync<InvalidRequestException>(() => Door.RecordObservations(request, null!));
        Assert.Contains(e.Violations, v => v.Field == "observations[0].value" && v.Description == rule);
    }

    [Fact]
    public async Task Declared_actuals_outside_the_range_are_refused_at_the_door()
    {
        var request = new RecordDeclaredActualsRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            Evaluation = new EvaluationKey { RegionCode = "653129", SubjectCode = "resident-fund", FiscalYear = 2020 },
        };
        request.Actuals.Add(new DeclaredActual { IndicatorCode = "insured-rate", Value = "-79228162514264337593543950335" });
        request.Actuals.Add(new DeclaredActual { IndicatorCode = "coverage", Value = "98.123456" });
        var e = await Assert.ThrowsAsync<InvalidRequestException>(() => Door.RecordDeclaredActuals(request, null!));
        var violation = Assert.Single(e.Violations);
        Assert.Equal("actuals[0].value", violation.Field);
    }

    [Fact]
    public void A_declared_actual_near_the_end_of_decimal_is_a_mismatch_not_a_failure()
    {
        var computed = new Dictionary<string, ComputedValue>
        {
            ["a"] = new("a", "甲", "%", 79228162514264337593543950335m, "", false, []),
        };
        var finding = Assert.Single(Findings.Reconcile([("a", -79228162514264337593543950335m)], computed));
        Assert.Equal(FindingKind.DeclaredActualMismatch, finding.Kind);
        Assert.Contains("beyond the range", finding.Message);
    }
}
