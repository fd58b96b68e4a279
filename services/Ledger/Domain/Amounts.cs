using System.Globalization;
using PerfEval.SharedKernel.Requests;

namespace PerfEval.Ledger.Domain;

/// <summary>
/// The range of money and numbers the ledger accepts: far beyond any medical-insurance fund, and small
/// enough that sums of them (a batch, a year's balances, parts of a declared total) never overflow
/// 64-bit fen or .NET's decimal. A value outside is refused at the door, naming the field, instead of
/// being stored and failing a later read.
/// </summary>
public static class Amounts
{
    /// <summary>10^15 fen (10 万亿元) per amount.</summary>
    public const long MaxFen = 1_000_000_000_000_000;

    /// <summary>10^18 fen over all lines of one batch: still nine batches short of 64-bit overflow of a balance.</summary>
    public const long MaxBatchTotalFen = 1_000_000_000_000_000_000;

    /// <summary>Digits a declared decimal value may have before and after its point ("300.39", "6.4", "98.123456"): the rule every service shares.</summary>
    public const int MaxIntegerDigits = DecimalValues.MaxIntegerDigits;
    public const int MaxDecimalPlaces = DecimalValues.MaxDecimalPlaces;

    /// <summary>Null when <paramref name="fen"/> is within ±<see cref="MaxFen"/>, otherwise what is wrong.</summary>
    public static string? CheckFen(long fen) =>
        fen is >= -MaxFen and <= MaxFen ? null : $"at most {MaxFen.ToString(CultureInfo.InvariantCulture)} fen in magnitude";

    /// <summary>Null when a decimal as written has at most the allowed digits before and after its point.</summary>
    public static string? CheckDecimal(string value) => DecimalValues.Check(value);
}
