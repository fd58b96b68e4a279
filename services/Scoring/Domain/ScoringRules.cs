namespace PerfEval.Scoring.Domain;

/// <summary>Scoring rules of DOMAIN.md §5 for a quantitative item of weight w.</summary>
public static class ScoringRules
{
    /// <summary>Scores are rounded half away from zero to two decimals, and only scores.</summary>
    public static decimal RoundScore(decimal score) => Math.Round(score, 2, MidpointRounding.AwayFromZero);

    /// <summary>正向 (≥): actual ≥ target earns w, otherwise w × actual ÷ target; never above w nor below 0.</summary>
    public static decimal HigherIsBetter(decimal actual, decimal target, decimal weight)
    {
        if (target <= 0)
            throw new ArgumentOutOfRangeException(nameof(target), target, "a 正向 target must be positive");
        var raw = actual >= target ? weight : weight * actual / target;
        return RoundScore(Math.Clamp(raw, 0m, weight));
    }
}
