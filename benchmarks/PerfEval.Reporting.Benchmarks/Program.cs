using System.Diagnostics;
using System.Globalization;
using PerfEval.Reporting.Application.Rendering;
using PerfEval.Reporting.Domain;
using PerfEval.Reporting.Storage;
using PerfEval.Reporting.Tests;
using PerfEval.Testing;

// Two jobs:
//   (no arguments)   time rendering the xlsx and the docx of one evaluation of about 25 items, warm, and print figures;
//   --write DIR      write the worked example (Jiashi 2020, every format, plus the transfer-regional table) to DIR.
if (args is ["--write", var folder])
{
    Directory.CreateDirectory(folder);
    var model = JiashiExample.Model();
    var rendered = ReportRenderer.Render(model, ReportTemplates.Default);
    foreach (var file in rendered.Files)
        Write(folder, $"653129-resident-fund-2020-example.{ReportRenderer.Extension(file.Format)}", file.Content);
    foreach (var chart in Charts.Render(model))
        Write(folder, $"653129-resident-fund-2020-example-{chart.Id}.png", chart.Png);
    var transfer = model with
    {
        TableKind = SelfEvaluationTableKind.TransferRegional,
        SubjectName = "伽师县城乡居民基本医疗保险补助资金",
        Transfers = [new TransferFund("中央", "新财社〔2020〕1号", Jiashi2020.Fen(15000m), 0, null, null),
                     new TransferFund("自治区", "新财社〔2020〕2号", Jiashi2020.Fen(5528m), 0, null, null)],
        Indicators = model.Indicators.Select(r => r with { Weight = null, Score = null }).ToList(),
        Total = null,
        Grade = "",
    };
    Write(folder, "653129-resident-fund-2020-example-transfer.xlsx", XlsxRenderer.Render(transfer));
    return 0;
}

var iterations = args is ["--iterations", var n] ? int.Parse(n, CultureInfo.InvariantCulture) : 50;
var evaluation = TwentyFiveItems();
var templates = ReportTemplates.Default;
Console.WriteLine($"evaluation: {evaluation.Indicators.Count} items; {iterations} timed renders per format after 5 warm-up renders");

var charts = Charts.Render(evaluation);
Measure("xlsx (绩效自评表)", () => XlsxRenderer.Render(evaluation).Length);
Measure("charts (3 PNG)", () => Charts.Render(evaluation).Sum(c => c.Png.Length));
Measure("docx (绩效自评报告, charts given)", () => DocxRenderer.Render(evaluation, charts, templates).Length);
Measure("docx incl. its charts", () => DocxRenderer.Render(evaluation, Charts.Render(evaluation), templates).Length);
Measure("all four formats", () => ReportRenderer.Render(evaluation, templates).Files.Sum(f => f.Content.Length));
using var process = Process.GetCurrentProcess();
process.Refresh();
Console.WriteLine($"peak working set: {process.PeakWorkingSet64 / 1024.0 / 1024.0:F1} MiB; managed heap now: {GC.GetTotalMemory(false) / 1024.0 / 1024.0:F1} MiB");
return 0;

void Measure(string name, Func<int> render)
{
    var size = 0;
    for (var i = 0; i < 5; i++)
        size = render();
    var times = new double[iterations];
    var allocatedBefore = GC.GetTotalAllocatedBytes(true);
    for (var i = 0; i < iterations; i++)
    {
        var watch = Stopwatch.StartNew();
        render();
        times[i] = watch.Elapsed.TotalMilliseconds;
    }
    var allocated = (GC.GetTotalAllocatedBytes(true) - allocatedBefore) / (double)iterations / 1024 / 1024;
    Array.Sort(times);
    Console.WriteLine($"{name,-34} median {times[iterations / 2],7:F1} ms  p95 {times[(int)(iterations * 0.95)],7:F1} ms  max {times[^1],7:F1} ms  " +
                      $"allocated {allocated,6:F1} MiB/render  size {size / 1024.0,7:F1} KiB");
}

static void Write(string folder, string name, byte[] content)
{
    var path = Path.Combine(folder, name);
    File.WriteAllBytes(path, content);
    Console.WriteLine(path);
}

// The worked example grown to 25 items: the 14 seed items plus 11 more under the same levels.
static ReportModel TwentyFiveItems()
{
    var model = JiashiExample.Model();
    var extra = Enumerable.Range(1, 11).Select(i => new IndicatorRow(
        i <= 6 ? "项目完成指标" : "项目效益指标", i <= 3 ? "时效指标" : i <= 6 ? "质量指标" : "经济效益指标",
        $"补充指标{i}（%）", "≥90%", $"{88 + i}.00%", 2m, i < 2 ? 1.96m : 2m, i < 2 ? "略低于目标，下一年度加强经办管理。" : "")).ToList();
    return model with { Indicators = model.Indicators.Concat(extra).OrderBy(r => r.Level1 == "满意度指标").ToList() };
}
