using PerfEval.Contracts.Indicator.V1;
using PerfEval.Indicator.Domain;

namespace PerfEval.Indicator.Tests;

public class SystemTests
{
    [Theory]
    [InlineData("skeleton", 1)]
    [InlineData("resident-fund", 18)]
    [InlineData("employee-fund", 14)]
    [InlineData("transfer-fund", 23)]
    [InlineData("department-budget", 11)]
    public void Built_in_systems_load_and_weigh_100(string code, int items)
    {
        var system = SystemFiles.BuiltIn().Single(s => s.SystemCode == code);
        Assert.Equal(items, system.Indicators.Count);
        Assert.Equal(100m, system.Indicators.Sum(i => decimal.Parse(i.Weight, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.All(system.Indicators, i => Assert.Equal(i.Target.Text, TargetGrammar.Format(i.Target)));
    }

    [Fact]
    public void The_transfer_fund_system_has_Taojiangs_level_weights()
    {
        var system = SystemFiles.BuiltIn().Single(s => s.SystemCode == "transfer-fund");
        decimal Level(string level1) => system.Indicators.Where(i => i.Level1 == level1).Sum(i => decimal.Parse(i.Weight, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal([18m, 22m, 50m, 10m], new[] { "项目决策", "过程管理", "项目产出", "项目效益" }.Select(Level));
        Assert.Equal(Direction.Compound, system.Indicators.Single(i => i.Code == "drg-dip-reform").Direction);
    }

    [Fact]
    public void The_resident_system_states_the_coverage_denominator_and_spans_both_schemes()
    {
        var item = SystemFiles.BuiltIn().Single(s => s.SystemCode == "resident-fund").Indicators.Single(i => i.Code == "coverage-rate-registered");
        Assert.Contains("employee-fund", item.Formula);
        Assert.Contains("registered-population", item.Formula);
        Assert.Contains("分母", item.Guidance);
    }

    [Theory]
    [InlineData("resident-fund")]
    [InlineData("transfer-fund")]
    public void Export_then_import_gives_the_same_system(string code)
    {
        var system = SystemFiles.BuiltIn().Single(s => s.SystemCode == code);
        Assert.Equal(system, CompiledSystem.Compile(SystemFiles.Read(SystemFiles.WriteYaml(system))).System);
        Assert.Equal(system, CompiledSystem.Compile(SystemFiles.Read(SystemFiles.WriteJson(system))).System);
    }

    static IndicatorSystem TwoItems(string weightA, string weightB, string formulaA = "executed(income) / budget(income)", string formulaB = "")
    {
        var system = new IndicatorSystem { SystemCode = "test", Version = 1, Name = "测试", SubjectKind = "resident-fund" };
        system.Indicators.Add(new IndicatorDefinition { Code = "a", Name = "甲", Level1 = "产出指标", Level2 = "数量指标", Unit = "%", Weight = weightA, Target = new Target { Text = "≥95%" }, Formula = formulaA });
        system.Indicators.Add(new IndicatorDefinition { Code = "b", Name = "乙", Level1 = "效益指标", Level2 = "社会效益指标", Unit = formulaB.Length > 0 ? "%" : "", Weight = weightB, Target = new Target { Text = formulaB.Length > 0 ? "≥1%" : "有效缓解" }, Formula = formulaB });
        return system;
    }

    [Fact]
    public void Weights_that_do_not_add_up_to_100_are_refused_with_the_actual_sum()
    {
        var e = Assert.Throws<SystemValidationException>(() => CompiledSystem.Compile(TwoItems("60", "30")));
        Assert.Contains(e.Problems, p => p.Field == "indicators" && p.Description.Contains("add up to 90"));
    }

    [Fact]
    public void A_bad_target_is_refused_at_its_field_with_the_position()
    {
        var system = TwoItems("60", "40");
        system.Indicators[1].Target.Text = "≥";
        var e = Assert.Throws<SystemValidationException>(() => CompiledSystem.Compile(system));
        Assert.Contains(e.Problems, p => p.Field == "indicators[1].target" && p.Description.Contains("at position 1 expected a number"));
    }

    [Fact]
    public void Cycles_between_indicators_are_refused_when_the_system_is_defined()
    {
        var e = Assert.Throws<SystemValidationException>(() => CompiledSystem.Compile(TwoItems("60", "40", "value(\"b\")", "value(\"a\")")));
        Assert.Contains(e.Problems, p => p.Description.Contains("cycle between indicators: a → b → a"));
    }

    [Fact]
    public void A_formula_whose_dimension_is_not_its_unit_is_refused()
    {
        var e = Assert.Throws<SystemValidationException>(() => CompiledSystem.Compile(TwoItems("60", "40", "actual(\"5001\") / obs(\"beneficiaries\")")));
        Assert.Contains(e.Problems, p => p.Field == "indicators[0].formula" && p.Description.Contains("元/人") == false && p.Description.Contains("unit \"%\""));
    }

    [Fact]
    public void Level_weights_in_a_file_must_match_their_items()
    {
        var yaml = SystemFiles.WriteYaml(SystemFiles.BuiltIn().Single(s => s.SystemCode == "skeleton")).Replace("weight: 100\n  children", "weight: 90\n  children");
        var e = Assert.Throws<SystemValidationException>(() => SystemFiles.Read(yaml));
        Assert.Contains(e.Problems, p => p.Field == "levels[0].weight");
    }
}
