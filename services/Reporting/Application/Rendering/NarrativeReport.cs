using System.Text;
using System.Text.RegularExpressions;
using Markdig;
using Scriban;
using Scriban.Runtime;
using PerfEval.Reporting.Domain;
using PerfEval.Reporting.Storage;

namespace PerfEval.Reporting.Application.Rendering;

/// <summary>Markdown and HTML renderings of the 绩效自评报告, and the Markdown that the docx is built from.</summary>
public static partial class NarrativeReport
{
    static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UsePipeTables().DisableHtml().Build(); // bureau texts are printed as text, never as markup a portal would run

    public static MarkdownPipeline MarkdownPipeline => Pipeline;

    /// <summary>The template's output, with chart:ID image links where charts go.</summary>
    public static string Source(ReportModel model, IReadOnlyList<Chart> charts, ReportTemplates templates)
    {
        var context = new TemplateContext { StrictVariables = false, MemberRenamer = m => m.Name };
        var globals = ReportView.Build(model, charts);
        context.PushGlobal(globals);
        return templates.Markdown.Render(context).Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    /// <summary>Markdown file: the same text; chart links are dropped since a .md file cannot carry the images.</summary>
    public static byte[] Markdown(ReportModel model, IReadOnlyList<Chart> charts, ReportTemplates templates) =>
        Encoding.UTF8.GetBytes(BlankLines().Replace(ChartLine().Replace(Source(model, charts, templates), ""), "\n\n"));

    /// <summary>HTML file: one self-contained page, charts inlined as data: URIs.</summary>
    public static byte[] Html(ReportModel model, IReadOnlyList<Chart> charts, ReportTemplates templates)
    {
        var source = ChartLink().Replace(Source(model, charts, templates), m =>
            charts.FirstOrDefault(c => c.Id == m.Groups[1].Value) is { } chart ? $"(data:image/png;base64,{Convert.ToBase64String(chart.Png)})" : m.Value);
        // Border attributes as well as the CSS: LibreOffice and mail clients ignore the stylesheet's table borders.
        var body = Markdig.Markdown.ToHtml(source, Pipeline)
            .Replace("<table>", "<table border=\"1\" cellspacing=\"0\" cellpadding=\"4\">", StringComparison.Ordinal);
        var context = new TemplateContext { MemberRenamer = m => m.Name };
        var globals = new ScriptObject { ["title"] = $"{model.SubjectName}{model.FiscalYear}年度绩效自评报告", ["body"] = body };
        context.PushGlobal(globals);
        return Encoding.UTF8.GetBytes(templates.Html.Render(context).Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [GeneratedRegex(@"^!\[[^\]]*\]\(chart:[^)]*\)\n?", RegexOptions.Multiline)]
    private static partial Regex ChartLine();

    [GeneratedRegex(@"\n{3,}")]
    private static partial Regex BlankLines();

    [GeneratedRegex(@"\(chart:([a-z0-9-]+)\)")]
    private static partial Regex ChartLink();
}

/// <summary>
/// What a template sees: every figure already formatted (万元 and percentages with two decimals,
/// 暂无数据 where a source has no data), so a province's template cannot get the arithmetic wrong.
/// </summary>
static class ReportView
{
    public static ScriptObject Build(ReportModel m, IReadOnlyList<Chart> charts)
    {
        var view = new ScriptObject
        {
            ["no_data"] = Display.NoData,
            ["subject_name"] = m.SubjectName,
            ["region_name"] = m.RegionName,
            ["region_code"] = m.RegionCode,
            ["fiscal_year"] = m.FiscalYear,
            ["report_date"] = Display.Date(m.ReportDate),
            ["responsible_unit"] = Or(m.ResponsibleUnit),
            ["overall_target"] = BureauTexts.OrPending(m.OverallTarget),
            ["overall_result"] = BureauTexts.OrPending(m.OverallResult),
            ["pending"] = BureauTexts.Pending,
            ["basic_situation"] = m.Texts.BasicSituation,
            ["problems"] = BureauTexts.OrPending(m.Texts.Problems),
            ["result_application"] = BureauTexts.OrPending(m.Texts.ResultApplication),
            ["other_matters"] = m.Texts.OtherMatters,
            // Sentences drafted from data carry this mark until the bureau accepts them (DOMAIN.md §6).
            ["drafted"] = m.Texts.DraftsAccepted ? "" : "（系统依据账簿和指标数据草拟，待填报单位确认）",
            ["preparer"] = BureauTexts.OrPending(m.Texts.Signatories.Preparer),
            ["phone"] = BureauTexts.OrPending(m.Texts.Signatories.Phone),
            ["unit_head"] = BureauTexts.OrPending(m.Texts.Signatories.UnitHead),
            ["scored"] = m.Total is not null,
            ["total"] = m.Total is { } t ? Display.Number(t) : Display.NoData,
            ["grade"] = Or(m.Grade),
            ["draft"] = m.Draft,
            ["pending_items"] = m.PendingItems,
            ["unverified_points"] = m.UnverifiedPoints is { } u ? Display.Number(u) : "",
            ["versions"] = new ScriptObject
            {
                ["ledger"] = m.Inputs.LedgerVersion, ["value"] = m.Inputs.ValueVersion, ["scorecard"] = m.Inputs.ScorecardVersion,
                ["findings_ledger"] = m.Inputs.FindingsLedgerVersion, ["findings_value"] = m.Inputs.FindingsValueVersion,
            },
            ["charts"] = new ScriptObject
            {
                ["income_composition"] = charts.Any(c => c.Id == Charts.IncomeComposition),
                ["budget_vs_actual"] = charts.Any(c => c.Id == Charts.BudgetVsActual),
                ["score_by_level1"] = charts.Any(c => c.Id == Charts.ScoreByLevel1),
            },
            ["indicators"] = m.Indicators.Select(Row).ToList(),
            ["deviations"] = m.Deviations.Select(Row).ToList(),
            ["level1_subtotals"] = m.Subtotals.Where(t => t.Level2.Length == 0).Select(Subtotal).ToList(),
            ["level2_subtotals"] = m.Subtotals.Where(t => t.Level2.Length > 0).Select(Subtotal).ToList(),
            ["transfers"] = m.Transfers.Select(t => new ScriptObject
            {
                ["level"] = t.Level,
                ["document_number"] = t.DocumentNumber,
                ["allocation"] = Display.Money(t.AllocationFen),
                ["clawback"] = Display.Money(t.ClawbackFen),
                ["received"] = Display.Money(t.ReceivedFen),
                ["arrival_rate"] = Display.Percent(t.FundingArrivalRate),
                ["matching_due"] = Display.Money(t.MatchingDueFen),
                ["matching_received"] = Display.Money(t.MatchingReceivedFen),
            }).ToList(),
            ["findings_available"] = m.FindingsAvailable,
            ["findings"] = m.Findings.Select(f => new ScriptObject
            {
                ["code"] = f.Code,
                ["description"] = f.Description,
                ["declared"] = f.Declared,
                ["ledger"] = f.Compared,
                ["difference"] = f.Difference,
            }).ToList(),
        };
        if (m.Funds is { } funds)
            view["funds"] = Funds(funds);
        return view;
    }

    static ScriptObject Funds(FundFigures f) => new()
    {
        ["total_income"] = Display.Money(f.TotalIncomeFen),
        ["income_rate"] = Display.Percent(f.IncomeExecutionRate),
        ["total_expenditure"] = Display.Money(f.TotalExpenditureFen),
        ["expenditure_rate"] = Display.Percent(f.ExpenditureExecutionRate),
        ["income"] = f.Income.Select(l => Line(l, f.Share(l))).ToList(),
        ["expenditure"] = f.Expenditure.Select(l => Line(l, null)).ToList(),
        ["unbudgeted"] = f.UnbudgetedSpending.Select(l => Line(l, null)).ToList(),
        ["unbudgeted_total"] = Display.Money(f.UnbudgetedSpending.Sum(l => l.UnbudgetedFen)),
        ["period_surplus"] = Display.Money(f.PeriodSurplusFen),
        ["accumulated_balance"] = Display.Money(f.AccumulatedBalanceFen),
        ["months"] = f.MonthsOfPaymentCovered is { } months ? Display.Number(months) : Display.NoData,
        ["income_year_over_year"] = YearOverYear(f.TotalIncomeFen, f.PriorYearIncomeFen),
        ["expenditure_year_over_year"] = YearOverYear(f.TotalExpenditureFen, f.PriorYearExpenditureFen),
    };

    static ScriptObject Subtotal(ScoreSubtotal t) => new()
    {
        ["level1"] = t.Level1,
        ["level2"] = t.Level2,
        ["weight"] = Display.Weight(t.Weight),
        ["score"] = Display.Score(t.Score),
    };

    /// <summary>"较上年增加 X 万元，增幅 Y%", or "" without a prior year (the template then says nothing).</summary>
    static string YearOverYear(long actual, long? prior)
    {
        if (prior is not { } p)
            return "";
        var change = actual - p;
        var growth = p == 0 ? Display.NoData : Display.Percent(100m * Math.Abs(change) / p);
        return $"较上年{(change >= 0 ? "增加" : "减少")}{Display.Money(Math.Abs(change))}万元，{(change >= 0 ? "增幅" : "降幅")}{growth}";
    }

    static ScriptObject Line(FundLine l, decimal? share)
    {
        var yoy = YearOverYear(l.ActualFen, l.PriorYearFen);
        return new ScriptObject
        {
            ["code"] = l.Code,
            ["name"] = l.Name,
            ["actual"] = Display.Money(l.ActualFen),
            ["budget"] = Display.Money(l.BudgetFen),
            ["rate"] = Display.Percent(l.ExecutionRate),
            ["share"] = Display.Percent(share),
            ["year_over_year"] = yoy,
        };
    }

    static ScriptObject Row(IndicatorRow r) => new()
    {
        ["level1"] = r.Level1,
        ["level2"] = r.Level2,
        ["name"] = r.Name,
        ["target"] = r.Target,
        ["actual"] = r.Actual,
        ["weight"] = Display.Weight(r.Weight),
        ["score"] = Display.Score(r.Score),
        ["note"] = r.DeviationNote.Length == 0 ? "未填写偏差原因分析及改进措施。" : r.DeviationNote,
        ["score_note"] = r.ScoreNote,
    };

    static string Or(string text) => text.Length == 0 ? Display.NoData : text;
}
