using ClosedXML.Excel;
using PerfEval.Reporting.Application.Rendering;
using PerfEval.Reporting.Domain;
using PerfEval.Reporting.Storage;
using PerfEval.Testing;

namespace PerfEval.Reporting.Tests;

public class XlsxRendererTests
{
    static IXLWorksheet Read(ReportModel model) =>
        new XLWorkbook(new MemoryStream(XlsxRenderer.Render(model))).Worksheet(XlsxRenderer.SheetName);

    static IXLCell Find(IXLWorksheet sheet, string text) =>
        sheet.CellsUsed().First(c => c.GetString() == text);

    [Fact]
    public void Jiashi_2020_table_has_the_title_header_block_and_column_heads()
    {
        var sheet = Read(JiashiExample.Model());
        Assert.Equal("项目支出绩效自评表", sheet.Cell("A1").GetString());
        Assert.Equal("（2020年度）", sheet.Cell("A2").GetString());
        Assert.Equal("伽师县城乡居民基本医疗保险基金", sheet.Cell("B4").GetString());
        var head = Find(sheet, "一级指标").Address.RowNumber;
        Assert.Equal(["一级指标", "二级指标", "三级指标", "指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"],
            Enumerable.Range(1, 8).Select(c => sheet.Cell(head, c).GetString()));
    }

    [Fact]
    public void Header_money_is_in_wan_yuan_with_two_decimals_and_the_rate_in_percent()
    {
        var sheet = Read(JiashiExample.Model());
        var label = Find(sheet, "全年预算数");
        var budget = sheet.Cell(label.Address.RowNumber + 1, label.Address.ColumnNumber);
        Assert.Equal(22087.64, budget.GetDouble());
        Assert.Equal("0.00", budget.Style.NumberFormat.Format);
        Assert.Equal(21040.11, budget.CellRight().GetDouble());
        var rate = sheet.Cell(label.Address.RowNumber + 1, Find(sheet, "执行率").Address.ColumnNumber);
        Assert.Equal(0.9526, rate.GetDouble(), 10);
        Assert.Equal("0.00%", rate.Style.NumberFormat.Format);
    }

    [Fact]
    public void Level_one_and_level_two_cells_are_merged_down_their_children()
    {
        var sheet = Read(JiashiExample.Model());
        var first = Find(sheet, "参保人数（人）").Address.RowNumber;
        var merged = sheet.MergedRanges.Select(r => r.RangeAddress.ToString()).ToHashSet();
        Assert.Contains($"A{first}:A{first + 10}", merged);       // 项目完成指标: 11 items
        Assert.Contains($"B{first}:B{first + 3}", merged);        // 数量指标: 4
        Assert.Contains($"B{first + 4}:B{first + 7}", merged);    // 质量指标: 4
        Assert.Contains($"B{first + 8}:B{first + 10}", merged);   // 成本指标: 3
        Assert.Contains($"A{first + 11}:A{first + 12}", merged);  // 项目效益指标: 2
        Assert.Equal("项目完成指标", sheet.Cell(first, 1).GetString());
        Assert.Equal("质量指标", sheet.Cell(first + 4, 2).GetString());
        Assert.Equal("满意度指标", sheet.Cell(first + 13, 1).GetString());
    }

    [Fact]
    public void Item_rows_carry_target_actual_weight_score_and_deviation_note()
    {
        var sheet = Read(JiashiExample.Model());
        var row = Find(sheet, "城乡居民医疗保险基金收入预算执行率（%）").Address.RowNumber;
        Assert.Equal("105%≥x≥95%", sheet.Cell(row, 4).GetString());
        Assert.Equal("105.91%", sheet.Cell(row, 5).GetString());
        Assert.Equal(5, sheet.Cell(row, 6).GetDouble());
        Assert.Equal(4.96, sheet.Cell(row, 7).GetDouble());
        Assert.StartsWith("收入超出预算上限", sheet.Cell(row, 8).GetString());
        var cost = Find(sheet, "参保居民个人实际缴费标准（元/人/年）").Address.RowNumber;
        Assert.Equal("=280", sheet.Cell(cost, 4).GetString());
        Assert.False(sheet.Cell(cost, 4).HasFormula);
    }

    [Fact]
    public void The_total_and_grade_close_the_table()
    {
        var sheet = Read(JiashiExample.Model());
        var total = Find(sheet, "总分");
        Assert.Equal($"A{total.Address.RowNumber}:E{total.Address.RowNumber}", total.MergedRange().RangeAddress.ToString());
        Assert.Equal(100, total.Worksheet.Cell(total.Address.RowNumber, 6).GetDouble());
        Assert.Equal(99.49, total.Worksheet.Cell(total.Address.RowNumber, 7).GetDouble());
        Assert.Equal("评价等级：优", total.Worksheet.Cell(total.Address.RowNumber, 8).GetString());
    }

    [Fact]
    public void The_transfer_regional_table_is_unscored_with_funding_and_management_blocks()
    {
        var model = JiashiExample.Model() with
        {
            TableKind = SelfEvaluationTableKind.TransferRegional,
            SubjectName = "桃江县医疗服务与保障能力提升补助资金",
            Budget = new BudgetHeader(null, Jiashi2020.Fen(66m), Jiashi2020.Fen(66m), null, null),
            Transfers = [new TransferFund("中央", "益财社〔2022〕1号", Jiashi2020.Fen(66m), 0, null, null)],
            Total = null,
        };
        var sheet = Read(model);
        Assert.Equal("转移支付区域绩效自评表", sheet.Cell("A1").GetString());
        var total = Find(sheet, "年度资金总额");
        Assert.Equal(66, sheet.Cell(total.Address.RowNumber, 4).GetDouble());
        Assert.Equal(1, sheet.Cell(total.Address.RowNumber, 8).GetDouble());
        Assert.Equal(66, sheet.Cell(Find(sheet, "其中：中央财政资金").Address.RowNumber, 4).GetDouble());
        Assert.Equal("暂无数据", sheet.Cell(Find(sheet, "下达及时性").Address.RowNumber, 4).GetString());
        var head = Find(sheet, "全年实际完成值");
        Assert.Equal("未完成原因和改进措施", head.CellRight().GetString());
        Assert.DoesNotContain(sheet.CellsUsed(), c => c.GetString() == "总分" || c.GetString() == "得分");
    }

    [Fact]
    public void Rendering_twice_gives_the_same_bytes()
    {
        var first = XlsxRenderer.Render(JiashiExample.Model());
        Thread.Sleep(1100); // the libraries stamp whole seconds; cross one to prove no time leaks in
        Assert.Equal(first, XlsxRenderer.Render(JiashiExample.Model()));
    }
}
