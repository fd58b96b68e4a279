using PerfEval.Contracts.Indicator.V1;

namespace PerfEval.Scoring.Domain;

/// <summary>Warning colours of in-year monitoring (绩效运行监控, 双监控).</summary>
public enum MonitoringStatus { Green, Yellow, Red }

/// <summary>
/// Thresholds, in percent of the pro-rated target: green at or above <see cref="GreenAtPercent"/>,
/// yellow from <see cref="YellowAtPercent"/>, red below.
/// </summary>
public sealed class MonitoringThresholds
{
    public decimal GreenAtPercent { get; set; } = 100m;
    public decimal YellowAtPercent { get; set; } = 80m;
}

public sealed record MonitoredItem(string Code, string Name, decimal? Actual, decimal? ProratedTarget, decimal? ProgressPercent,
    MonitoringStatus? Status, string Basis);

/// <summary>
/// The pro-rating rule (documented in the README's scoring section):
/// <list type="bullet">
/// <item>The elapsed share of the year is calendar days through the as-of date ÷ days in the year.</item>
/// <item>Budget execution (the fixed 预算执行率 item and every item whose code ends in
/// "budget-execution-rate") runs on whole months: its target (a range's lower bound; 100% for the fixed
/// item) × completed months ÷ 12, a month counting once its last day has passed or is the as-of date.</item>
/// <item>正向 items counted in absolute units (人, 人次, 万元 …) accumulate over the year: target × elapsed share.</item>
/// <item>Rates and ratios (unit "%") and standards (等于) do not accumulate: the full target applies all year.</item>
/// <item>反向 items: progress is target ÷ actual (green while at or under the target).</item>
/// <item>Qualitative items and items without a value get no colour.</item>
/// </list>
/// Progress = actual ÷ pro-rated target, in percent.
/// </summary>
public static class InYearMonitoring
{
    public static decimal ElapsedShare(DateOnly asOf, int fiscalYear)
    {
        if (asOf.Year < fiscalYear)
            return 0m;
        if (asOf.Year > fiscalYear)
            return 1m;
        return (decimal)asOf.DayOfYear / (DateTime.IsLeapYear(fiscalYear) ? 366 : 365);
    }

    public static int CompletedMonths(DateOnly asOf, int fiscalYear)
    {
        if (asOf.Year < fiscalYear)
            return 0;
        if (asOf.Year > fiscalYear)
            return 12;
        var lastDay = DateTime.DaysInMonth(asOf.Year, asOf.Month);
        return asOf.Day == lastDay ? asOf.Month : asOf.Month - 1;
    }

    public static bool IsOpen(DateOnly asOf, int fiscalYear) => asOf <= new DateOnly(fiscalYear, 12, 31);

    public static MonitoringStatus StatusOf(decimal progressPercent, MonitoringThresholds thresholds) =>
        progressPercent >= thresholds.GreenAtPercent ? MonitoringStatus.Green
        : progressPercent >= thresholds.YellowAtPercent ? MonitoringStatus.Yellow
        : MonitoringStatus.Red;

    /// <summary>
    /// The items whose colour differs from the one last announced (<paramref name="announced"/>, by code), with
    /// that colour (null when none was announced). An item without a colour is never announced.
    /// </summary>
    public static IReadOnlyList<(MonitoredItem Item, MonitoringStatus? Previous)> ColourChanges(IEnumerable<MonitoredItem> items,
        IReadOnlyDictionary<string, MonitoringStatus> announced) =>
        [.. items
            .Where(i => i.Status is { } status && (!announced.TryGetValue(i.Code, out var before) || before != status))
            .Select(i => (i, announced.TryGetValue(i.Code, out var before) ? before : (MonitoringStatus?)null))];

    public static IReadOnlyList<MonitoredItem> Assess(IndicatorSystem system, IReadOnlyDictionary<string, decimal?> actuals, DateOnly asOf,
        int fiscalYear, MonitoringThresholds thresholds)
    {
        var elapsed = ElapsedShare(asOf, fiscalYear);
        var months = CompletedMonths(asOf, fiscalYear);
        return [.. system.Indicators.Select(d => Assess(d, actuals.GetValueOrDefault(d.Code), elapsed, months, thresholds))];
    }

    static MonitoredItem Assess(IndicatorDefinition d, decimal? actual, decimal elapsed, int months, MonitoringThresholds thresholds)
    {
        MonitoredItem None(string basis) => new(d.Code, d.Name, actual, null, null, null, basis);
        var rule = RulesEngine.RuleOf(d);
        if (actual is not { } a)
            return None("no value");
        if (rule is ItemRule.Qualitative or ItemRule.Compound)
            return None(rule == ItemRule.Qualitative ? "qualitative: assessed at year end" : "compound: scored at year end");

        var part = d.Target.Parts[0];
        if (rule == ItemRule.BudgetExecution || d.Code.EndsWith(RulesEngine.BudgetExecutionRateCode, StringComparison.Ordinal))
        {
            var full = rule == ItemRule.BudgetExecution ? 100m : Bound(part);
            var expected = full * months / 12m;
            return Status(expected, $"budget execution: {full}% × {months}/12 months");
        }
        if (rule == ItemRule.LowerIsBetter)
        {
            var target = Bound(part);
            var progress = a <= 0 ? 100m : Math.Min(100m, target / a * 100m);
            return new(d.Code, d.Name, a, target, progress, StatusOf(progress, thresholds), "反向: target ÷ actual");
        }
        var fullTarget = Bound(part);
        var accumulates = rule is ItemRule.HigherIsBetter or ItemRule.Range && d.Unit != "%" && part.Unit != "%";
        return accumulates
            ? Status(fullTarget * elapsed, $"cumulative: target × {elapsed:0.####} of the year")
            : Status(fullTarget, "rate or standard: full target all year");

        MonitoredItem Status(decimal expected, string basis)
        {
            var progress = expected <= 0 ? 100m : a / expected * 100m;
            return new(d.Code, d.Name, a, expected, progress, StatusOf(progress, thresholds), basis);
        }
    }

    static decimal Bound(TargetPart p) =>
        RulesEngine.TryParse(p.Comparison == Comparison.Between ? p.Lower : p.Value, out var v) ? v : 0m;
}
