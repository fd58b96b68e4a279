using PerfEval.Indicator.Domain;

namespace PerfEval.Indicator.Tests;

public class FormulaTests
{
    static Quantity Evaluate(string formula, Dictionary<string, Quantity> inputs)
    {
        var expr = FormulaParser.Parse(formula);
        FormulaEvaluator.Check(expr, _ => null, new HashSet<string>());
        return FormulaEvaluator.Evaluate(expr, key => inputs.TryGetValue(key, out var q) ? q : Quantity.Missing($"missing {key}"));
    }

    [Fact]
    public void Reads_the_inputs_it_names()
    {
        var inputs = new HashSet<string>();
        FormulaEvaluator.Check(FormulaParser.Parse("(obs(\"insured-persons\") + obs(\"insured-persons\", \"employee-fund\")) / obs(\"registered-population\")"), _ => null, inputs);
        Assert.Equal(["obs:insured-persons", "obs:insured-persons@employee-fund", "obs:registered-population"], inputs.Order());
    }

    [Fact]
    public void Arithmetic_follows_precedence()
    {
        Assert.Equal(7m, Evaluate("1 + 2 * 3", []).Value);
        Assert.Equal(9m, Evaluate("(1 + 2) * 3", []).Value);
        Assert.Equal(-1m, Evaluate("-(3 - 2)", []).Value);
        Assert.Equal(1m, Evaluate("if(2 > 1, 1, 0)", []).Value);
        Assert.Equal(6m, Evaluate("sum(1, 2, 3)", []).Value);
    }

    [Fact]
    public void A_missing_input_gives_no_value_not_zero()
    {
        var q = Evaluate("obs(\"insured-persons\") * 2", []);
        Assert.Null(q.Value);
        Assert.Contains("insured-persons", q.Reason);
    }

    [Fact]
    public void Coalesce_takes_the_first_input_with_a_value()
    {
        var q = Evaluate("coalesce(obs(\"insured-persons\"), obs(\"insured-target\"))", new() { ["obs:insured-target"] = Quantity.Of(5) });
        Assert.Equal(5m, q.Value);
    }

    [Fact]
    public void A_zero_denominator_is_a_finding_not_a_number()
    {
        var q = Evaluate("actual(income) / budget(income)", new() { ["ledger:actual:income"] = Quantity.Of(5), ["ledger:budget:income"] = Quantity.Of(0) });
        Assert.Null(q.Value);
        Assert.True(q.ZeroDenominator);
        Assert.Contains("budget(income)", q.Reason);
    }

    [Fact]
    public void Months_of_payment_divide_the_balance_by_a_month_of_spending()
    {
        // Huaibei 2023: 累计结余 79765.58 ÷ (148104.56 ÷ 12) = 6.46 months.
        var q = Evaluate("months_of_payment(closing(\"3001\"), actual(expenditure))",
            new() { ["ledger:closing:3001"] = Quantity.Of(797_655_800m), ["ledger:actual:expenditure"] = Quantity.Of(1_481_045_600m) });
        Assert.Equal(6.46m, Jiashi.Round2(q.Value));
    }

    [Theory]
    [InlineData("actual(income) +", "expected a number")]
    [InlineData("actual(income", "expected \")\"")]
    [InlineData("frobnicate(1)", "unknown function")]
    [InlineData("actual(salaries)", "expected an account class")]
    [InlineData("obs(\"population\")", "unknown observation")]
    [InlineData("actual(income) + obs(\"insured-persons\")", "mixes 元 with 人")]
    [InlineData("income", "unknown name")]
    [InlineData("1 $ 2", "unexpected character")]
    public void Bad_formulas_are_refused_with_the_reason(string formula, string reason)
    {
        var e = Assert.Throws<FormulaException>(() => FormulaEvaluator.Check(FormulaParser.Parse(formula), _ => null, new HashSet<string>()));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void A_ratio_of_money_to_persons_is_not_a_percentage()
    {
        var dimension = FormulaEvaluator.Check(FormulaParser.Parse("actual(\"5001\") / obs(\"beneficiaries\")"), _ => null, new HashSet<string>());
        Assert.NotEqual(Dimension.None, dimension);
        Assert.Equal(Dimension.OfMoney / Dimension.OfPersons, dimension);
    }
}
