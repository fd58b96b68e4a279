using System.Text.RegularExpressions;
using PerfEval.Hosting.Evaluations;

namespace PerfEval.Ledger.Domain;

/// <summary>
/// GB/T 2260 codes as a tree: "xx0000" a province, "xxyy00" a city (prefecture), anything else a
/// county, whose parent is its city ("653129" → "653100") or, for a county directly under a
/// province (省直辖县级, "429004"), the province.
/// </summary>
public static partial class RegionCodes
{
    public static int Level(string code) => code.EndsWith("0000", StringComparison.Ordinal) ? 1 : code.EndsWith("00", StringComparison.Ordinal) ? 2 : 3;

    public static string Province(string code) => code[..2] + "0000";

    /// <summary>Null when the code's shape is right, else why not.</summary>
    public static string? CheckShape(string code) => EvaluationKeys.CheckRegionCode(code);

    /// <summary>Null when <paramref name="parentCode"/> can be the parent of <paramref name="code"/>, else why not.</summary>
    public static string? CheckParent(string code, string? parentCode)
    {
        var level = Level(code);
        if (level == 1)
            return parentCode is null ? null : "a province has no parent";
        if (parentCode is null)
            return "a city or county needs a parent";
        if (level == 2)
            return parentCode == Province(code) ? null : $"the parent of city {code} must be its province {Province(code)}";
        var city = code[..4] + "00";
        return parentCode == city || (code[2..4] == "90" && parentCode == Province(code)) ? null
            : $"the parent of county {code} must be its city {city}";
    }
}
