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
    public static async Task<(EvaluationKey Evaluation, string Key)> CreateWithBudgetsAsync(PerfEvalCluster cluster)
    {
        var evaluation = new EvaluationKey
        {
            RegionCode = Jiashi2020.RegionCode,
            SubjectCode = $"resident-fund-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}",
            FiscalYear = Jiashi2020.FiscalYear,
        };
        await cluster.Ledger.CreateEvaluationSubjectAsync(new CreateEvaluationSubjectRequest
        {
            RequestId = Guid.NewGuid().ToString(), RegionCode = evaluation.RegionCode, SubjectCode = evaluation.SubjectCode,
            Kind = SubjectKind.ResidentFund, Name = Jiashi2020.ResidentFundName,
        }, deadline: DateTime.UtcNow.AddSeconds(30));
        await cluster.AdoptTemplateAsync(evaluation, "resident-fund");
        foreach (var (account, budget) in new[] { ("4001", Jiashi2020.IncomeBudgetWanYuan), ("5001", Jiashi2020.BenefitBudgetWanYuan) })
            await cluster.Ledger.SetBudgetAsync(new SetBudgetRequest
            {
                RequestId = Guid.NewGuid().ToString(), Evaluation = evaluation, AccountCode = account, BudgetFen = Jiashi2020.Fen(budget), Reason = "全年预算",
            }, deadline: DateTime.UtcNow.AddSeconds(30));
        return (evaluation, $"{evaluation.RegionCode}/{evaluation.SubjectCode}/{evaluation.FiscalYear}");
    }
}
