using System.Globalization;
using System.Text;
using PerfEval.Contracts.Events.V1;

namespace PerfEval.Reporting.Domain;

/// <summary>What a report is rendered from: the scorecard and the names of subject and region.</summary>
public sealed record ReportInput(EvaluationScored Scorecard, string SubjectName, string RegionName);

/// <summary>
/// The minimal self-evaluation report in Markdown. Deterministic: the same input gives the same
/// bytes (no render time inside), so a content hash identifies a report.
/// </summary>
public static class MarkdownReport
{
    public static byte[] Render(ReportInput input)
    {
        var s = input.Scorecard;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"# {input.SubjectName} {s.FiscalYear}年度绩效自评报告\n\n");
        text.Append(CultureInfo.InvariantCulture, $"- 评价对象：{input.SubjectName}（{input.RegionName}，行政区划代码 {s.RegionCode}）\n");
        text.Append(CultureInfo.InvariantCulture, $"- 评价年度：{s.FiscalYear}\n");
        text.Append(CultureInfo.InvariantCulture, $"- 评价键：`{s.EvaluationKey}`，评分版本 {s.ScorecardVersion}\n\n");
        text.Append("## 绩效指标完成及得分情况\n\n");
        text.Append("| 三级指标 | 指标值 | 实际完成值 | 分值 | 得分 |\n");
        text.Append("|---|---|---|---|---|\n");
        foreach (var item in s.Items)
        {
            var actual = item.Actual.Length == 0 ? "无数据" : $"{DisplayValue(item.Actual)}{item.Unit}";
            var score = item.Score.Length == 0 ? "—" : item.Score;
            text.Append(CultureInfo.InvariantCulture, $"| {item.Name} | {item.Target} | {actual} | {item.Weight} | {score} |\n");
        }
        text.Append(CultureInfo.InvariantCulture, $"\n## 自评结论\n\n总分 {s.Total} 分，评价等级为“{s.Grade}”。\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>Values travel at full precision; reports show two decimals, rounded half away from zero.</summary>
    public static string DisplayValue(string value) =>
        Math.Round(decimal.Parse(value, NumberStyles.Number, CultureInfo.InvariantCulture), 2, MidpointRounding.AwayFromZero)
            .ToString("0.00", CultureInfo.InvariantCulture);
}
