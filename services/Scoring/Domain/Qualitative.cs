namespace PerfEval.Scoring.Domain;

/// <summary>The three assessment bands of a qualitative item (定性指标), as shares of its weight.</summary>
public enum QualitativeBand
{
    /// <summary>达成年度指标: 80–100% of w.</summary>
    Achieved = 1,
    /// <summary>部分达成年度指标并具有一定效果: 60% to under 80% of w.</summary>
    PartlyAchieved = 2,
    /// <summary>未达成年度指标且效果较差: 0 to under 60% of w.</summary>
    NotAchieved = 3,
}

/// <summary>An assessor's judgment of a qualitative item: the band, the score inside it and why.</summary>
public sealed record QualitativeAssessment(QualitativeBand Band, decimal Score, string Description, string Author);

public static class QualitativeBands
{
    public static string Label(QualitativeBand band) => band switch
    {
        QualitativeBand.Achieved => "达成年度指标",
        QualitativeBand.PartlyAchieved => "部分达成年度指标并具有一定效果",
        QualitativeBand.NotAchieved => "未达成年度指标且效果较差",
        _ => throw new ArgumentOutOfRangeException(nameof(band), band, null),
    };

    /// <summary>The score range of a band for weight w: [lower, upper], upper exclusive below the top band.</summary>
    public static (decimal Lower, decimal Upper, bool UpperInclusive) Range(QualitativeBand band, decimal weight) => band switch
    {
        QualitativeBand.Achieved => (0.8m * weight, weight, true),
        QualitativeBand.PartlyAchieved => (0.6m * weight, 0.8m * weight, false),
        QualitativeBand.NotAchieved => (0m, 0.6m * weight, false),
        _ => throw new ArgumentOutOfRangeException(nameof(band), band, null),
    };

    /// <summary>Null when <paramref name="score"/> lies in the band, otherwise why it does not.</summary>
    public static string? Check(QualitativeBand band, decimal score, decimal weight)
    {
        var (lower, upper, upperInclusive) = Range(band, weight);
        var inside = score >= lower && (upperInclusive ? score <= upper : score < upper);
        if (inside)
            return null;
        var upperText = upperInclusive ? $"{upper:0.##}]" : $"{upper:0.##})";
        return $"{score} is outside the band {Label(band)} [{lower:0.##}, {upperText} for weight {weight:0.##}";
    }
}
