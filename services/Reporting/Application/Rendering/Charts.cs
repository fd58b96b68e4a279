using ScottPlot;
using PerfEval.Reporting.Domain;

namespace PerfEval.Reporting.Application.Rendering;

/// <summary>A rendered chart: a stable id (used in templates as chart:id), its caption and PNG bytes.</summary>
public sealed record Chart(string Id, string Caption, byte[] Png);

/// <summary>
/// The report's charts as PNG (ScottPlot on SkiaSharp). Chinese labels need a CJK font: the
/// scripts and images install fonts-noto-cjk; <see cref="FontName"/> picks it, or whatever installed
/// font can draw Chinese (SkiaSharp.NativeAssets.Linux asks fontconfig). Colours are named in titles,
/// not legends: the CJK fonts' tall line metrics clip ScottPlot's legend rows. Same model, same machine → same bytes (no time or random input).
/// </summary>
public static class Charts
{
    public const int Width = 800;
    public const int Height = 450;
    public const string IncomeComposition = "income-composition";
    public const string BudgetVsActual = "budget-vs-actual";
    public const string ScoreByLevel1 = "score-by-level1";

    static readonly Lazy<string> Font = new(() => Fonts.Detect("基金收入构成与得分"));

    public static string FontName => Font.Value;

    public static IReadOnlyList<Chart> Render(ReportModel model)
    {
        var charts = new List<Chart>();
        if (model.Funds is { } funds && funds.Income.Any(l => l.ActualFen > 0))
            charts.Add(new Chart(IncomeComposition, "图1 基金收入构成", Income(funds)));
        if (model.Funds is { } f2 && f2.Income.Count + f2.Expenditure.Count > 0)
            charts.Add(new Chart(BudgetVsActual, "图2 预算数与执行数（按科目）", Budget(f2)));
        if (model.Indicators.Any(r => r.Weight is not null))
            charts.Add(new Chart(ScoreByLevel1, "图3 一级指标分值与得分", Scores(model)));
        return charts;
    }

    static byte[] Income(FundFigures funds)
    {
        var plot = NewPlot("基金收入构成");
        var lines = funds.Income.Where(l => l.ActualFen > 0).ToList();
        var slices = lines.Select((l, i) => new PieSlice
        {
            Value = (double)Display.WanYuan(l.ActualFen),
            Label = $"{l.Name} {Display.Money(l.ActualFen)}万元（{Display.Percent(funds.Share(l))}）",
            FillColor = Palette[i % Palette.Length],
            LabelFontName = FontName,
            LabelFontSize = 14,
        }).ToList();
        var pie = plot.Add.Pie(slices);
        pie.SliceLabelDistance = 1.25;
        plot.Axes.Frameless();
        plot.HideGrid();
        return Png(plot);
    }

    static byte[] Budget(FundFigures funds)
    {
        var plot = NewPlot("预算数（灰）与执行数（蓝），万元");
        var lines = funds.Income.Concat(funds.Expenditure).ToList();
        var bars = new List<Bar>();
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].BudgetFen is { } budget)
                bars.Add(new Bar { Position = i * 3, Value = (double)Display.WanYuan(budget), FillColor = Colors.LightGray, Label = Display.Money(budget) });
            bars.Add(new Bar { Position = i * 3 + 1, Value = (double)Display.WanYuan(lines[i].ActualFen), FillColor = Palette[0], Label = Display.Money(lines[i].ActualFen) });
        }
        var barPlot = plot.Add.Bars(bars);
        barPlot.ValueLabelStyle.FontName = FontName;
        barPlot.ValueLabelStyle.FontSize = 12;
        plot.Axes.Bottom.SetTicks(
            lines.Select((_, i) => i * 3 + 0.5).ToArray(),
            lines.Select(l => l.UnbudgetedFen != 0 ? $"{l.Name}\n（未列预算）" : l.Name).ToArray());
        plot.Axes.Bottom.TickLabelStyle.FontName = FontName;
        plot.Axes.Bottom.TickLabelStyle.FontSize = 13;
        plot.Axes.Bottom.TickLabelStyle.OffsetY = 6; // CJK glyphs sit higher than Latin ones; keep them off the frame
        plot.Axes.Margins(bottom: 0, top: 0.15);
        return Png(plot);
    }

    static byte[] Scores(ReportModel model)
    {
        var plot = NewPlot("一级指标分值（灰）与得分（橙）");
        var groups = model.ScoreByLevel1();
        var bars = new List<Bar>();
        for (var i = 0; i < groups.Count; i++)
        {
            bars.Add(new Bar { Position = i * 3, Value = (double)groups[i].Weight, FillColor = Colors.LightGray, Label = Display.Weight(groups[i].Weight) });
            bars.Add(new Bar { Position = i * 3 + 1, Value = (double)groups[i].Score, FillColor = Palette[1], Label = Display.Number(groups[i].Score) });
        }
        var barPlot = plot.Add.Bars(bars);
        barPlot.ValueLabelStyle.FontName = FontName;
        barPlot.ValueLabelStyle.FontSize = 12;
        plot.Axes.Bottom.SetTicks(groups.Select((_, i) => i * 3 + 0.5).ToArray(), groups.Select(g => g.Level1).ToArray());
        plot.Axes.Bottom.TickLabelStyle.FontName = FontName;
        plot.Axes.Bottom.TickLabelStyle.FontSize = 13;
        plot.Axes.Bottom.TickLabelStyle.OffsetY = 6; // CJK glyphs sit higher than Latin ones; keep them off the frame
        plot.Axes.Margins(bottom: 0, top: 0.15);
        return Png(plot);
    }

    static readonly Color[] Palette =
    [
        Color.FromHex("#2F5597"), Color.FromHex("#C55A11"), Color.FromHex("#548235"),
        Color.FromHex("#7030A0"), Color.FromHex("#BF9000"), Color.FromHex("#1F7A8C"),
    ];

    static Plot NewPlot(string title)
    {
        var plot = new Plot();
        plot.Font.Set(FontName);
        plot.Title(title);
        plot.Axes.Title.Label.FontName = FontName;
        return plot;
    }

    static byte[] Png(Plot plot) => plot.GetImageBytes(Width, Height, ImageFormat.Png);
}
