using System.Security.Cryptography;
using System.Text;

namespace PerfEval.Reporting.Domain;

/// <summary>One stored file of a report version, with the lower-case hex SHA-256 of its bytes.</summary>
public sealed record ReportFile(string Format, byte[] Content, string Sha256)
{
    public static ReportFile Of(string format, byte[] content) => new(format, content, Convert.ToHexStringLower(SHA256.HashData(content)));
}

/// <summary>Every format of one report version, and the hash that identifies the set.</summary>
public sealed record RenderedReport(IReadOnlyList<ReportFile> Files)
{
    /// <summary>Why the charts are missing (no native graphics library on this machine), else empty.</summary>
    public string ChartsError { get; init; } = "";

    /// <summary>SHA-256 over "format:sha256\n" per format, by format name.</summary>
    public string ContentSha256 => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
        string.Concat(Files.OrderBy(f => f.Format, StringComparer.Ordinal).Select(f => $"{f.Format}:{f.Sha256}\n")))));
}
