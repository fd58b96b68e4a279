using System.Globalization;
using ClosedXML.Excel;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.SharedKernel.Errors;

namespace PerfEval.Indicator.Application;

/// <summary>
/// Reads a bureau's 绩效目标表 workbook (first sheet) into a table: a header row naming the columns
/// 一级指标, 二级指标, 三级指标, 指标值 (or 年度指标值 / 目标值) and 分值, and optionally 单位, 计算公式,
/// 指标编码 and 数据来源 ("填报" = the bureau's declared figure), then one row per level-3 item. 一级 and
/// 二级 cells merged down their children are read from the merge's first cell, as the seeds lay them
/// out. Every problem names its cell (field "xlsx.D7").
/// </summary>
public static class TargetTableWorkbook
{
    /// <summary>Rows read at most: a table has tens of items; the cap keeps a hostile file cheap.</summary>
    public const int MaxRows = 500;

    static readonly (string Column, string[] Headers)[] Columns =
    [
        ("level1", ["一级指标"]),
        ("level2", ["二级指标"]),
        ("name", ["三级指标"]),
        ("target", ["指标值", "年度指标值", "目标值", "年度目标值"]),
        ("weight", ["分值", "权重"]),
        ("unit", ["单位", "计量单位"]),
        ("formula", ["计算公式", "公式"]),
        ("code", ["指标编码", "编码"]),
        ("source", ["数据来源", "来源"]),
    ];

    public sealed record Read(IndicatorSystem Table, IReadOnlyDictionary<int, int> RowOfItem, IReadOnlyDictionary<string, string> ColumnLetters);

    public static Read Parse(byte[] bytes, string tableName)
    {
        XLWorkbook workbook;
        try
        {
            workbook = new XLWorkbook(new MemoryStream(bytes));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidRequestException("xlsx", "is not a readable .xlsx workbook");
        }
        using (workbook)
        {
            var sheet = workbook.Worksheets.First();
            var (headerRow, columns) = FindHeader(sheet);
            var missing = new[] { "level1", "level2", "name", "target", "weight" }.Where(c => !columns.ContainsKey(c)).ToList();
            if (missing.Count > 0)
                throw new InvalidRequestException("xlsx", $"row {headerRow}: no column {string.Join("、", missing.Select(HeaderOf))}");

            var table = new IndicatorSystem { Name = tableName, ExactScoring = ExactScoring.AsHigherIsBetter };
            var rows = new Dictionary<int, int>();
            var violations = new FieldViolations();
            var last = Math.Min(sheet.LastRowUsed()?.RowNumber() ?? headerRow, headerRow + MaxRows);
            for (var row = headerRow + 1; row <= last; row++)
            {
                var name = Text(sheet, row, columns["name"]);
                if (name.Length == 0 || name is "合计" or "总分")
                    continue;
                var weightText = Text(sheet, row, columns["weight"]);
                if (!decimal.TryParse(weightText, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var weight))
                    violations.Add(Cell(columns["weight"], row), $"分值 \"{weightText}\" is not a number");
                var target = Text(sheet, row, columns["target"]);
                var sourceText = columns.TryGetValue("source", out var sc) ? Text(sheet, row, sc) : "";
                var item = new IndicatorDefinition
                {
                    Code = columns.TryGetValue("code", out var cc) && Text(sheet, row, cc) is { Length: > 0 } code
                        ? code : $"item-{table.Indicators.Count + 1:00}",
                    Name = name,
                    Level1 = Text(sheet, row, columns["level1"]),
                    Level2 = Text(sheet, row, columns["level2"]),
                    Unit = columns.TryGetValue("unit", out var uc) ? Text(sheet, row, uc) : "",
                    Target = new Target { Text = target },
                    Weight = weight.ToString(CultureInfo.InvariantCulture),
                    Formula = columns.TryGetValue("formula", out var fc) ? Text(sheet, row, fc) : "",
                    ActualSource = sourceText.Contains("填报", StringComparison.Ordinal) ? ActualSource.Declared : ActualSource.Unspecified,
                };
                rows[table.Indicators.Count] = row;
                table.Indicators.Add(item);
            }
            violations.ThrowIfAny();
            if (table.Indicators.Count == 0)
                throw new InvalidRequestException("xlsx", $"no item rows below the header in row {headerRow}");
            return new Read(table, rows, columns.ToDictionary(c => c.Key, c => ColumnLetter(c.Value)));
        }
    }

    /// <summary>A compile problem ("indicators[3].target") as the cell it comes from ("xlsx.D9").</summary>
    public static string FieldOf(Read read, string problemField)
    {
        var open = problemField.IndexOf('[');
        var close = problemField.IndexOf(']');
        if (problemField.StartsWith("indicators[", StringComparison.Ordinal) && close > open
            && int.TryParse(problemField[(open + 1)..close], CultureInfo.InvariantCulture, out var index)
            && read.RowOfItem.TryGetValue(index, out var row))
        {
            var column = problemField[(close + 1)..].TrimStart('.');
            return read.ColumnLetters.TryGetValue(column, out var letter) ? $"xlsx.{letter}{row}" : $"xlsx.row{row}";
        }
        return "xlsx";
    }

    static (int Row, Dictionary<string, int> Columns) FindHeader(IXLWorksheet sheet)
    {
        for (var row = 1; row <= 20; row++)
        {
            var columns = new Dictionary<string, int>();
            var lastColumn = Math.Min(sheet.Row(row).LastCellUsed()?.Address.ColumnNumber ?? 0, 40);
            for (var column = 1; column <= lastColumn; column++)
            {
                var header = Text(sheet, row, column).Replace(" ", "", StringComparison.Ordinal).Replace("（", "(", StringComparison.Ordinal);
                foreach (var (key, headers) in Columns)
                    if (!columns.ContainsKey(key) && headers.Any(h => header.StartsWith(h, StringComparison.Ordinal)))
                        columns[key] = column;
            }
            if (columns.ContainsKey("name"))
                return (row, columns);
        }
        throw new InvalidRequestException("xlsx", "no header row with 三级指标 in the first 20 rows of the first sheet");
    }

    /// <summary>A cell's text; a cell inside a merged range reads the range's first cell (一级 / 二级 merged down).</summary>
    static string Text(IXLWorksheet sheet, int row, int column)
    {
        var cell = sheet.Cell(row, column);
        var source = cell.IsMerged() ? cell.MergedRange().FirstCell() : cell;
        // The text as the bureau sees it: a cell formatted as 95% reads "95%", not 0.95.
        return source.GetFormattedString().Trim();
    }

    static string HeaderOf(string column) => Columns.First(c => c.Column == column).Headers[0];
    static string Cell(int column, int row) => $"xlsx.{ColumnLetter(column)}{row}";
    static string ColumnLetter(int column) => XLHelper.GetColumnLetterFromNumber(column);
}
