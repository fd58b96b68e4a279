namespace PerfEval.Testing;

/// <summary>
/// The seed evaluation every suite and benchmark works with: 伽师县 2020 城乡居民基本医疗保险基金
/// (DOMAIN.md §8). Figures are the seed's, in 万元 as the tables print them; <see cref="Fen"/> turns
/// them into the ledger's integer fen.
/// </summary>
public static class Jiashi2020
{
    /// <summary>伽师县.</summary>
    public const string RegionCode = "653129";
    public const int FiscalYear = 2020;
    public const string ResidentFundName = "伽师县城乡居民基本医疗保险基金";

    /// <summary>4001 基本医疗保险费收入: 全年预算.</summary>
    public const decimal IncomeBudgetWanYuan = 36026.78m;
    /// <summary>4001 基本医疗保险费收入: 执行数 (105.91% of budget).</summary>
    public const decimal IncomeActualWanYuan = 38154.63m;
    /// <summary>5001 基本医疗保险待遇支出: 全年预算.</summary>
    public const decimal BenefitBudgetWanYuan = 22087.64m;
    /// <summary>5001 基本医疗保险待遇支出: 执行数 (95.26% of budget).</summary>
    public const decimal BenefitActualWanYuan = 21040.11m;
    /// <summary>5004 上解上级支出: 执行数, with no budget line of its own.</summary>
    public const decimal RemittedUpwardWanYuan = 45310.34m;

    /// <summary>万元 to fen, exactly (1 万元 = 1,000,000 fen).</summary>
    public static long Fen(decimal wanYuan) => (long)(wanYuan * 1_000_000m);
}
