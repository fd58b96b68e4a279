namespace PerfEval.Scoring.Domain;

/// <summary>A grade band: totals from <see cref="LowerBound"/> (inclusive) earn <see cref="Label"/>.</summary>
public sealed record GradeBand(decimal LowerBound, string Label);

/// <summary>
/// Grade bands, highest first. The default is the finance ministry's 优 [90, 100], 良 [80, 90),
/// 中 [60, 80), 差 [0, 60); provinces with other labels (一等…四等) or bounds configure their own.
/// </summary>
public sealed class Grades
{
    readonly GradeBand[] _bands;

    public Grades(IReadOnlyList<GradeBand> bands)
    {
        if (bands.Count == 0)
            throw new ArgumentException("at least one grade band is needed", nameof(bands));
        if (bands.Any(b => string.IsNullOrWhiteSpace(b.Label)))
            throw new ArgumentException("every grade band needs a label", nameof(bands));
        if (bands.Min(b => b.LowerBound) != 0m)
            throw new ArgumentException("the lowest grade band must start at 0, so every total has a grade", nameof(bands));
        if (bands.Select(b => b.LowerBound).Distinct().Count() != bands.Count)
            throw new ArgumentException("two grade bands start at the same total", nameof(bands));
        _bands = [.. bands.OrderByDescending(b => b.LowerBound)];
    }

    public static readonly Grades Default = new([new(90m, "优"), new(80m, "良"), new(60m, "中"), new(0m, "差")]);

    public IReadOnlyList<GradeBand> Bands => _bands;

    public string For(decimal total) =>
        _bands.FirstOrDefault(b => total >= b.LowerBound)?.Label
        ?? throw new ArgumentOutOfRangeException(nameof(total), total, "no grade band covers this total");
}
