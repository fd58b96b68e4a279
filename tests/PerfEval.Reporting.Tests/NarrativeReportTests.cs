using System.Text;
using DocumentFormat.OpenXml.Packaging;
using PerfEval.Reporting.Application.Rendering;
using PerfEval.Reporting.Domain;
using PerfEval.Reporting.Storage;
using PerfEval.Testing;

namespace PerfEval.Reporting.Tests;

public class NarrativeReportTests
{
    static readonly ReportModel Model = JiashiExample.Model();
    static readonly IReadOnlyList<Chart> ChartSet = Charts.Render(Model);

    static string Markdown(ReportModel model, ReportTemplates? templates = null) =>
        Encoding.UTF8.GetString(NarrativeReport.Markdown(model, Charts.Render(model), templates ?? ReportTemplates.Default));

    [Fact]
    public void The_report_has_the_five_sections_and_the_appendix()
    {
        var text = Markdown(Model);
        Assert.StartsWith("# 伽师县城乡居民基本医疗保险基金2020年度绩效自评报告", text);
        foreach (var heading in new[] { "## 一、基本情况", "## 二、绩效目标完成情况分析", "## 三、偏离绩效目标的原因和下一步改进措施",
                     "## 四、绩效自评结果拟应用和公开情况", "## 五、其他需要说明的问题", "## 附：核对差异" })
            Assert.Contains(heading, text);
    }

    [Fact]
    public void Jiashi_2020_resident_fund_figures_come_from_the_ledger()
    {
        var text = Markdown(Model);
        Assert.Contains("2020年度基金收入38154.63万元，收入预算执行率为105.91%", text);
        Assert.Contains("基本医疗保险费收入38154.63万元，占基金收入的100.00%，预算数36026.78万元，执行率105.91%，较上年增加3568.11万元，增幅10.32%", text);
        Assert.Contains("基本医疗保险待遇支出21040.11万元，预算数22087.64万元，执行率95.26%", text);
        Assert.Contains("未列入预算的支出共45310.34万元（上解上级支出45310.34万元），单独列示，不计入预算执行率", text);
        Assert.Contains("基金当期结余-28195.82万元；累计结余818.79万元；累计结余可支付月数0.15个月", text);
    }

    [Fact]
    public void Each_indicator_its_score_and_the_deviations_with_notes_are_stated()
    {
        var text = Markdown(Model);
        Assert.Contains("| 项目完成指标 | 数量指标 | 城乡居民医疗保险基金收入预算执行率（%） | 105%≥x≥95% | 105.91% | 5 | 4.96 |", text);
        Assert.Contains("自评总分99.49分，评价等级为“优”", text);
        Assert.Contains("1. 城乡居民医疗保险基金收入预算执行率（%）：指标值105%≥x≥95%，实际完成值105.91%，得分4.96（分值5）。收入超出预算上限", text);
        Assert.Contains("| 2 | 汇总表“执行预算”300.39%把未列预算的上解上级支出计入分子 | 66350.45万元 | 21040.11万元 | 45310.34万元 |", text);
    }

    [Fact]
    public void Sources_not_available_yet_say_no_data_instead_of_zero()
    {
        var text = Markdown(Model with { Funds = null, Findings = [], FindingsAvailable = false, Transfers = [] });
        Assert.Contains("转移支付资金下达、到账及配套情况：暂无数据。", text);
        Assert.Contains("基金收支数据：暂无数据。", text);
        Assert.Contains("填报数与账簿数的核对结果：暂无数据。", text);
    }

    [Fact]
    public void Huaibei_2023_transfers_show_allocated_clawed_back_arrived_and_matched()
    {
        var fen = Jiashi2020.Fen;
        var text = Markdown(Model with
        {
            Transfers =
            [
                new TransferFund("中央", "财社〔2022〕1号", fen(58278m), fen(707m), null, null),
                new TransferFund("省级", "皖财社〔2022〕1388号", fen(29288m), fen(807m), fen(9321.77m), fen(9322.70m)),
            ],
        });
        Assert.Contains("| 中央 | 财社〔2022〕1号 | 58278.00 | 707.00 | 57571.00 | 98.79% | 暂无数据 | 暂无数据 |", text);
        Assert.Contains("| 省级 | 皖财社〔2022〕1388号 | 29288.00 | 807.00 | 28481.00 | 97.24% | 9321.77 | 9322.70 |", text);
    }

    [Fact]
    public void The_markdown_file_carries_no_chart_links_and_the_html_inlines_the_charts()
    {
        Assert.DoesNotContain("chart:", Markdown(Model));
        var html = Encoding.UTF8.GetString(NarrativeReport.Html(Model, ChartSet, ReportTemplates.Default));
        Assert.Contains("<html lang=\"zh-CN\">", html);
        Assert.Equal(3, html.Split("src=\"data:image/png;base64,").Length - 1);
        Assert.Contains("<td>城乡居民医疗保险基金收入预算执行率（%）</td>", html);
    }

    [Fact]
    public void A_province_replaces_the_wording_with_its_own_template_file()
    {
        var folder = Directory.CreateTempSubdirectory().FullName;
        File.WriteAllText(Path.Combine(folder, ReportTemplates.MarkdownName), "{{ region_name }}自评得分{{ total }}（{{ grade }}）");
        Assert.Equal("伽师县自评得分99.49（优）", Markdown(Model, new ReportTemplates(folder)));
    }

    [Fact]
    public void The_docx_holds_the_text_the_tables_and_the_three_charts()
    {
        using var document = WordprocessingDocument.Open(new MemoryStream(DocxRenderer.Render(Model, ChartSet, ReportTemplates.Default)), false);
        var body = document.MainDocumentPart!.Document.Body!;
        var text = body.InnerText;
        Assert.Contains("伽师县城乡居民基本医疗保险基金2020年度绩效自评报告", text);
        Assert.Contains("三、偏离绩效目标的原因和下一步改进措施", text);
        Assert.Contains("收入预算执行率为105.91%", text);
        Assert.Equal(3, document.MainDocumentPart.ImageParts.Count());
        var indicatorTable = body.Elements<DocumentFormat.OpenXml.Wordprocessing.Table>().First(t => t.InnerText.Contains("三级指标"));
        Assert.Equal(15, indicatorTable.Elements<DocumentFormat.OpenXml.Wordprocessing.TableRow>().Count());
        Assert.Equal("2021-02-20", document.PackageProperties.Created?.ToString("yyyy-MM-dd"));
    }

    [Fact]
    public void Docx_html_markdown_and_charts_render_the_same_bytes_twice()
    {
        var docx = DocxRenderer.Render(Model, ChartSet, ReportTemplates.Default);
        var html = NarrativeReport.Html(Model, ChartSet, ReportTemplates.Default);
        Thread.Sleep(1100);
        var charts = Charts.Render(Model);
        Assert.Equal(ChartSet.Select(c => c.Png), charts.Select(c => c.Png));
        Assert.Equal(docx, DocxRenderer.Render(Model, charts, ReportTemplates.Default));
        Assert.Equal(html, NarrativeReport.Html(Model, charts, ReportTemplates.Default));
    }

    [Fact]
    public void Charts_are_png_images_for_income_budget_and_scores()
    {
        Assert.Equal([Charts.IncomeComposition, Charts.BudgetVsActual, Charts.ScoreByLevel1], ChartSet.Select(c => c.Id));
        Assert.All(ChartSet, c => Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], c.Png.Take(4)));
    }
}
