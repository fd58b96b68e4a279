using System.Globalization;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Hosting.Paging;

namespace PerfEval.Indicator.Api;

/// <summary>The page token of ListSystems: the (code, version) of the last system of a page.</summary>
static class SystemPageKey
{
    public static string Format(SystemSummary last) =>
        PageTokens.Encode($"{last.SystemCode}/{last.Version.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>The key after which the page starts (("", 0) for the first page), or null for a token this service did not issue.</summary>
    public static (string SystemCode, int Version)? Parse(string token)
    {
        if (PageTokens.Decode(token) is not { } key)
            return null;
        if (key.Length == 0)
            return ("", 0);
        var slash = key.LastIndexOf('/');
        return slash > 0 && int.TryParse(key.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? (key[..slash], version)
            : null;
    }
}
