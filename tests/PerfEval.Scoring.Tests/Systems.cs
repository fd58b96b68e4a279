using System.Globalization;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Scoring.Domain;

namespace PerfEval.Scoring.Tests;

/// <summary>Indicator systems built in code, as the indicator service would serve them.</summary>
static class Systems
{
    static string S(decimal d) => d.ToString(CultureInfo.InvariantCulture);

    public static TargetPart AtLeast(decimal value, string unit = "%", string label = "") =>
        new() { Comparison = Comparison.GreaterOrEqual, Value = S(value), Unit = unit, Label = label };
    public static TargetPart AtMost(decimal value, string unit = "%") => new() { Comparison = Comparison.LessOrEqual, Value = S(value), Unit = unit };
    public static TargetPart EqualTo(decimal value, string unit = "") => new() { Comparison = Comparison.Equal, Value = S(value), Unit = unit };
    public static TargetPart Between(decimal lower, decimal upper, string unit = "%") =>
        new() { Comparison = Comparison.Between, Lower = S(lower), Upper = S(upper), LowerInclusive = true, UpperInclusive = true, Unit = unit };
    public static TargetPart Qualitative(string text) => new() { Comparison = Comparison.Qualitative, QualitativeText = text };

    public static IndicatorDefinition Item(string code, string name, string level1, string level2, decimal weight, string targetText,
        Direction direction, string unit, params TargetPart[] parts) => new()
    {
        Code = code, Name = name, Level1 = level1, Level2 = level2, Weight = S(weight), Direction = direction, Unit = unit,
        Target = new Target { Text = targetText, Parts = { parts } },
    };

    public static IndicatorSystem Of(string code, ExactScoring exact, params IndicatorDefinition[] items) => new()
    {
        SystemCode = code, Version = 1, Name = code, ExactScoring = exact, Indicators = { items },
    };

    /// <summary>
    /// A Taojiang-2022-like 33-item system (the seed lists no weights): 项目决策 18 (6 items of 3), 过程管理 22
    /// (资金管理 17 = 5 items of 3.4, 组织管理 5 = 1 item), 项目产出 50 (数量 21 = 7 of 3, 质量 29 = 10 of 2.9),
    /// 项目效益 10 (4 of 2.5, two of them qualitative).
    /// </summary>
    public static IndicatorSystem Taojiang()
    {
        var items = new List<IndicatorDefinition>();
        void Add(int count, string level1, string level2, decimal weight, Func<int, IndicatorDefinition> make)
        {
            for (var i = 0; i < count; i++)
            {
                var d = make(i);
                d.Level1 = level1; d.Level2 = level2; d.Weight = S(weight);
                items.Add(d);
            }
        }
        Add(6, "项目决策", "决策过程", 3m, i => Item($"decision-{i}", $"决策{i}", "", "", 0, "100%", Direction.Exact, "%", EqualTo(100, "%")));
        Add(5, "过程管理", "资金管理", 3.4m, i => Item($"funds-{i}", $"资金{i}", "", "", 0, "≥95%", Direction.HigherIsBetter, "%", AtLeast(95)));
        Add(1, "过程管理", "组织管理", 5m, i => Item($"org-{i}", $"组织{i}", "", "", 0, "按时按要求落实和执行", Direction.Qualitative, "",
            Qualitative("按时按要求落实和执行")));
        Add(7, "项目产出", "数量指标", 3m, i => Item($"count-{i}", $"数量{i}", "", "", 0, "≥40", Direction.HigherIsBetter, "个", AtLeast(40, "个")));
        Add(10, "项目产出", "质量指标", 2.9m, i => i switch
        {
            0 => Item("compound-0", "DRG付费覆盖", "", "", 0, "医疗机构≥40% 病种≥70% 基金≥30%", Direction.Compound, "%",
                AtLeast(40, label: "医疗机构"), AtLeast(70, label: "病种"), AtLeast(30, label: "基金")),
            1 => Item("range-1", "支出执行", "", "", 0, "105%≥x≥95%", Direction.Range, "%", Between(95, 105)),
            2 => Item("lower-2", "按项目付费占比", "", "", 0, "≤30%", Direction.LowerIsBetter, "%", AtMost(30)),
            _ => Item($"quality-{i}", $"质量{i}", "", "", 0, "≥90%", Direction.HigherIsBetter, "%", AtLeast(90)),
        });
        Add(4, "项目效益", "社会效益", 2.5m, i => i < 2
            ? Item($"benefit-{i}", $"效益{i}", "", "", 0, "有所提高", Direction.Qualitative, "", Qualitative("有所提高"))
            : Item($"benefit-{i}", $"效益{i}", "", "", 0, "≥68%", Direction.HigherIsBetter, "%", AtLeast(68)));
        return Of("taojiang-2022", ExactScoring.Symmetric, [.. items]);
    }

    /// <summary>Every item of the Taojiang-like system met; qualitative items assessed at the top of their band.</summary>
    public static ScoringInputs TaojiangAllMet(IndicatorSystem system)
    {
        var actuals = new Dictionary<string, decimal?>();
        var assessments = new Dictionary<string, QualitativeAssessment>();
        foreach (var d in system.Indicators)
        {
            var w = decimal.Parse(d.Weight, CultureInfo.InvariantCulture);
            switch (RulesEngine.RuleOf(d))
            {
                case ItemRule.Qualitative:
                    assessments[d.Code] = new QualitativeAssessment(Domain.QualitativeBand.Achieved, w, "按要求完成", "assessor");
                    break;
                case ItemRule.Compound:
                    foreach (var p in d.Target.Parts)
                        actuals[$"{d.Code}:{p.Label}"] = decimal.Parse(p.Value, CultureInfo.InvariantCulture) + 1;
                    break;
                case ItemRule.Range:
                    actuals[d.Code] = 100m;
                    break;
                case ItemRule.LowerIsBetter:
                    actuals[d.Code] = 25m;
                    break;
                case ItemRule.BudgetExecution:
                    actuals[d.Code] = 100m;
                    break;
                default:
                    actuals[d.Code] = decimal.Parse(d.Target.Parts[0].Value, CultureInfo.InvariantCulture);
                    break;
            }
        }
        return new ScoringInputs { Actuals = actuals, Assessments = assessments };
    }

    public const string Level1Output = "产出指标";

    /// <summary>
    /// Jiashi 2020's resident-fund self-evaluation table as a scored system, on the usual split
    /// 预算执行率 10 / 产出 50 / 效益 30 / 满意度 10 (the seed table has no weights; these are ours).
    /// </summary>
    public static IndicatorSystem JiashiResident() => Of("jiashi-resident-2020", ExactScoring.Symmetric,
        Item(RulesEngine.BudgetExecutionRateCode, "预算执行率", "预算执行率", "预算执行率", 10, "100%", Direction.HigherIsBetter, "%", AtLeast(100)),
        Item("insured-persons", "参保人数", Level1Output, "数量指标", 5, "≥413449人", Direction.HigherIsBetter, "人", AtLeast(413449, "人")),
        Item("beneficiaries", "享受待遇人数", Level1Output, "数量指标", 5, "≥55128人", Direction.HigherIsBetter, "人", AtLeast(55128, "人")),
        Item("income-budget-execution-rate", "城乡居民医疗保险基金收入预算执行率", Level1Output, "数量指标", 5, "105%≥x≥95%", Direction.Range, "%", Between(95, 105)),
        Item("expenditure-budget-execution-rate", "城乡居民医疗保险基金支出预算执行率", Level1Output, "数量指标", 5, "105%≥x≥95%", Direction.Range, "%", Between(95, 105)),
        Item("registered-coverage", "以户籍人口数为基数计算的基本医保综合参保率", Level1Output, "质量指标", 5, "≥95%", Direction.HigherIsBetter, "%", AtLeast(95)),
        Item("resident-coverage", "以常住人口数为基数计算的基本医保综合参保率", Level1Output, "质量指标", 5, "≥93%", Direction.HigherIsBetter, "%", AtLeast(93)),
        Item("policy-reimbursement", "参保人政策范围内住院费用报销比例", Level1Output, "质量指标", 5, "≥68%", Direction.HigherIsBetter, "%", AtLeast(68)),
        Item("actual-reimbursement", "参保人住院费用实际报销比例", Level1Output, "质量指标", 5, "≥60%", Direction.HigherIsBetter, "%", AtLeast(60)),
        Item("personal-contribution", "参保居民个人实际缴费标准", Level1Output, "成本指标", 4, "=280", Direction.Exact, "元/人/年", EqualTo(280)),
        Item("subsidy-standard", "城乡居民医疗各级财政实际补助标准", Level1Output, "成本指标", 3, "=580", Direction.Exact, "元/人/年", EqualTo(580)),
        Item("benefit-cost", "预期享受城乡居民医疗保险待遇成本", Level1Output, "成本指标", 3, "≥0.69万元", Direction.HigherIsBetter, "万元/人", AtLeast(0.69m, "万元")),
        Item("burden-relief", "减轻参保人员就医经济负担，缓解社会矛盾", "效益指标", "社会效益指标", 15, "有效缓解", Direction.Qualitative, "", Qualitative("有效缓解")),
        Item("sustainability", "对城乡居民医疗保险制度可持续发展", "效益指标", "可持续影响力指标", 15, "长期", Direction.Qualitative, "", Qualitative("长期")),
        Item("satisfaction", "参保对象满意度", "满意度指标", "满意度指标", 10, "≥95%", Direction.HigherIsBetter, "%", AtLeast(95)));
}
