using System.Security.Cryptography;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Ledger.V1;

namespace PerfEval.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A fresh 伽师县 2020 resident-fund evaluation (its own subject code) with the seed's full-year budgets:
/// income 36026.78 and 待遇支出 22087.64 万元. Shared by the reporting tests.
/// </summary>
public static class JiashiResidentFund
{
    public static long Fen(decimal wanYuan) => (long)(wanYuan * 1_000_000m);

    public static async Task<(EvaluationKey Evaluation, string Key)> CreateWithBudgetsAsync(PerfEvalCluster cluster)
    {
        var evaluation = new EvaluationKey
        {
            RegionCode = "653129",
            SubjectCode = $"resident-fund-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}",
            FiscalYear = 2020,
        };
        await cluster.Ledger.CreateEvaluationSubjectAsync(new CreateEvaluationSubjectRequest
        {
            RequestId = Guid.NewGuid().ToString(), RegionCode = evaluation.RegionCode, SubjectCode = evaluation.SubjectCode,
            Kind = SubjectKind.ResidentFund, Name = "伽师县城乡居民基本医疗保险基金",
        }, deadline: DateTime.UtcNow.AddSeconds(30));
        foreach (var (account, budget) in new[] { ("4001", 36026.78m), ("5001", 22087.64m) })
            await cluster.Ledger.SetBudgetAsync(new SetBudgetRequest
            {
                RequestId = Guid.NewGuid().ToString(), Evaluation = evaluation, AccountCode = account, BudgetFen = Fen(budget), Reason = "全年预算",
            }, deadline: DateTime.UtcNow.AddSeconds(30));
        return (evaluation, $"{evaluation.RegionCode}/{evaluation.SubjectCode}/{evaluation.FiscalYear}");
    }
}
