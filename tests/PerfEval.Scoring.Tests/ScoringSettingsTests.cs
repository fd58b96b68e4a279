using Microsoft.Extensions.Configuration;
using PerfEval.Scoring.Domain;

namespace PerfEval.Scoring.Tests;

public class ScoringSettingsTests
{
    static ScoringSettings Bind(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection("Scoring").Get<ScoringSettings>() ?? new ScoringSettings();

    [Fact]
    public void Without_configuration_the_finance_ministry_grades_apply() =>
        Assert.Equal("良", Bind([]).GradesFor("any").For(85m));

    [Fact]
    public void A_province_configures_its_own_labels_per_system_and_monitoring_thresholds()
    {
        var settings = Bind(new()
        {
            ["Scoring:SystemGrades:hunan-2022:0:LowerBound"] = "90", ["Scoring:SystemGrades:hunan-2022:0:Label"] = "一等",
            ["Scoring:SystemGrades:hunan-2022:1:LowerBound"] = "75", ["Scoring:SystemGrades:hunan-2022:1:Label"] = "二等",
            ["Scoring:SystemGrades:hunan-2022:2:LowerBound"] = "0", ["Scoring:SystemGrades:hunan-2022:2:Label"] = "三等",
            ["Scoring:SystemMonitoring:hunan-2022:YellowAtPercent"] = "90",
        });
        Assert.Equal("二等", settings.GradesFor("hunan-2022").For(80m));
        Assert.Equal("良", settings.GradesFor("other").For(80m));
        Assert.Equal(90m, settings.MonitoringFor("hunan-2022").YellowAtPercent);
        Assert.Equal(80m, settings.MonitoringFor("other").YellowAtPercent);
    }
}
