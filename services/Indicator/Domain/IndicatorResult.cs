namespace PerfEval.Indicator.Domain;

/// <summary>
/// A computed indicator value, or the reason it has none. Missing data is never 0, and a zero
/// denominator is a finding, not a number.
/// </summary>
public sealed record IndicatorResult(string Code, string Name, string Unit, decimal? Value, string NoValueReason, IReadOnlyList<IndicatorInput> Inputs)
{
    public string ValueText => Value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "";
}

/// <summary>One input of a computed value, for lineage: what was read, and its amount.</summary>
public sealed record IndicatorInput(string Source, string Name, long AmountFen);
