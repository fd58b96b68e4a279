using System.Globalization;
using PerfEval.Contracts.Indicator.V1;

namespace PerfEval.Indicator.Domain;

/// <summary>
/// Reconciliation (核对差异): a declared actual is a figure a bureau typed; PerfEval never overwrites it
/// with the computed value, it reports the difference. Reports round and sometimes truncate to two
/// decimals, so differences up to 0.01 in the indicator's unit are not findings.
/// </summary>
public static class Findings
{
    public const decimal Tolerance = 0.01m;

    public static IReadOnlyList<ReconciliationFinding> Reconcile(IEnumerable<(string Code, decimal Value)> declared,
        IReadOnlyDictionary<string, ComputedValue> computed)
    {
        var findings = new List<ReconciliationFinding>();
        foreach (var (code, declaredValue) in declared)
        {
            computed.TryGetValue(code, out var value);
            var finding = new ReconciliationFinding
            {
                IndicatorCode = code,
                IndicatorName = value?.Name ?? "",
                Unit = value?.Unit ?? "",
                DeclaredValue = declaredValue.ToString(CultureInfo.InvariantCulture),
                ComputedValue = value?.ValueText ?? "",
            };
            if (value?.Value is not { } actual)
            {
                finding.Kind = FindingKind.DeclaredActualWithoutValue;
                finding.Message = value is null
                    ? $"{code} is declared as {declaredValue} but the bound system has no such computed item"
                    : $"{value.Name} is declared as {declaredValue}{value.Unit} but has no computed value: {value.NoValueReason}";
                if (value is not null)
                    finding.MissingInputs.AddRange(value.MissingInputs.Select(m => m.ToContract()));
                findings.Add(finding);
                continue;
            }
            // Values stored before the door checked their range can be near decimal's end: their
            // difference may overflow, which is still a mismatch, not a failure of the whole call.
            var difference = Difference(declaredValue, actual);
            if (difference is { } small && Math.Abs(small) <= Tolerance)
                continue;
            finding.Kind = FindingKind.DeclaredActualMismatch;
            finding.Difference = difference?.ToString(CultureInfo.InvariantCulture) ?? "";
            finding.Message = $"{value.Name}: declared {declaredValue}{value.Unit}, computed {Math.Round(actual, 2, MidpointRounding.AwayFromZero)}{value.Unit} (difference {(difference is { } d ? Math.Round(d, 2, MidpointRounding.AwayFromZero).ToString(CultureInfo.InvariantCulture) : "beyond the range of a decimal number")})";
            findings.Add(finding);
        }
        foreach (var value in computed.Values.Where(v => v.ZeroDenominator).OrderBy(v => v.Code, StringComparer.Ordinal))
            findings.Add(new ReconciliationFinding
            {
                Kind = FindingKind.ZeroDenominator,
                IndicatorCode = value.Code,
                IndicatorName = value.Name,
                Unit = value.Unit,
                Message = $"{value.Name}: {value.NoValueReason}",
            });
        return findings;
    }

    static decimal? Difference(decimal declared, decimal computed)
    {
        try
        {
            return declared - computed;
        }
        catch (OverflowException)
        {
            return null;
        }
    }
}
