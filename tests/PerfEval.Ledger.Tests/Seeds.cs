using PerfEval.Contracts.Ledger.V1;
using PerfEval.Ledger.Domain;
using static PerfEval.Testing.Jiashi2020;

namespace PerfEval.Ledger.Tests;

/// <summary>The part of the default chart the seed figures use, and the seed figures of DOMAIN.md §8.</summary>
static class Seeds
{
    public static readonly IReadOnlyDictionary<string, ChartAccount> Chart = new[]
    {
        new ChartAccount("1002", "收入户存款", AccountClass.Asset, Side.Debit, null, false),
        new ChartAccount("1003", "支出户存款", AccountClass.Asset, Side.Debit, null, false),
        new ChartAccount("3001", "基金结余", AccountClass.NetAsset, Side.Credit, null, false),
        new ChartAccount("4", "基金收入", AccountClass.Income, Side.Credit, null, true),
        new ChartAccount("4001", "基本医疗保险费收入", AccountClass.Income, Side.Credit, "4", false),
        new ChartAccount("400101", "单位缴费收入", AccountClass.Income, Side.Credit, "4001", false),
        new ChartAccount("400102", "个人缴费收入", AccountClass.Income, Side.Credit, "4001", false),
        new ChartAccount("4002", "财政补贴收入", AccountClass.Income, Side.Credit, "4", false),
        new ChartAccount("4003", "上级补助收入", AccountClass.Income, Side.Credit, "4", false),
        new ChartAccount("4004", "利息收入", AccountClass.Income, Side.Credit, "4", false),
        new ChartAccount("4006", "转移收入", AccountClass.Income, Side.Credit, "4", false),
        new ChartAccount("4009", "其他收入", AccountClass.Income, Side.Credit, "4", false),
        new ChartAccount("5", "基金支出", AccountClass.Expenditure, Side.Debit, null, true),
        new ChartAccount("5001", "基本医疗保险待遇支出", AccountClass.Expenditure, Side.Debit, "5", false),
        new ChartAccount("500101", "住院费用支出", AccountClass.Expenditure, Side.Debit, "5001", false),
        new ChartAccount("500102", "普通门诊统筹支出", AccountClass.Expenditure, Side.Debit, "5001", false),
        new ChartAccount("5004", "上解上级支出", AccountClass.Expenditure, Side.Debit, "5", false),
        new ChartAccount("5005", "转移支出", AccountClass.Expenditure, Side.Debit, "5", false),
        new ChartAccount("5009", "其他支出", AccountClass.Expenditure, Side.Debit, "5", false),
    }.ToDictionary(a => a.Code);

    /// <summary>
    /// 伽师县 2020 resident fund as its summary table states it: income 38154.63 (budget 36026.78,
    /// 2019 34586.52); 待遇支出 21040.11 (budget 22087.64, 2019 15823.75); unbudgeted 上解上级支出
    /// 45310.34; opening balance 29014.61 (so that 滚存结余 = 818.79).
    /// </summary>
    public static AccountFigures[] JiashiResident =>
    [
        new("4001", Fen(38154.63m), Fen(36026.78m), null, Fen(34586.52m)),
        new("5001", Fen(21040.11m), Fen(22087.64m), null, Fen(15823.75m)),
        new("5004", Fen(45310.34m)),
        new("3001", Fen(29014.61m)),
    ];

    /// <summary>
    /// 伽师县 2020 employee fund: income 12718.32 (budget 12675.87, 2019 the same 12718.32);
    /// 待遇支出 5527.57 (budget 6261.09, 2019's whole 28095.71 on it), unbudgeted 上解上级支出 22563.34
    /// and 转移支出 4.80 (the rest of the stated 28095.71); opening balance 20140.95 (滚存 4763.56).
    /// </summary>
    public static AccountFigures[] JiashiEmployee =>
    [
        new("4001", Fen(12718.32m), Fen(12675.87m), null, Fen(12718.32m)),
        new("5001", Fen(5527.57m), Fen(6261.09m), null, Fen(28095.71m)),
        new("5004", Fen(22563.34m)),
        new("5005", Fen(4.80m)),
        new("3001", Fen(20140.95m)),
    ];

    /// <summary>
    /// 淮北市 2023 resident fund: the four income lines, expenditure 148104.56 (待遇 134265.27 and the
    /// rest as 其他支出), opening balance 76827.00 (so that 累计结余 = 79765.58).
    /// </summary>
    public static AccountFigures[] Huaibei =>
    [
        new("4002", Fen(98205.10m)),
        new("4004", Fen(850.53m)),
        new("4001", Fen(51582.29m)),
        new("4009", Fen(405.22m)),
        new("5001", Fen(134265.27m)),
        new("5009", Fen(148104.56m) - Fen(134265.27m)),
        new("3001", Fen(76827.00m)),
    ];
}
