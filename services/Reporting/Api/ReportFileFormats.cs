using PerfEval.Contracts.Events.V1;

namespace PerfEval.Reporting.Api;

/// <summary>The contract's report file formats and the renderer's format names ("xlsx", "markdown" …), stored as text.</summary>
public static class ReportFileFormats
{
    public static string Name(ReportFileFormat format) => format switch
    {
        ReportFileFormat.Xlsx => "xlsx",
        ReportFileFormat.Docx => "docx",
        ReportFileFormat.Html => "html",
        ReportFileFormat.Markdown => "markdown",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "not a report file format"),
    };

    public static ReportFileFormat FromName(string name) => name switch
    {
        "xlsx" => ReportFileFormat.Xlsx,
        "docx" => ReportFileFormat.Docx,
        "html" => ReportFileFormat.Html,
        "markdown" => ReportFileFormat.Markdown,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "not a report file format"),
    };

    public static bool IsKnown(ReportFileFormat format) => format != ReportFileFormat.Unspecified && Enum.IsDefined(format);
}
