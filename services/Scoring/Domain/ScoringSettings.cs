namespace PerfEval.Scoring.Domain;

/// <summary>
/// Scoring configuration (section "Scoring"): grade bands, by default and per system code, and the
/// in-year monitoring thresholds. Provinces that grade 一等…四等 configure their labels here.
/// </summary>
public sealed class ScoringSettings
{
    /// <summary>Default grade bands; empty means 优 [90, 100], 良 [80, 90), 中 [60, 80), 差 [0, 60).</summary>
    public List<GradeBand> Grades { get; set; } = [];

    /// <summary>Grade bands of particular systems, by system code.</summary>
    public Dictionary<string, List<GradeBand>> SystemGrades { get; set; } = [];

    /// <summary>Monitoring thresholds, by default and per system code.</summary>
    public MonitoringThresholds Monitoring { get; set; } = new();
    public Dictionary<string, MonitoringThresholds> SystemMonitoring { get; set; } = [];

    /// <summary>How often open years' colours are re-evaluated against the calendar, in minutes.</summary>
    public int MonitoringSweepMinutes { get; set; } = 60;

    public Grades GradesFor(string systemCode) =>
        SystemGrades.TryGetValue(systemCode, out var bands) && bands.Count > 0 ? new Grades(bands)
        : Grades.Count > 0 ? new Grades(Grades) : Domain.Grades.Default;

    public MonitoringThresholds MonitoringFor(string systemCode) => SystemMonitoring.GetValueOrDefault(systemCode) ?? Monitoring;
}
