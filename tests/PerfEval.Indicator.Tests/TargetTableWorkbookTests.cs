using ClosedXML.Excel;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Indicator.Application;
using PerfEval.Indicator.Domain;
using PerfEval.SharedKernel.Errors;

namespace PerfEval.Indicator.Tests;

/// <summary>The bureau's 绩效目标表 workbook, laid out as the seeds print it (merged 一级 / 二级 cells).</summary>
public sealed class TargetTableWorkbookTests
{
    static byte[] Workbook(params (string Level1, string Level2, string Name, string Target, object Weight, string Source)[] rows)
    {
        using var workbook = new XLWorkbook();
        var sheet = workbook.AddWorksheet("绩效目标表");
        sheet.Cell(1, 1).Value = "伽师县2020年城乡居民基本医疗保险基金绩效目标表";
        string[] headers = ["一级指标", "二级指标", "三级指标", "年度指标值", "分值", "数据来源"];
        for (var c = 0; c < headers.Length; c++)
            sheet.Cell(2, c + 1).Value = headers[c];
        for (var r = 0; r < rows.Length; r++)
        {
            var row = r + 3;
            // Only the first row of a level carries its name; the rest are merged into it below.
            if (r == 0 || rows[r - 1].Level1 != rows[r].Level1)
                sheet.Cell(row, 1).Value = rows[r].Level1;
            if (r == 0 || rows[r - 1].Level2 != rows[r].Level2)
                sheet.Cell(row, 2).Value = rows[r].Level2;
            sheet.Cell(row, 3).Value = rows[r].Name;
            sheet.Cell(row, 4).Value = rows[r].Target;
            sheet.Cell(row, 5).Value = rows[r].Weight.ToString();
            sheet.Cell(row, 6).Value = rows[r].Source;
        }
        for (var r = 0; r < rows.Length;)
        {
            var end = r;
            while (end + 1 < rows.Length && rows[end + 1].Level1 == rows[r].Level1)
                end++;
            if (end > r)
                sheet.Range(r + 3, 1, end + 3, 1).Merge();
            r = end + 1;
        }
        using var stream = new MemoryStream();
        workbook.SaveAs(stream);
        return stream.ToArray();
    }

    static IndicatorSystem AsTable(IndicatorSystem read)
    {
        var table = read.Clone();
        table.SystemCode = CompiledSystem.TableCodePrefix + "653129/resident-fund/2020";
        table.Version = 1;
        table.Name = "伽师县2020年城乡居民基本医疗保险基金绩效目标表";
        return table;
    }

    static readonly (string, string, string, string, object, string)[] Jiashi =
    [
        ("产出指标", "数量指标", "参保人数", "≥413449人", 30, "填报"),
        ("产出指标", "质量指标", "基金支出预算执行率", "105%≥x≥95%", 30, "填报"),
        ("效益指标", "社会效益", "减轻参保群众负担", "有效缓解", 30, ""),
        ("满意度指标", "服务对象满意度", "参保群众满意度", "≥90%", 10, "填报"),
    ];

    [Fact]
    public void Merged_level_cells_are_read_down_their_children_and_declared_items_are_marked()
    {
        var read = TargetTableWorkbook.Parse(Workbook(Jiashi), "");
        var compiled = CompiledSystem.Compile(AsTable(read.Table), evaluationTable: true);

        Assert.Equal(["产出指标", "产出指标", "效益指标", "满意度指标"], compiled.System.Indicators.Select(i => i.Level1));
        Assert.Equal(["≥413449人", "105%≥x≥95%", "有效缓解", "≥90%"], compiled.System.Indicators.Select(i => i.Target.Text));
        Assert.Equal([ActualSource.Declared, ActualSource.Declared, ActualSource.Assessed, ActualSource.Declared],
            compiled.System.Indicators.Select(i => i.ActualSource));
        Assert.Equal(["item-01", "item-02", "item-03", "item-04"], compiled.System.Indicators.Select(i => i.Code));
        Assert.Equal(ExactScoring.AsHigherIsBetter, compiled.System.ExactScoring);
    }

    [Fact]
    public void A_target_the_grammar_cannot_read_is_refused_naming_its_cell()
    {
        var rows = Jiashi.ToArray();
        rows[1] = rows[1] with { Item4 = "105%≥x≤95%" };
        var read = TargetTableWorkbook.Parse(Workbook(rows), "");

        var refused = Assert.Throws<SystemValidationException>(() => CompiledSystem.Compile(AsTable(read.Table), evaluationTable: true));
        Assert.Contains(refused.Problems, p => TargetTableWorkbook.FieldOf(read, p.Field) == "xlsx.D4");
    }

    [Fact]
    public void A_weight_that_is_not_a_number_names_its_cell()
    {
        var rows = Jiashi.ToArray();
        rows[3] = rows[3] with { Item5 = "十" };
        var refused = Assert.Throws<InvalidRequestException>(() => TargetTableWorkbook.Parse(Workbook(rows), ""));
        Assert.Equal(["xlsx.E6"], refused.Violations.Select(v => v.Field));
    }

    [Fact]
    public void A_file_that_is_no_workbook_is_refused()
    {
        var refused = Assert.Throws<InvalidRequestException>(() => TargetTableWorkbook.Parse("not a workbook"u8.ToArray(), ""));
        Assert.Equal(["xlsx"], refused.Violations.Select(v => v.Field));
    }
}

/// <summary>A table's own statistics (DOMAIN.md §3, issue 10 item 2): declared with the table, read with obs().</summary>
public sealed class OwnMetricTests
{
    static IndicatorSystem Table(params ObservationMetric[] metrics)
    {
        var table = new IndicatorSystem { SystemCode = CompiledSystem.TableCodePrefix + "340600/resident-fund/2023", Version = 1, Name = "淮北市绩效目标表" };
        table.Metrics.AddRange(metrics);
        table.Indicators.Add(new IndicatorDefinition
        {
            Code = "special-insured", Name = "特殊人群参保人数", Level1 = "产出指标", Level2 = "数量指标", Unit = "人",
            Target = new Target { Text = "≥1000人" }, Weight = "100", Formula = "obs(\"special-insured-persons\")",
        });
        return table;
    }

    [Fact]
    public void A_formula_reads_a_metric_the_table_declares_and_the_engine_names_it_when_missing()
    {
        var compiled = CompiledSystem.Compile(Table(new ObservationMetric { Code = "special-insured-persons", Name = "特殊人群参保人数", Unit = "人" }),
            evaluationTable: true);
        Assert.Equal("特殊人群参保人数", compiled.Metrics["special-insured-persons"].Name);

        var facts = new EvaluationFacts("resident-fund", 1, [], 0, null, []);
        var value = IndicatorEngine.Evaluate(compiled, facts, null).State.Values["special-insured"];
        Assert.Null(value.Value);
        Assert.Equal("特殊人群参保人数", Assert.Single(value.MissingInputs).DisplayName);
    }

    [Fact]
    public void An_undeclared_metric_a_built_in_code_and_an_unknown_unit_are_refused_by_field()
    {
        var undeclared = Assert.Throws<SystemValidationException>(() => CompiledSystem.Compile(Table(), evaluationTable: true));
        Assert.Contains(undeclared.Problems, p => p.Field == "indicators[0].formula" && p.Description.Contains("special-insured-persons", StringComparison.Ordinal));

        var refused = Assert.Throws<SystemValidationException>(() => CompiledSystem.Compile(Table(
            new ObservationMetric { Code = "insured-persons", Name = "参保人数", Unit = "人" },
            new ObservationMetric { Code = "special-insured-persons", Name = "特殊人群参保人数", Unit = "口" }), evaluationTable: true));
        Assert.Contains(refused.Problems, p => p.Field == "metrics[0].code");
        Assert.Contains(refused.Problems, p => p.Field == "metrics[1].unit");
    }
}
