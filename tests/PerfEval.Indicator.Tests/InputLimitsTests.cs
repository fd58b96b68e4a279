using PerfEval.Contracts.Indicator.V1;
using PerfEval.Indicator.Domain;

namespace PerfEval.Indicator.Tests;

/// <summary>Issue 14 items 1 and 4: no formula, target or system file can overflow the stack or expand without bound.</summary>
public class InputLimitsTests
{
    static IndicatorSystem OneItem(string formula, string target = "≥95%")
    {
        var system = new IndicatorSystem { SystemCode = "test", Version = 1, Name = "测试", SubjectKind = "resident-fund" };
        system.Indicators.Add(new IndicatorDefinition { Code = "a", Name = "甲", Level1 = "产出指标", Level2 = "数量指标", Unit = "%", Weight = "100", Target = new Target { Text = target }, Formula = formula });
        return system;
    }

    static string Nested(int depth) => new string('(', depth) + "actual(income) / budget(income) * 100" + new string(')', depth);

    [Fact]
    public void Fifty_thousand_nested_parentheses_are_refused_at_the_formula_not_a_stack_overflow()
    {
        var e = Assert.Throws<SystemValidationException>(() => CompiledSystem.Compile(OneItem(Nested(50_000))));
        var problem = Assert.Single(e.Problems);
        Assert.Equal("indicators[0].formula", problem.Field);
        Assert.Contains($"at most {InputLimits.FormulaMaxLength} characters", problem.Description);
    }

    [Fact]
    public void A_formula_nested_deeper_than_64_is_refused_by_its_depth()
    {
        var e = Assert.Throws<SystemValidationException>(() => CompiledSystem.Compile(OneItem(Nested(InputLimits.FormulaMaxNesting + 1))));
        var problem = Assert.Single(e.Problems);
        Assert.Equal("indicators[0].formula", problem.Field);
        Assert.StartsWith($"nesting deeper than {InputLimits.FormulaMaxNesting}", problem.Description);
        Assert.Throws<FormulaException>(() => FormulaParser.Parse(new string('-', 1_000) + "1"));
        Assert.Throws<FormulaException>(() => FormulaParser.Parse(string.Concat(Enumerable.Repeat("sum(", 100)) + "1" + new string(')', 100)));
    }

    [Fact]
    public void A_formula_nested_64_deep_still_parses()
    {
        CompiledSystem.Compile(OneItem(Nested(InputLimits.FormulaMaxNesting - 1)));
    }

    [Fact]
    public void The_longest_operator_chain_the_length_allows_evaluates()
    {
        var chain = string.Join("+", Enumerable.Repeat("1", InputLimits.FormulaMaxLength / 2));
        var expr = FormulaParser.Parse(chain);
        FormulaEvaluator.Check(expr, _ => null, new HashSet<string>());
        Assert.Equal(InputLimits.FormulaMaxLength / 2, FormulaEvaluator.Evaluate(expr, _ => Quantity.Missing("none")).Value);
    }

    [Fact]
    public void A_target_longer_than_the_limit_is_refused_without_echoing_it_whole()
    {
        var e = Assert.Throws<SystemValidationException>(() => CompiledSystem.Compile(OneItem("actual(income) / budget(income) * 100", "≥" + new string('9', 100_000) + "%")));
        var problem = Assert.Single(e.Problems);
        Assert.Equal("indicators[0].target", problem.Field);
        Assert.Contains($"at most {InputLimits.TargetMaxLength} characters", problem.Description);
        Assert.True(problem.Description.Length < 400, problem.Description.Length.ToString());
    }

    [Fact]
    public void A_system_of_more_than_500_items_is_refused()
    {
        var system = OneItem("");
        for (var i = 1; i <= InputLimits.SystemMaxIndicators; i++)
            system.Indicators.Add(system.Indicators[0].Clone());
        var e = Assert.Throws<SystemValidationException>(() => CompiledSystem.Compile(system));
        Assert.Equal("indicators", Assert.Single(e.Problems).Field);
    }

    const string BillionLaughs = """
        system_code: laughs
        version: 1
        name: 笑
        subject_kind: resident-fund
        levels:
        - name: 产出指标
          children:
          - name: 数量指标
            indicators: &a
            - {code: a, name: 甲, target: 全覆盖, weight: "100"}
            - {code: a, name: 甲, target: 全覆盖, weight: "100"}
          - name: 质量指标
            indicators: *a
        """;

    [Fact]
    public void A_system_file_with_yaml_aliases_is_refused_before_it_expands()
    {
        var e = Assert.Throws<SystemValidationException>(() => SystemFiles.Read(BillionLaughs));
        var problem = Assert.Single(e.Problems);
        Assert.Equal("file", problem.Field);
        Assert.Contains("anchors and aliases", problem.Description);
    }

    [Fact]
    public void A_system_file_nested_without_bound_is_refused_by_its_depth()
    {
        var deep = "system_code: x\nnotes: " + new string('[', 50_000) + new string(']', 50_000) + "\n";
        var e = Assert.Throws<SystemValidationException>(() => SystemFiles.Read(deep));
        Assert.Contains($"nested deeper than {InputLimits.SystemFileMaxNesting}", Assert.Single(e.Problems).Description);
        var json = "{\"system_code\": \"x\", \"notes\": " + new string('[', 50_000) + new string(']', 50_000) + "}";
        Assert.Contains("nested deeper", Assert.Single(Assert.Throws<SystemValidationException>(() => SystemFiles.Read(json)).Problems).Description);
    }

    [Fact]
    public void A_system_file_of_more_than_500_items_is_refused()
    {
        var items = string.Concat(Enumerable.Range(0, InputLimits.SystemMaxIndicators + 1).Select(i => $"    - {{code: i{i}, name: 项, target: 全覆盖, weight: \"0.1\"}}\n"));
        var yaml = $"system_code: many\nversion: 1\nname: 多\nsubject_kind: resident-fund\nlevels:\n- name: 产出指标\n  children:\n  - name: 数量指标\n    indicators:\n{items}";
        var e = Assert.Throws<SystemValidationException>(() => SystemFiles.Read(yaml));
        Assert.Equal("levels", Assert.Single(e.Problems).Field);
    }

    [Fact]
    public void A_system_file_larger_than_a_megabyte_is_refused()
    {
        var e = Assert.Throws<SystemValidationException>(() => SystemFiles.Read("notes: " + new string('x', InputLimits.SystemFileMaxLength)));
        Assert.Equal("file", Assert.Single(e.Problems).Field);
    }

    [Fact]
    public async Task DefineSystem_with_a_formula_of_50000_nested_parentheses_is_invalid_argument_at_system_indicators_0_formula()
    {
        var api = new PerfEval.Indicator.Api.IndicatorApi(null!, null!, null!, null!); // refused before the store is touched
        var request = new DefineSystemRequest { RequestId = Guid.NewGuid().ToString(), RegionCode = "650000", System = OneItem(Nested(50_000)) };
        var e = await Assert.ThrowsAsync<PerfEval.SharedKernel.Errors.InvalidRequestException>(() => api.DefineSystem(request, new TestCallContext()));
        Assert.Equal("system.indicators[0].formula", Assert.Single(e.Violations).Field);
        var deep = new DefineSystemRequest { RequestId = Guid.NewGuid().ToString(), RegionCode = "650000", System = OneItem(Nested(500)) };
        var nested = await Assert.ThrowsAsync<PerfEval.SharedKernel.Errors.InvalidRequestException>(() => api.DefineSystem(deep, new TestCallContext()));
        Assert.StartsWith("nesting deeper than 64", Assert.Single(nested.Violations).Description);
    }

    [Fact]
    public async Task ImportSystem_with_yaml_aliases_is_invalid_argument_at_file_text_file()
    {
        var api = new PerfEval.Indicator.Api.IndicatorApi(null!, null!, null!, null!);
        var e = await Assert.ThrowsAsync<PerfEval.SharedKernel.Errors.InvalidRequestException>(() =>
            api.ImportSystem(new ImportSystemRequest { RequestId = Guid.NewGuid().ToString(), RegionCode = "650000", FileText = BillionLaughs }, null!));
        Assert.Equal("file_text.file", Assert.Single(e.Violations).Field);
    }

    /// <summary>Just enough of a call for an API method that refuses before any I/O.</summary>
    sealed class TestCallContext : Grpc.Core.ServerCallContext
    {
        protected override string MethodCore => "/test";
        protected override string HostCore => "localhost";
        protected override string PeerCore => "ipv4:127.0.0.1:1";
        protected override DateTime DeadlineCore => DateTime.MaxValue;
        protected override Grpc.Core.Metadata RequestHeadersCore { get; } = [];
        protected override CancellationToken CancellationTokenCore => CancellationToken.None;
        protected override Grpc.Core.Metadata ResponseTrailersCore { get; } = [];
        protected override Grpc.Core.Status StatusCore { get; set; }
        protected override Grpc.Core.WriteOptions? WriteOptionsCore { get; set; }
        protected override Grpc.Core.AuthContext AuthContextCore => new(null, []);
        protected override Grpc.Core.ContextPropagationToken CreatePropagationTokenCore(Grpc.Core.ContextPropagationOptions? options) => throw new NotSupportedException();
        protected override Task WriteResponseHeadersAsyncCore(Grpc.Core.Metadata responseHeaders) => Task.CompletedTask;
    }
}
