using PerfEval.Hosting.Evaluations;

namespace PerfEval.Hosting.Tests;

public class EvaluationKeysTests
{
    [Fact]
    public void The_key_is_written_region_subject_year() =>
        Assert.Equal("653129/resident-fund/2020", EvaluationKeys.Format("653129", "resident-fund", 2020));

    [Theory]
    [InlineData("653129", true)]
    [InlineData("340600", true)]
    [InlineData("65312", false)]
    [InlineData("6531290", false)]
    [InlineData("65312a", false)]
    [InlineData("993129", false)]   // no province 99
    [InlineData("003129", false)]
    [InlineData("653129\n", false)] // a lookalike: $ would have let the trailing newline through
    public void Region_codes_have_six_digits_and_a_province(string code, bool valid) =>
        Assert.Equal(valid, EvaluationKeys.CheckRegionCode(code) is null);

    [Theory]
    [InlineData("resident-fund", true)]
    [InlineData("Resident", false)]
    [InlineData("-fund", false)]
    [InlineData("", false)]
    [InlineData("nl-fund\n", false)] // a lookalike subject beside "nl-fund"
    public void Subject_codes_are_lower_case_words(string code, bool valid) =>
        Assert.Equal(valid, EvaluationKeys.CheckSubjectCode(code) is null);
}
