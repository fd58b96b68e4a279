using PerfEval.Reporting.Domain;
using PerfEval.Reporting.Storage;

namespace PerfEval.Reporting.Application.Rendering;

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
