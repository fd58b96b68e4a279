using ClosedXML.Excel;
using PerfEval.Reporting.Domain;

namespace PerfEval.Reporting.Application.Rendering;

/// <summary>
/// 绩效自评表 as .xlsx, laid out as the seeds' tables (Jiashi 2020): a header block, then one row
/// per 三级指标 with the 一级 and 二级 cells merged down their children. Eight columns A–H.
/// Money in 万元 and percentages are numbers with two-decimal formats, so the sheet still adds up.
/// </summary>
public static class XlsxRenderer
{
    public const string SheetName = "绩效自评表";
    const string MoneyFormat = "0.00";
    const string PercentFormat = "0.00%";
    const int LastColumn = 8;
    static readonly double[] Widths = [12, 16, 32, 15, 15, 7, 7, 32];
    const double LineHeight = 14;

    public static byte[] Render(ReportModel model)
    {
        using var workbook = new XLWorkbook();
        workbook.Properties.Title = Title(model);
        workbook.Properties.Author = model.ResponsibleUnit;
        workbook.Properties.Created = model.ReportDate.ToDateTime(TimeOnly.MinValue);
        workbook.Properties.Modified = model.ReportDate.ToDateTime(TimeOnly.MinValue);
        var sheet = workbook.Worksheets.Add(SheetName);
        sheet.Style.Font.FontName = "宋体";
        sheet.Style.Font.FontSize = 10;
        sheet.Style.Alignment.WrapText = true;
        sheet.Style.Alignment.Vertical = XLAlignmentVerticalValues.Center;
        for (var c = 0; c < Widths.Length; c++)
            sheet.Column(c + 1).Width = Widths[c];

        var row = TitleBlock(sheet, model);
        row = model.TableKind == SelfEvaluationTableKind.TransferRegional ? TransferHeader(sheet, model, row) : ProjectHeader(sheet, model, row);
        var tableTop = row;
        row = Indicators(sheet, model, row);
        if (model.TableKind == SelfEvaluationTableKind.ScoredProject)
        {
            Merge(sheet, row, 1, row, 5, "总分").Style.Font.Bold = true;
            Number(sheet.Cell(row, 6), model.Indicators.Sum(r => r.Weight ?? 0m) + (model.Budget.Weight ?? 0m), MoneyFormat);
            if (model.Total is { } total)
                Number(sheet.Cell(row, 7), Display.Round2(total), MoneyFormat);
            else
                sheet.Cell(row, 7).Value = Display.NoData;
            sheet.Cell(row, 8).Value = $"评价等级：{(model.Grade.Length == 0 ? Display.NoData : model.Grade)}"
                + (model.UnverifiedPoints is { } unverified ? $"；其中{Display.Number(unverified)}分依据填报未核实数据" : "")
                + (model.Draft ? $"；尚有{model.PendingItems}项未取得实际完成值或评价（草稿）" : "");
            row++;
        }
        var body = sheet.Range(4, 1, row - 1, LastColumn);
        body.Style.Border.OutsideBorder = XLBorderStyleValues.Thin;
        body.Style.Border.InsideBorder = XLBorderStyleValues.Thin;
        sheet.Range(tableTop, 1, row - 1, 2).Style.Alignment.Horizontal = XLAlignmentHorizontalValues.Center;

        // The block a reviewer signs under (DOMAIN.md §6): the bureau's names, 待填写 until it enters them.
        var signatories = model.Texts.Signatories;
        Merge(sheet, row + 1, 1, row + 1, 2, $"填报人：{BureauTexts.OrPending(signatories.Preparer)}");
        Merge(sheet, row + 1, 3, row + 1, 4, $"联系电话：{BureauTexts.OrPending(signatories.Phone)}");
        Merge(sheet, row + 1, 5, row + 1, 6, $"单位负责人：{BureauTexts.OrPending(signatories.UnitHead)}");
        Merge(sheet, row + 1, 7, row + 1, LastColumn, $"填报日期：{Display.Date(model.ReportDate)}");
        FitRowHeights(sheet, 4, row - 1);
        sheet.PageSetup.PageOrientation = XLPageOrientation.Landscape;
        sheet.PageSetup.PaperSize = XLPaperSize.A4Paper;
        sheet.PageSetup.FitToPages(1, 0);
        sheet.PageSetup.CenterHorizontally = true;

        var stream = new MemoryStream();
        workbook.SaveAs(stream);
        return DeterministicPackage.Normalize(stream.ToArray(), model.ReportDate);
    }

    public static string Title(ReportModel model) => model.TableKind == SelfEvaluationTableKind.TransferRegional
        ? "转移支付区域绩效自评表"
        : "项目支出绩效自评表";

    static int TitleBlock(IXLWorksheet sheet, ReportModel model)
    {
        var title = Merge(sheet, 1, 1, 1, LastColumn, Title(model) + (model.Draft ? "（草稿）" : ""));
        title.Style.Font.FontSize = 16;
        title.Style.Font.Bold = true;
        title.Style.Font.FontName = "黑体";
        Merge(sheet, 2, 1, 2, LastColumn, $"（{model.FiscalYear}年度）");
        var unit = Merge(sheet, 3, 1, 3, LastColumn, "单位：万元");
        unit.Style.Alignment.Horizontal = XLAlignmentHorizontalValues.Right;
        sheet.Range(1, 1, 2, LastColumn).Style.Alignment.Horizontal = XLAlignmentHorizontalValues.Center;
        sheet.Row(1).Height = 28;
        return 4;
    }

    static int ProjectHeader(IXLWorksheet sheet, ReportModel model, int row)
    {
        Label(sheet.Cell(row, 1), "项目名称");
        Merge(sheet, row, 2, row, LastColumn, model.SubjectName);
        row++;
        Label(sheet.Cell(row, 1), "主管部门");
        Merge(sheet, row, 2, row, 4, model.ResponsibleUnit);
        Label(sheet.Cell(row, 5), "实施单位");
        Merge(sheet, row, 6, row, LastColumn, model.ResponsibleUnit);
        row++;

        // 项目资金: labels on one row, figures below, as the seed's 预算执行情况 block.
        Merge(sheet, row, 1, row + 1, 2, "项目资金（万元）").Style.Alignment.Horizontal = XLAlignmentHorizontalValues.Center;
        string[] labels = ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"];
        for (var i = 0; i < labels.Length; i++)
            Label(sheet.Cell(row, 3 + i), labels[i]);
        var b = model.Budget;
        Money(sheet.Cell(row + 1, 3), b.InitialBudgetFen);
        Money(sheet.Cell(row + 1, 4), b.FinalBudgetFen);
        Money(sheet.Cell(row + 1, 5), b.ActualFen);
        Plain(sheet.Cell(row + 1, 6), Display.Weight(b.Weight));
        Percent(sheet.Cell(row + 1, 7), b.ExecutionRate);
        if (b.Score is { } s) Number(sheet.Cell(row + 1, 8), Display.Round2(s), MoneyFormat); else Plain(sheet.Cell(row + 1, 8), "—");
        row += 2;
        return Objectives(sheet, model, row);
    }

    static int TransferHeader(IXLWorksheet sheet, ReportModel model, int row)
    {
        Label(sheet.Cell(row, 1), "转移支付（项目）名称");
        Merge(sheet, row, 2, row, LastColumn, model.SubjectName);
        row++;
        Label(sheet.Cell(row, 1), "地方主管部门");
        Merge(sheet, row, 2, row, LastColumn, model.ResponsibleUnit);
        row++;

        // 资金投入: 全年预算数 (A), 全年执行数 (B), 预算执行率 (B/A), split 中央 / 地方 / 其他.
        Merge(sheet, row, 1, row + 4, 1, "资金投入（万元）");
        Label(Merge(sheet, row, 2, row, 3, ""), "");
        Label(Merge(sheet, row, 4, row, 5, "全年预算数（A）"), "全年预算数（A）");
        Label(Merge(sheet, row, 6, row, 7, "全年执行数（B）"), "全年执行数（B）");
        Label(sheet.Cell(row, 8), "预算执行率（B/A）");
        long? Allocated(Func<TransferFund, bool> which) =>
            model.Transfers.Any(which) ? model.Transfers.Where(which).Sum(t => t.AllocationFen) : null;
        (string Name, long? Budget, long? Actual, decimal? Rate)[] lines =
        [
            ("年度资金总额", model.Budget.FinalBudgetFen, model.Budget.ActualFen, model.Budget.ExecutionRate),
            ("其中：中央财政资金", Allocated(t => t.Level == "中央"), null, null),
            ("地方资金", Allocated(t => t.Level != "中央"), null, null),
            ("其他资金", null, null, null),
        ];
        for (var i = 0; i < lines.Length; i++)
        {
            var r = row + 1 + i;
            Merge(sheet, r, 2, r, 3, lines[i].Name);
            Money(Merge(sheet, r, 4, r, 5, "").FirstCell(), lines[i].Budget);
            Money(Merge(sheet, r, 6, r, 7, "").FirstCell(), lines[i].Actual);
            Percent(sheet.Cell(r, 8), lines[i].Rate);
        }
        row += 5;

        string[] aspects = ["分配科学性", "下达及时性", "拨付合规性", "使用规范性", "执行准确性", "预算绩效管理情况", "支出责任履行情况"];
        Merge(sheet, row, 1, row + aspects.Length, 1, "资金管理情况");
        Label(Merge(sheet, row, 2, row, 3, ""), "");
        Label(Merge(sheet, row, 4, row, 5, "情况说明"), "情况说明");
        Label(Merge(sheet, row, 6, row, LastColumn, "存在问题和改进措施"), "存在问题和改进措施");
        for (var i = 0; i < aspects.Length; i++)
        {
            var r = row + 1 + i;
            var found = model.Management.FirstOrDefault(m => m.Aspect == aspects[i]);
            Merge(sheet, r, 2, r, 3, aspects[i]);
            Merge(sheet, r, 4, r, 5, found?.Explanation ?? Display.NoData);
            Merge(sheet, r, 6, r, LastColumn, found?.ProblemsAndMeasures ?? Display.NoData);
        }
        row += aspects.Length + 1;
        return Objectives(sheet, model, row);
    }

    static int Objectives(IXLWorksheet sheet, ReportModel model, int row)
    {
        Merge(sheet, row, 1, row + 1, 1, "年度总体目标");
        Label(Merge(sheet, row, 2, row, 4, "预期目标"), "预期目标");
        Label(Merge(sheet, row, 5, row, LastColumn, "实际完成情况"), "实际完成情况");
        Merge(sheet, row + 1, 2, row + 1, 4, Text(model.OverallTarget)).Style.Alignment.Horizontal = XLAlignmentHorizontalValues.Left;
        Merge(sheet, row + 1, 5, row + 1, LastColumn, Text(model.OverallResult)).Style.Alignment.Horizontal = XLAlignmentHorizontalValues.Left;
        sheet.Row(row + 1).Height = 60;
        return row + 2;
    }

    static int Indicators(IXLWorksheet sheet, ReportModel model, int row)
    {
        var scored = model.TableKind == SelfEvaluationTableKind.ScoredProject;
        string[] heads = scored
            ? ["一级指标", "二级指标", "三级指标", "指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
            : ["一级指标", "二级指标", "三级指标", "指标值", "全年实际完成值", "未完成原因和改进措施"];
        for (var i = 0; i < heads.Length; i++)
            Label(sheet.Cell(row, i + 1), heads[i]);
        if (!scored)
            Merge(sheet, row, 6, row, LastColumn, heads[5]).Style.Font.Bold = true;
        row++;
        if (model.Indicators.Count == 0)
        {
            Merge(sheet, row, 1, row, LastColumn, Display.NoData);
            return row + 1;
        }
        foreach (var level1 in model.ByLevel1())
        {
            var level1Top = row;
            foreach (var level2 in level1.GroupBy(r => r.Level2))
            {
                var level2Top = row;
                foreach (var item in level2)
                {
                    sheet.Cell(row, 3).Value = item.Name;
                    Plain(sheet.Cell(row, 4), item.Target);
                    Plain(sheet.Cell(row, 5), item.Actual);
                    if (scored)
                    {
                        if (item.Weight is { } w) Number(sheet.Cell(row, 6), w, "0.##"); else Plain(sheet.Cell(row, 6), "—");
                        if (item.Score is { } s) Number(sheet.Cell(row, 7), Display.Round2(s), MoneyFormat); else Plain(sheet.Cell(row, 7), "—");
                        sheet.Cell(row, 8).Value = item.DeviationNote;
                    }
                    else
                        Merge(sheet, row, 6, row, LastColumn, item.DeviationNote);
                    row++;
                }
                Merge(sheet, level2Top, 2, row - 1, 2, level2.Key);
            }
            Merge(sheet, level1Top, 1, row - 1, 1, level1.Key);
        }
        return row;
    }

    /// <summary>
    /// Viewers do not grow a row for wrapped text that a library wrote, so each row gets the height its
    /// longest cell needs: a CJK character is about 1.5 column-width units at 10 pt (measured in LibreOffice).
    /// </summary>
    static void FitRowHeights(IXLWorksheet sheet, int firstRow, int lastRow)
    {
        for (var r = firstRow; r <= lastRow; r++)
        {
            var lines = 1;
            foreach (var cell in sheet.Row(r).CellsUsed())
            {
                var width = cell.IsMerged()
                    ? cell.MergedRange().Columns().Sum(c => Widths[c.ColumnNumber() - 1])
                    : Widths[cell.Address.ColumnNumber - 1];
                var rows = cell.IsMerged() ? cell.MergedRange().RowCount() : 1;
                var units = cell.GetFormattedString().Sum(ch => ch > 0x2E80 ? 1.5 : 0.8);
                lines = Math.Max(lines, (int)Math.Ceiling(units / Math.Max(1, width - 1) / rows));
            }
            sheet.Row(r).Height = Math.Max(sheet.Row(r).Height, lines * LineHeight + 4);
        }
    }

    static IXLRange Merge(IXLWorksheet sheet, int r1, int c1, int r2, int c2, string text)
    {
        var range = sheet.Range(r1, c1, r2, c2);
        if (r1 != r2 || c1 != c2)
            range.Merge();
        if (text.Length > 0)
            range.FirstCell().Value = text;
        return range;
    }

    static void Label(IXLCell cell, string text)
    {
        if (text.Length > 0)
            cell.Value = text;
        cell.Style.Font.Bold = true;
        cell.Style.Alignment.Horizontal = XLAlignmentHorizontalValues.Center;
    }

    static void Label(IXLRange range, string text)
    {
        Label(range.FirstCell(), text);
        range.Style.Alignment.Horizontal = XLAlignmentHorizontalValues.Center;
    }

    /// <summary>Text cells are typed as text so a target such as "=280" is never read as a formula or number.</summary>
    static void Plain(IXLCell cell, string text)
    {
        cell.SetValue(text);
        cell.DataType = XLDataType.Text;
        cell.Style.Alignment.Horizontal = XLAlignmentHorizontalValues.Center;
    }

    static void Number(IXLCell cell, decimal value, string format)
    {
        // Callers round for display first (a percentage is rounded in percent, then divided by 100).
        cell.Value = value;
        cell.Style.NumberFormat.Format = format;
        cell.Style.Alignment.Horizontal = XLAlignmentHorizontalValues.Center;
    }

    static void Money(IXLCell cell, long? fen)
    {
        if (fen is { } f) Number(cell, Display.Round2(Display.WanYuan(f)), MoneyFormat); else Plain(cell, Display.NoData);
    }

    static void Percent(IXLCell cell, decimal? percent)
    {
        if (percent is { } p) Number(cell, Display.Round2(p) / 100m, PercentFormat); else Plain(cell, Display.NoData);
    }

    static string Text(string text) => text.Length == 0 ? Display.NoData : text;
}
