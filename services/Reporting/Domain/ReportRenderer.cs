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

public static class ReportRenderer
{
    /// <summary>The formats every version is stored in: the table, and the report three ways.</summary>
    public static readonly IReadOnlyList<string> Formats = ["xlsx", "docx", "html", "markdown"];

    public static RenderedReport Render(ReportModel model, ReportTemplates templates)
    {
        // A machine without SkiaSharp's native library (or fontconfig) still gets its report, without charts:
        // the tables and text carry every figure; the caller logs why the charts are missing.
        IReadOnlyList<Chart> charts;
        var chartsError = "";
        try
        {
            charts = Charts.Render(model);
        }
        catch (Exception ex) when (ex is DllNotFoundException or TypeInitializationException or BadImageFormatException)
        {
            charts = [];
            chartsError = ex.GetBaseException().Message;
        }
        return new RenderedReport(
        [
            ReportFile.Of("xlsx", XlsxRenderer.Render(model)),
            ReportFile.Of("docx", DocxRenderer.Render(model, charts, templates)),
            ReportFile.Of("html", NarrativeReport.Html(model, charts, templates)),
            ReportFile.Of("markdown", NarrativeReport.Markdown(model, charts, templates)),
        ]) { ChartsError = chartsError };
    }

    /// <summary>File extension per format, for downloads written to disk.</summary>
    public static string Extension(string format) => format == "markdown" ? "md" : format;
}
