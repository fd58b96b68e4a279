using System.Text.RegularExpressions;
using PerfEval.Contracts.Common.V1;
using PerfEval.Hosting.Errors;
using PerfEval.SharedKernel.Errors;

namespace PerfEval.Hosting.Evaluations;

/// <summary>The shared evaluation key "653129/resident-fund/2020" and the rules of its parts.</summary>
public static partial class EvaluationKeys
{
    public const int EarliestFiscalYear = 2000;
    public const int LatestFiscalYear = 2100;

    // \z, not $: $ also matches before a final "\n", so "653129\n" would pass as a region code.
    [GeneratedRegex(@"^[0-9]{6}\z")]
    private static partial Regex RegionCodeShape();

    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]{0,63}\z")]
    private static partial Regex SubjectCodeShape();

    public static string Format(string regionCode, string subjectCode, int fiscalYear) => $"{regionCode}/{subjectCode}/{fiscalYear}";

    public static string Format(EvaluationKey key) => Format(key.RegionCode, key.SubjectCode, key.FiscalYear);

    /// <summary>The key <see cref="Format(EvaluationKey)"/> wrote (as stored in a key column), or null for other text.</summary>
    public static EvaluationKey? Parse(string text)
    {
        var parts = text.Split('/');
        return parts.Length == 3 && int.TryParse(parts[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var year)
            ? new EvaluationKey { RegionCode = parts[0], SubjectCode = parts[1], FiscalYear = year }
            : null;
    }

    /// <summary>A GB/T 2260 code has six digits; the first two name a province (11–82).</summary>
    public static string? CheckRegionCode(string code)
    {
        if (!RegionCodeShape().IsMatch(code))
            return "must be a six-digit GB/T 2260 administrative division code, e.g. \"653129\"";
        var province = int.Parse(code.AsSpan(0, 2));
        return province is < 11 or > 82 ? "the first two digits must name a province (11 to 82)" : null;
    }

    public static string? CheckSubjectCode(string code) =>
        SubjectCodeShape().IsMatch(code) ? null : "must be 1 to 64 lower-case letters, digits or '-', starting with a letter or digit";

    public static string? CheckFiscalYear(int year) =>
        year is >= EarliestFiscalYear and <= LatestFiscalYear ? null : $"must be a year from {EarliestFiscalYear} to {LatestFiscalYear}";

    /// <summary>Adds a violation per bad part of <paramref name="key"/>, under the field path <paramref name="field"/>.</summary>
    public static void Validate(EvaluationKey? key, string field, FieldViolations violations)
    {
        if (key is null)
        {
            violations.Add(field, "is required");
            return;
        }
        if (CheckRegionCode(key.RegionCode) is { } region)
            violations.Add($"{field}.region_code", region);
        if (CheckSubjectCode(key.SubjectCode) is { } subject)
            violations.Add($"{field}.subject_code", subject);
        if (CheckFiscalYear(key.FiscalYear) is { } year)
            violations.Add($"{field}.fiscal_year", year);
    }
}
