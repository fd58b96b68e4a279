using System.Globalization;
using System.Text.RegularExpressions;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Contracts.Reporting.V1;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace PerfEval.Client;

/// <summary>
/// One evaluation as a seed prints it (samples/evaluations/*.yaml): its approved target table, the
/// actuals its table types, its texts and signatories. The sample files these exactly; nothing here is
/// computed or invented, and where the seed is silent the field stays empty. Shared by the sample walk
/// (tools/PerfEval.Sample) and the seed proofs (tests/PerfEval.EndToEnd.Tests) so both file the same table.
/// </summary>
public sealed partial class SeedEvaluation
{
    public string EvaluationCode { get; set; } = "";
    public string Seed { get; set; } = "";
    public string Name { get; set; } = "";
    public string Department { get; set; } = "";
    public string RegionCode { get; set; } = "";
    public string RegionName { get; set; } = "";
    public int FiscalYear { get; set; }
    public string SubjectKind { get; set; } = "";
    /// <summary>The table's header 预算执行率; null where the seed's system has none (Huaibei: it sits inside 资金管理).</summary>
    public BudgetExecutionFile? BudgetExecution { get; set; }
    public List<LevelFile> Levels { get; set; } = [];
    public TextsFile Texts { get; set; } = new();
    public List<ObservationFile> Observations { get; set; } = [];

    public sealed class BudgetExecutionFile
    {
        public string Weight { get; set; } = "";
        public string DeclaredRate { get; set; } = "";
        public ActualFile Actual { get; set; } = new();
    }

    public sealed class LevelFile
    {
        /// <summary>Null for a 二级 the seed does not name (Huaibei's 项目决策).</summary>
        public string? Name { get; set; }
        public List<LevelFile> Children { get; set; } = [];
        public List<ItemFile> Indicators { get; set; } = [];
    }

    public sealed class ItemFile
    {
        public string Code { get; set; } = "";
        public string Name { get; set; } = "";
        public string Unit { get; set; } = "";
        public string Target { get; set; } = "";
        /// <summary>Instead of a target: why the seed prints none.</summary>
        public string TargetMissing { get; set; } = "";
        /// <summary>One item standing for a heading the seed names without any 三级 item under it.</summary>
        public bool Placeholder { get; set; }
        public string Direction { get; set; } = "";
        public string Weight { get; set; } = "";
        public int SeedLine { get; set; }
        public ActualFile Actual { get; set; } = new();
    }

    public sealed class ActualFile
    {
        /// <summary>formula (PerfEval computes it; the seed's typed value is filed as declared) or declared.</summary>
        public string Source { get; set; } = "";
        public string Formula { get; set; } = "";
        /// <summary>What the seed's table types for a formula item.</summary>
        public string Declared { get; set; } = "";
        /// <summary>What the seed's table types for a declared item.</summary>
        public string Value { get; set; } = "";
        /// <summary>Instead of a value: why the seed gives none (the item stays without a value).</summary>
        public string ValueMissing { get; set; } = "";
        /// <summary>The seed's own completion ratio where it prints one (Huaibei 101.67%), kept for comparison only.</summary>
        public string DeclaredCompletion { get; set; } = "";
    }

    /// <summary>A non-money statistic as the seed states it; <c>unit</c> as printed (not always the metric's).</summary>
    public sealed class ObservationFile
    {
        public string Metric { get; set; } = "";
        public string Value { get; set; } = "";
        public string Unit { get; set; } = "";
        public string Lines { get; set; } = "";
    }

    public sealed class TextsFile
    {
        public GoalFile OverallGoal { get; set; } = new();
        public List<QuotedText> BasicSituation { get; set; } = [];
        public Dictionary<string, List<QuotedText>> QualitativeDescriptions { get; set; } = [];
        public List<QuotedText> Problems { get; set; } = [];
        public List<QuotedText> ResultApplication { get; set; } = [];
        public List<QuotedText> Other { get; set; } = [];
        public Dictionary<string, SignatoryFile> Signatories { get; set; } = [];
    }

    public sealed class GoalFile
    {
        public List<QuotedText> Expected { get; set; } = [];
        public List<QuotedText> Achieved { get; set; } = [];
    }

    public sealed class QuotedText
    {
        public string Lines { get; set; } = "";
        public string Heading { get; set; } = "";
        public string Text { get; set; } = "";
    }

    public sealed class SignatoryFile
    {
        public string Value { get; set; } = "";
        public string Lines { get; set; } = "";
    }

    public static SeedEvaluation Load(string path) =>
        new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).IgnoreUnmatchedProperties().Build()
            .Deserialize<SeedEvaluation>(File.ReadAllText(path));

    /// <summary>The header 预算执行率 item of the scored table (DOMAIN.md §5): scored weight × rate, not a row.</summary>
    public const string BudgetExecutionCode = "budget-execution-rate";

    /// <summary>
    /// The target of an item the seed prints none for: a qualitative text, so the item is a person's
    /// judgment. A figure with no target cannot be scored against anything, and the item's weight must
    /// still rest somewhere (the weights add to 100), so an assessor judges it with the seed's words;
    /// until then it leaves the evaluation 待定.
    /// </summary>
    public const string NoTargetText = "种子未列示指标值";

    /// <summary>Every 三级 item with its 一级 and 二级 names, in the seed's order.</summary>
    public IEnumerable<(LevelFile Level1, LevelFile Level2, ItemFile Item)> Items() =>
        from level1 in Levels from level2 in level1.Children from item in level2.Indicators select (level1, level2, item);

    /// <summary>The seed's table as an indicator system for SetEvaluationTable.</summary>
    public IndicatorSystem Table()
    {
        var table = new IndicatorSystem { Name = $"{Name} 绩效目标表", Notes = $"种子 {Seed} 的绩效目标表，指标值照录。" };
        if (BudgetExecution is { Weight.Length: > 0 } header)
            table.Indicators.Add(new IndicatorDefinition
            {
                Code = BudgetExecutionCode, Name = "预算执行率", Level1 = "预算执行率", Level2 = "预算执行率", Unit = "%",
                // The header item has no target of its own: it scores 10 × rate whatever the text says.
                Target = new Target { Text = "100%" }, Weight = header.Weight, Formula = header.Actual.Formula,
                Guidance = "表头项：执行数 ÷ 预算数（只计有预算数的支出科目），得分 分值 × 执行率，最高为分值。",
            });
        foreach (var (level1, level2, item) in Items())
        {
            var noTarget = item.Target.Length == 0;
            table.Indicators.Add(new IndicatorDefinition
            {
                // A 二级 the seed does not name takes its 一级's name: a table needs both, and inventing one would put
                // words in the seed's mouth.
                Code = item.Code, Name = item.Name, Level1 = level1.Name ?? "", Level2 = level2.Name ?? level1.Name ?? "", Unit = item.Unit,
                Target = new Target { Text = noTarget ? NoTargetText : item.Target }, Weight = item.Weight,
                Direction = noTarget ? Direction.Qualitative
                    : Enum.TryParse<Direction>(item.Direction, out var direction) ? direction : Direction.Unspecified,
                Formula = item.Actual.Source == "formula" ? item.Actual.Formula : "",
                ActualSource = item.Actual.Source == "formula" ? ActualSource.Formula
                    : noTarget || item.Direction == "Qualitative" ? ActualSource.Assessed : ActualSource.Declared,
                Guidance = noTarget ? $"种子 {Seed} 第{item.SeedLine}行；种子未列示指标值：{item.TargetMissing}" : $"种子 {Seed} 第{item.SeedLine}行",
            });
        }
        return table;
    }

    /// <summary>
    /// Every number the seed's table types as 实际完成值, as typed ("280%" stays 280, the unit slip kept for the
    /// finding). Left out: an item without a target (a person judges it, see <see cref="NoTargetText"/>), an item
    /// without a value, and a typed value that does not start with a number ("大于 98%" is a bound, not a figure;
    /// "全覆盖" is words).
    /// </summary>
    public IEnumerable<(string Code, string Value, string Source)> DeclaredActuals()
    {
        foreach (var (_, _, item) in Items())
        {
            if (item.Target.Length == 0)
                continue;
            var typed = item.Actual.Source == "formula" ? item.Actual.Declared : item.Actual.Value;
            if (LeadingNumber().Match(typed) is { Success: true } number)
                yield return (item.Code, number.Value, $"{Name}绩效自评表 实际完成值（种子第{item.SeedLine}行：{typed}）");
        }
    }

    /// <summary>The seed's own words for the report; a text the seed does not have stays empty (the report says 待填写).</summary>
    public EvaluationTexts ReportTexts()
    {
        static string Join(IEnumerable<QuotedText> quotes) => string.Join("\n\n", quotes.Select(q => q.Text.Trim()));
        var signatories = new Signatories();
        if (Texts.Signatories.TryGetValue("reporting_unit", out var unit))
            signatories.FilingUnit = unit.Value;
        if (Texts.Signatories.TryGetValue("unit_head", out var head))
            signatories.UnitHead = head.Value;
        if (Texts.Signatories.TryGetValue("report_date", out var date)
            && DateOnly.TryParseExact(date.Value, "yyyy年M月d日", CultureInfo.InvariantCulture, DateTimeStyles.None, out var filed))
            signatories.FilingDate = filed.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return new EvaluationTexts
        {
            OverallGoalExpected = Join(Texts.OverallGoal.Expected),
            OverallGoalAchieved = Join(Texts.OverallGoal.Achieved),
            BasicSituation = Join(Texts.BasicSituation),
            Problems = Join(Texts.Problems),
            ResultApplication = Join(Texts.ResultApplication),
            OtherMatters = Join(Texts.Other),
            Signatories = signatories,
        };
    }

    /// <summary>
    /// The description a qualitative judgment must carry: the seed's own words on the item where it has
    /// some, else what its table types, quoted as such.
    /// </summary>
    public string QualitativeDescription(string code)
    {
        if (Texts.QualitativeDescriptions.TryGetValue(code, out var quotes) && quotes.Count > 0)
            return string.Join("\n\n", quotes.Select(q => q.Text.Trim()));
        var item = Items().Single(i => i.Item.Code == code).Item;
        var typed = item.Actual.Source == "formula" ? item.Actual.Declared : item.Actual.Value;
        return typed.Length > 0
            ? $"自评表实际完成值填报“{typed}”（种子第{item.SeedLine}行）；报告未另作说明。"
            : $"种子未填报实际完成值（第{item.SeedLine}行）。";
    }

    [GeneratedRegex(@"^-?[0-9]+(\.[0-9]+)?")]
    private static partial Regex LeadingNumber();
}
