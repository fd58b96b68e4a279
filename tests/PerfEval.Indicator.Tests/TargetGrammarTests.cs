using PerfEval.Contracts.Indicator.V1;
using PerfEval.Indicator.Domain;

namespace PerfEval.Indicator.Tests;

public class TargetGrammarTests
{
    /// <summary>Every target of DOMAIN.md §4, verbatim, plus the seeds' other forms.</summary>
    public static TheoryData<string> SeedTargets => new()
    {
        "≥413449人", "≥95%", "105%≥x≥95%", "=280", "≥0.69万元", "6.80%", "100%", "全覆盖", "有所提高",
        "显著提升", "按时按要求落实和执行", "有效缓解", "长期", "医疗机构≥40% 病种≥70% 基金≥30%",
        "105%≥X≥95%", "2.00%", "≥2.98万元", "≥55128人", "95%≤x≤105%", "<5%", ">0", "≤50%", "≥6个月",
    };

    [Theory]
    [MemberData(nameof(SeedTargets))]
    public void Every_seed_target_parses_and_formats_back_verbatim(string text)
    {
        var target = TargetGrammar.Parse(text);
        Assert.Equal(text, target.Text);
        Assert.Equal(text, TargetGrammar.Format(target));
    }

    [Fact]
    public void A_range_keeps_both_bounds_with_their_unit_and_direction()
    {
        var part = TargetGrammar.Parse("105%≥x≥95%").Parts.Single();
        Assert.Equal(Comparison.Between, part.Comparison);
        Assert.Equal(("95", "105", "%"), (part.Lower, part.Upper, part.Unit));
        Assert.True(part.LowerInclusive && part.UpperInclusive && part.UpperFirst);
        Assert.Equal(Direction.Range, TargetGrammar.DirectionOf(TargetGrammar.Parse("105%≥x≥95%")));
    }

    [Fact]
    public void A_compound_target_has_one_labelled_part_per_measure()
    {
        var target = TargetGrammar.Parse("医疗机构≥40% 病种≥70% 基金≥30%");
        Assert.Equal(["医疗机构", "病种", "基金"], target.Parts.Select(p => p.Label));
        Assert.All(target.Parts, p => Assert.Equal((Comparison.GreaterOrEqual, "%"), (p.Comparison, p.Unit)));
        Assert.Equal(["40", "70", "30"], target.Parts.Select(p => p.Value));
        Assert.Equal(Direction.Compound, TargetGrammar.DirectionOf(target));
    }

    [Theory]
    [InlineData("≥413449人", Comparison.GreaterOrEqual, "413449", "人", false, Direction.HigherIsBetter)]
    [InlineData("=280", Comparison.Equal, "280", "", false, Direction.Exact)]
    [InlineData("6.80%", Comparison.Equal, "6.80", "%", true, Direction.Exact)]
    [InlineData("≥0.69万元", Comparison.GreaterOrEqual, "0.69", "万元", false, Direction.HigherIsBetter)]
    [InlineData("≤50%", Comparison.LessOrEqual, "50", "%", false, Direction.LowerIsBetter)]
    public void Single_comparisons_keep_value_and_unit(string text, Comparison comparison, string value, string unit, bool bare, Direction direction)
    {
        var target = TargetGrammar.Parse(text);
        var part = target.Parts.Single();
        Assert.Equal((comparison, value, unit, bare), (part.Comparison, part.Value, part.Unit, part.BareValue));
        Assert.Equal(direction, TargetGrammar.DirectionOf(target));
    }

    [Fact]
    public void A_qualitative_level_is_kept_as_its_wording()
    {
        var part = TargetGrammar.Parse("按时按要求落实和执行").Parts.Single();
        Assert.Equal((Comparison.Qualitative, "按时按要求落实和执行"), (part.Comparison, part.QualitativeText));
    }

    [Theory]
    [InlineData("", 0, "a target")]
    [InlineData("≥", 1, "a number")]
    [InlineData("≥abc", 1, "a number")]
    [InlineData("105%≥x", 6, "≥, >, ≤ or < after the range variable")]
    [InlineData("105%≥x≤95%", 6, "both signs point the same way")]
    [InlineData("105%≥x≥95人", 7, "the unit \"%\"")]
    [InlineData("医疗机构≥40% 病种", 11, "a comparison")]
    [InlineData("≥95%  ≥90%", 4, "a single space")]
    [InlineData("=28 0", 0, "a label before each part")]
    [InlineData("1.%", 2, "a digit after the decimal point")]
    public void An_unparseable_target_is_refused_with_position_and_expectation(string text, int position, string expected)
    {
        var e = Assert.Throws<TargetSyntaxException>(() => TargetGrammar.Parse(text));
        Assert.Equal(position, e.Position);
        Assert.Contains(expected, e.Expected);
    }
}
