using PerfEval.Reporting.Domain;
using static PerfEval.Testing.Jiashi2020;

namespace PerfEval.Reporting.Tests;

/// <summary>
/// The worked example: 伽师县 2020 城乡居民基本医疗保险基金, from the seed's 社会保险支出绩效自评表 and
/// DOMAIN.md §8. Money is what the ledger holds after the sample postings (fen). The seed's table has
/// no 分值, so the weights are ours, in the usual split (预算执行率 10, 产出 50, 效益 30, 满意度 10).
/// The two budget-execution items carry the ledger's rates, not the seed's typed 100%.
/// </summary>
public static class JiashiExample
{
    public static FundFigures Funds() => new(
        Income: [new("4001", "基本医疗保险费收入", Fen(38154.63m), Fen(36026.78m), Fen(34586.52m))],
        Expenditure:
        [
            new("5001", "基本医疗保险待遇支出", Fen(21040.11m), Fen(22087.64m), Fen(15823.75m)),
            new("5004", "上解上级支出", Fen(45310.34m), null, null),
        ],
        OpeningBalanceFen: Fen(29014.61m));

    public static ReportModel Model() => new()
    {
        EvaluationKey = "653129/resident-fund/2020",
        RegionCode = "653129",
        RegionName = "伽师县",
        SubjectCode = "resident-fund",
        SubjectName = "伽师县城乡居民基本医疗保险基金",
        FiscalYear = 2020,
        ReportDate = new DateOnly(2021, 2, 20),
        ResponsibleUnit = "伽师县医疗保障局",
        Inputs = new InputVersions(8, 5, 4),
        Budget = new BudgetHeader(Fen(22087.64m), Fen(22087.64m), Fen(21040.11m), 10m, 9.53m),
        OverallTarget = "积极推进全民参保计划，确保城乡居民基本医疗保险参保人员的医疗待遇落实，确保全面实施大病保险制度，减轻参保人员的经济负担，缓解社会矛盾。",
        OverallResult = "严格执行社保基金管理法规政策，参保人员医疗待遇按时足额落实，大病保险制度全面实施，参保人员就医经济负担有效减轻。",
        Indicators =
        [
            new("项目完成指标", "数量指标", "参保人数（人）", "≥413449人", "413449人", 5m, 5m, ""),
            new("项目完成指标", "数量指标", "享受待遇人数（人）", "≥55128人", "55128人", 5m, 5m, ""),
            new("项目完成指标", "数量指标", "城乡居民医疗保险基金收入预算执行率（%）", "105%≥x≥95%", "105.91%", 5m, 4.96m,
                "收入超出预算上限0.91个百分点，主要是财政补贴收入高于预算；下一年度按参保人数和补助标准细化收入预算。"),
            new("项目完成指标", "数量指标", "城乡居民医疗保险基金支出预算执行率（%）", "105%≥x≥95%", "95.26%", 5m, 5m, ""),
            new("项目完成指标", "质量指标", "以户籍人口数为基数计算的基本医保综合参保率（%）", "≥95%", "96.89%", 5m, 5m, ""),
            new("项目完成指标", "质量指标", "以常住人口数为基数计算的基本医保综合参保率（%）", "≥93%", "93.00%", 5m, 5m, ""),
            new("项目完成指标", "质量指标", "参保人政策范围内住院费用报销比例（%）", "≥68%", "68.00%", 5m, 5m, ""),
            new("项目完成指标", "质量指标", "参保人住院费用实际报销比例（%）", "≥60%", "60.00%", 5m, 5m, ""),
            new("项目完成指标", "成本指标", "参保居民个人实际缴费标准（元/人/年）", "=280", "280元", 4m, 4m, ""),
            new("项目完成指标", "成本指标", "城乡居民医疗各级财政实际补助标准（元/人/年）", "=580", "580元", 3m, 3m, ""),
            new("项目完成指标", "成本指标", "预期享受城乡居民医疗保险待遇成本（万元/人）", "≥0.69万元", "0.69万元", 3m, 3m, ""),
            new("项目效益指标", "社会效益指标", "减轻参保人员就医经济负担，缓解社会矛盾", "有效缓解", "有效缓解", 15m, 15m, ""),
            new("项目效益指标", "可持续影响力指标", "对城乡居民医疗保险制度可持续发展", "长期", "长期", 15m, 15m, ""),
            new("满意度指标", "满意度指标", "参保对象满意度（%）", "≥95%", "95.00%", 10m, 10m, ""),
        ],
        Total = 99.49m,
        Grade = "优",
        Funds = Funds(),
        FindingsAvailable = true,
        Findings =
        [
            new("declared-expenditure-execution", "自评表填报的基金支出预算执行率为100%，账簿计算的待遇支出执行率为95.26%", "100.00%", "95.26%", "4.74%"),
            new("declared-expenditure-scope", "汇总表“执行预算”300.39%把未列预算的上解上级支出计入分子", "66350.45万元", "21040.11万元", "45310.34万元"),
        ],
    };
}
