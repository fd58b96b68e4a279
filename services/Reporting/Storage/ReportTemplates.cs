using System.Reflection;
using System.Text;
using Scriban;

namespace PerfEval.Reporting.Storage;

/// <summary>
/// The report's wording: Scriban templates (report.md.scriban, report.html.scriban). The defaults
/// ship inside the service; a province replaces them by putting files of the same name in a folder
/// (configuration Reporting:TemplateFolder), without rebuilding. Templates are parsed once.
/// </summary>
public sealed class ReportTemplates
{
    public const string MarkdownName = "report.md.scriban";
    public const string HtmlName = "report.html.scriban";

    public Template Markdown { get; }
    public Template Html { get; }

    public ReportTemplates(string? folder = null)
    {
        Markdown = Parse(MarkdownName, folder);
        Html = Parse(HtmlName, folder);
    }

    public static ReportTemplates Default { get; } = new();

    static Template Parse(string name, string? folder)
    {
        var text = folder is { Length: > 0 } && File.Exists(Path.Combine(folder, name))
            ? File.ReadAllText(Path.Combine(folder, name))
            : Embedded(name);
        var template = Template.Parse(text, name);
        if (template.HasErrors)
            throw new InvalidOperationException($"report template {name}: {string.Join("; ", template.Messages)}");
        return template;
    }

    public static string Embedded(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"PerfEval.Reporting.Templates.{name}")
            ?? throw new InvalidOperationException($"missing embedded template {name}");
        return new StreamReader(stream, Encoding.UTF8).ReadToEnd();
    }
}
