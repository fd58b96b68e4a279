namespace PerfEval.Scoring.Domain;

/// <summary>A grade band: totals from <see cref="LowerBound"/> (inclusive) earn <see cref="Label"/>.</summary>
public sealed record GradeBand(decimal LowerBound, string Label);

/// <summary>Grade bands, highest first. The default is the finance ministry's 优/良/中/差.</summary>
public sealed class Grades(IReadOnlyList<GradeBand> bands)
{
    public static readonly Grades Default = new([new(90m, "优"), new(80m, "良"), new(60m, "中"), new(0m, "差")]);

    public string For(decimal total) =>
        bands.OrderByDescending(b => b.LowerBound).FirstOrDefault(b => total >= b.LowerBound)?.Label
        ?? throw new ArgumentOutOfRangeException(nameof(total), total, "no grade band covers this total");
}
