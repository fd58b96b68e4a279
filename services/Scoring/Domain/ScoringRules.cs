namespace PerfEval.Scoring.Domain;

/// <summary>
/// Scoring rules of DOMAIN.md §5 for one quantitative target of weight w (as the national
/// budget-performance software applies them). Each returns the unrounded score, already kept
/// inside [0, w]; the item rounds once, after deductions, so parts of a compound target do not
/// accumulate rounding.
/// </summary>
public static class ScoringRules
{
    /// <summary>Scores are rounded half away from zero to two decimals, and only scores.</summary>
    public static decimal RoundScore(decimal score) => Math.Round(score, 2, MidpointRounding.AwayFromZero);

    static decimal Clamp(decimal raw, decimal weight) => Math.Clamp(raw, 0m, weight);

    /// <summary>
    /// 正向 (≥, &gt;): actual ≥ target earns w, otherwise w × actual ÷ target. A target of 0 or less
    /// has no proportion to speak of: meeting it earns w, missing it 0.
    /// </summary>
    public static decimal HigherIsBetter(decimal actual, decimal target, decimal weight)
    {
        if (actual >= target)
            return weight;
        return target <= 0 ? 0m : Clamp(weight * actual / target, weight);
    }

    /// <summary>
    /// 反向 (≤, &lt;): actual ≤ target earns w; between target and 2 × target the score falls linearly,
    /// w × (1 − (actual − target) ÷ target); from 2 × target on it is 0. A target of 0 or less: 0 past it.
    /// </summary>
    public static decimal LowerIsBetter(decimal actual, decimal target, decimal weight)
    {
        if (actual <= target)
            return weight;
        if (target <= 0 || actual >= 2 * target)
            return 0m;
        return Clamp(weight * (1 - (actual - target) / target), weight);
    }

    /// <summary>
    /// 等于 (=, a bare value): symmetric by default, w × min ÷ max of actual and target, because
    /// over-shooting a fixed standard is not better; <paramref name="asHigherIsBetter"/> scores it as
    /// 正向 like the national software. With a target of 0: actual ≤ 0 earns w, anything else 0.
    /// </summary>
    public static decimal Exact(decimal actual, decimal target, decimal weight, bool asHigherIsBetter)
    {
        if (target == 0)
            return actual <= 0 ? weight : 0m;
        if (asHigherIsBetter)
            return HigherIsBetter(actual, target, weight);
        if (actual == target)
            return weight;
        // Opposite signs (or an actual of 0) share no proportion: nothing of the standard was met.
        if (actual == 0 || Math.Sign(actual) != Math.Sign(target))
            return 0m;
        var (small, large) = Math.Abs(actual) < Math.Abs(target) ? (actual, target) : (target, actual);
        return Clamp(weight * small / large, weight);
    }

    /// <summary>
    /// A range (105%≥x≥95%): w inside; below it scored as 正向 against the lower bound, above it as
    /// 反向 against the upper bound. An open bound (exclusive) scores its own edge as outside, which
    /// the two rules give as w anyway, so the score is continuous.
    /// </summary>
    public static decimal Range(decimal actual, decimal lower, decimal upper, decimal weight)
    {
        if (actual < lower)
            return HigherIsBetter(actual, lower, weight);
        if (actual > upper)
            return LowerIsBetter(actual, upper, weight);
        return weight;
    }

    /// <summary>
    /// 预算执行率, the fixed header item: w × rate (rate in percent ÷ 100), capped at w; 10 × rate for the
    /// usual 10-point item.
    /// </summary>
    public static decimal BudgetExecution(decimal ratePercent, decimal weight) => Clamp(weight * ratePercent / 100m, weight);
}
