using System.Globalization;

namespace PerfEval.Reporting.Domain;

/// <summary>Which 绩效自评表 a subject files (DOMAIN.md §6).</summary>
public enum SelfEvaluationTableKind
{
    /// <summary>项目支出绩效自评表: scored, with 分值 / 得分 and a grade.</summary>
    ScoredProject,
    /// <summary>转移支付区域绩效自评表: unscored, with 资金投入 and 资金管理情况 blocks.</summary>
    TransferRegional,
}

/// <summary>
/// Everything a report shows, already computed: renderers only lay it out. Money is in fen (分)
/// and shown in 万元; ratios are in percent at full precision and rounded only for display.
/// A null means "no data from the source", shown as such, never as 0.
/// </summary>
public sealed record ReportModel
{
    public required string EvaluationKey { get; init; }
    public required string RegionCode { get; init; }
    public required string RegionName { get; init; }
    public required string SubjectCode { get; init; }
    /// <summary>项目名称, e.g. 伽师县城乡居民基本医疗保险基金.</summary>
    public required string SubjectName { get; init; }
    public required int FiscalYear { get; init; }
    public SelfEvaluationTableKind TableKind { get; init; } = SelfEvaluationTableKind.ScoredProject;
    /// <summary>The only date written into the files (填报日期), chosen by the caller so a render is reproducible.</summary>
    public required DateOnly ReportDate { get; init; }
    /// <summary>主管部门 / 实施单位, e.g. 伽师县医疗保障局.</summary>
    public string ResponsibleUnit { get; init; } = "";
    public InputVersions Inputs { get; init; } = new(0, 0, 0);

    /// <summary>Header money block of the self-evaluation table (年初预算数, 全年预算数, 全年执行数 …).</summary>
    public BudgetHeader Budget { get; init; } = new(null, null, null, null, null);
    /// <summary>The bureau's own words and signatories, printed verbatim (or 待填写 where missing).</summary>
    public BureauTexts Texts { get; init; } = BureauTexts.None;
    /// <summary>年度总体目标 and 实际完成情况, as text.</summary>
    public string OverallTarget { get; init; } = "";
    public string OverallResult { get; init; } = "";

    public IReadOnlyList<IndicatorRow> Indicators { get; init; } = [];
    /// <summary>Total score, null when the evaluation is unscored (转移支付区域表).</summary>
    public decimal? Total { get; init; }
    public string Grade { get; init; } = "";
    /// <summary>True while the scorecard is incomplete (grade 待定): every file is marked 草稿, not for signing.</summary>
    public bool Draft { get; init; }
    /// <summary>How many items keep the scorecard incomplete (no value, no judgment, no refusal).</summary>
    public int PendingItems { get; init; }
    /// <summary>Points of the total resting on declared values nobody verified; null when none.</summary>
    public decimal? UnverifiedPoints { get; init; }

    public FundFigures? Funds { get; init; }
    public IReadOnlyList<TransferFund> Transfers { get; init; } = [];
    /// <summary>资金管理情况 rows of the transfer table (分配科学性 …), each with 情况说明 and 存在问题和改进措施.</summary>
    public IReadOnlyList<ManagementRow> Management { get; init; } = [];
    public IReadOnlyList<Finding> Findings { get; init; } = [];
    /// <summary>False while the ledger cannot list reconciliation findings yet: the appendix then says 暂无数据, not "none".</summary>
    public bool FindingsAvailable { get; init; }

    /// <summary>The indicator rows grouped as the table shows them: level 1, then level 2 in order of first appearance.</summary>
    public IEnumerable<IGrouping<string, IndicatorRow>> ByLevel1() => Indicators.GroupBy(r => r.Level1);

    /// <summary>Score per 一级指标, for the chart and the summary (items without a score count 0).</summary>
    public IReadOnlyList<(string Level1, decimal Weight, decimal Score)> ScoreByLevel1() =>
        ByLevel1().Select(g => (g.Key, g.Sum(r => r.Weight ?? 0m), g.Sum(r => r.Score ?? 0m))).ToList();

    public IReadOnlyList<IndicatorRow> Deviations => Indicators.Where(r => !r.Met).ToList();

    /// <summary>The scorecard's subtotals per 一级 (Level2 empty) and per 二级, as scoring computed them.</summary>
    public IReadOnlyList<ScoreSubtotal> Subtotals { get; init; } = [];
}

/// <summary>The versions a render was computed from, stored with it so the render can be reproduced.</summary>
public sealed record InputVersions(long LedgerVersion, long ValueVersion, long ScorecardVersion)
{
    /// <summary>Ledger version the reconciliation findings were read at; 0 when the ledger gave none.</summary>
    public long FindingsLedgerVersion { get; init; }
    /// <summary>Indicator value version of the indicator findings; 0 when the indicator service gave none.</summary>
    public long FindingsValueVersion { get; init; }
}

/// <summary>The header block's money (fen) and the fixed 预算执行率 item (分值, 执行率, 得分).</summary>
public sealed record BudgetHeader(long? InitialBudgetFen, long? FinalBudgetFen, long? ActualFen, decimal? Weight, decimal? Score)
{
    /// <summary>执行率 = 全年执行数 ÷ 全年预算数, in percent; null without a budget.</summary>
    public decimal? ExecutionRate => FinalBudgetFen is > 0 && ActualFen is { } a ? 100m * a / FinalBudgetFen.Value : null;
}

/// <summary>One level-3 row: 一级 | 二级 | 三级 | 指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施.</summary>
public sealed record IndicatorRow(string Level1, string Level2, string Name, string Target, string Actual,
    decimal? Weight, decimal? Score, string DeviationNote)
{
    /// <summary>An item misses when it has no value or scores below its weight.</summary>
    public bool Missed => Score is null || (Weight is { } w && Score < w);

    /// <summary>Met its target, as the scorecard says (defaults to "not missed" for rows built without one).</summary>
    public bool Met { get; init; } = !(Score is null || (Weight is { } w && Score < w));

    /// <summary>An override or deductions explained beside the score; empty when the rules' score stands.</summary>
    public string ScoreNote { get; init; } = "";
}

/// <summary>A subtotal of the scorecard per 一级 (Level2 empty) or per 二级.</summary>
public sealed record ScoreSubtotal(string Level1, string Level2, decimal? Weight, decimal? Score);

/// <summary>One income or expenditure line of the fund (a ledger account or group), fen.</summary>
public sealed record FundLine(string Code, string Name, long ActualFen, long? BudgetFen, long? PriorYearFen)
{
    /// <summary>The ledger's 未列预算 part of the line (GetFundMetrics: spending no budget line covers, its own or a parent's).</summary>
    public long? LedgerUnbudgetedFen { get; init; }

    /// <summary>Spending no budget covers: the ledger's figure, or from balances alone the whole of a line without a budget.</summary>
    public long UnbudgetedFen => LedgerUnbudgetedFen ?? (BudgetFen is null ? ActualFen : 0);

    public decimal? ExecutionRate => BudgetFen is > 0 ? 100m * ActualFen / BudgetFen.Value : null;
}

/// <summary>The fund's money figures for the report (DOMAIN.md §2), all from the ledger.</summary>
public sealed record FundFigures(IReadOnlyList<FundLine> Income, IReadOnlyList<FundLine> Expenditure,
    long? OpeningBalanceFen)
{
    /// <summary>Prior-year totals for 同比; null when the prior year has no ledger.</summary>
    public long? PriorYearIncomeFen { get; init; }
    public long? PriorYearExpenditureFen { get; init; }

    /// <summary>
    /// The ledger's own 收入 / 支出预算执行率 (GetFundMetrics summary) when the figures come from it: the
    /// ledger owns which spending a budget covers, so the report states its rates (a null rate then
    /// means "no budget"). Null when only balances were available.
    /// </summary>
    public (decimal? Income, decimal? Expenditure)? LedgerExecutionRates { get; init; }

    public long TotalIncomeFen => Income.Sum(l => l.ActualFen);
    public long TotalExpenditureFen => Expenditure.Sum(l => l.ActualFen);
    /// <summary>收入预算执行率: the ledger's; from balances alone, over the income lines that have a budget.</summary>
    public decimal? IncomeExecutionRate => LedgerExecutionRates is { } ledger ? ledger.Income : Rate(Income);
    /// <summary>支出预算执行率 over budgeted expenditure only (the ledger's when known); unbudgeted spending is reported beside it.</summary>
    public decimal? ExpenditureExecutionRate => LedgerExecutionRates is { } ledger ? ledger.Expenditure : Rate(Expenditure);
    /// <summary>未列预算的支出 (e.g. 上解上级支出).</summary>
    public IReadOnlyList<FundLine> UnbudgetedSpending => Expenditure.Where(l => l.UnbudgetedFen != 0).ToList();
    /// <summary>当期结余 = income − expenditure.</summary>
    public long PeriodSurplusFen => TotalIncomeFen - TotalExpenditureFen;
    /// <summary>累计结余 = prior closing balance + 当期结余; null without the opening balance.</summary>
    public long? AccumulatedBalanceFen => OpeningBalanceFen + PeriodSurplusFen;
    /// <summary>可支付月数 = 累计结余 ÷ (本年支出 ÷ 12).</summary>
    public decimal? MonthsOfPaymentCovered =>
        AccumulatedBalanceFen is { } b && TotalExpenditureFen > 0 ? b * 12m / TotalExpenditureFen : null;

    public decimal? Share(FundLine line) => TotalIncomeFen == 0 ? null : 100m * line.ActualFen / TotalIncomeFen;

    static decimal? Rate(IEnumerable<FundLine> lines)
    {
        var budgeted = lines.Where(l => l.BudgetFen is not null).ToList();
        var budget = budgeted.Sum(l => l.BudgetFen!.Value);
        return budget > 0 ? 100m * budgeted.Sum(l => l.ActualFen) / budget : null;
    }
}

/// <summary>A transfer fund's lifecycle: 下达, 清算退库, 实际到账 = 下达 − 退库, 配套 应补 vs 实际到位 (fen).</summary>
public sealed record TransferFund(string Level, string DocumentNumber, long AllocationFen, long ClawbackFen,
    long? MatchingDueFen, long? MatchingReceivedFen)
{
    public long ReceivedFen => AllocationFen - ClawbackFen;
    /// <summary>资金到位率 = arrived ÷ allocated.</summary>
    public decimal? FundingArrivalRate => AllocationFen > 0 ? 100m * ReceivedFen / AllocationFen : null;
}

public sealed record ManagementRow(string Aspect, string Explanation, string ProblemsAndMeasures);

/// <summary>
/// 核对差异: a declared figure against what it is compared with (the ledger, the sum of its parts, the
/// computed indicator value). Figures are display text with their unit (万元, %, 个月), "—" when absent.
/// </summary>
public sealed record Finding(string Code, string Description, string Declared, string Compared, string Difference)
{
    /// <summary>The indicator item an indicator finding is about; empty for the ledger's findings.</summary>
    public string IndicatorCode { get; init; } = "";
}

/// <summary>Display rules every format shares: 万元 and percent with two decimals, half away from zero.</summary>
public static class Display
{
    public const string NoData = "暂无数据";

    public static decimal Round2(decimal value) => Math.Round(value, 2, MidpointRounding.AwayFromZero);

    public static string Number(decimal value) => Round2(value).ToString("0.00", CultureInfo.InvariantCulture);

    public static decimal WanYuan(long fen) => fen / 1_000_000m;

    public static string Money(long? fen) => fen is { } f ? Number(WanYuan(f)) : NoData;

    public static string Percent(decimal? percent) => percent is { } p ? Number(p) + "%" : NoData;

    /// <summary>
    /// An indicator's actual: counts of persons (人, 人次, 家) are whole numbers and shown as such
    /// (413449人, not 413449.00人); everything else with two decimals.
    /// </summary>
    public static string Actual(decimal value, string unit) =>
        unit is "人" or "人次" or "家" or "个" && value == decimal.Truncate(value)
            ? value.ToString("0", CultureInfo.InvariantCulture)
            : Number(value);

    public static string Score(decimal? score) => score is { } s ? Number(s) : "—";

    /// <summary>Weights as the system states them (10, 12.5), without trailing zeros.</summary>
    public static string Weight(decimal? weight) => weight is { } w ? (w / 1.0000000000000000000000000000m).ToString(CultureInfo.InvariantCulture) : "—";

    public static string Date(DateOnly date) => date.ToString("yyyy年M月d日", CultureInfo.InvariantCulture);
}
