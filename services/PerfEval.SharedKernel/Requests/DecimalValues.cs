namespace PerfEval.SharedKernel.Requests;

/// <summary>
/// The range of decimal values a request may carry (declared figures, observations, declared actuals):
/// far beyond any fund's statistics, and small enough that products and sums of a few of them stay
/// inside .NET's decimal (about 7.9 × 10^28), so a stored value never fails a later computation.
/// </summary>
public static class DecimalValues
{
    /// <summary>Digits before the decimal point ("413449", "300.39").</summary>
    public const int MaxIntegerDigits = 15;

    /// <summary>Digits after it ("98.123456").</summary>
    public const int MaxDecimalPlaces = 6;

    /// <summary>Null when a decimal as written has at most the allowed digits before and after its point, otherwise what is wrong.</summary>
    public static string? Check(string value)
    {
        var digits = value.TrimStart('+', '-');
        var dot = digits.IndexOf('.');
        var integer = (dot < 0 ? digits : digits[..dot]).TrimStart('0');
        var decimals = dot < 0 ? 0 : digits.Length - dot - 1;
        if (integer.Length > MaxIntegerDigits)
            return $"at most {MaxIntegerDigits} digits before the decimal point";
        if (decimals > MaxDecimalPlaces)
            return $"at most {MaxDecimalPlaces} digits after the decimal point";
        return null;
    }
}
