using Grpc.Core;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Indicator.Domain;

namespace PerfEval.Indicator.Upstream;

/// <summary>
/// The ledger figures of one evaluation at one ledger version, and of the prior year; Budgets is the
/// ledger's budget coverage (GetFundMetrics) at the same version.
/// </summary>
public sealed record LedgerSnapshot(string SubjectKind, long LedgerVersion, IReadOnlyList<AccountFact> Accounts,
    long PriorLedgerVersion, IReadOnlyList<AccountFact>? PriorAccounts)
{
    public IReadOnlyList<BudgetCoverage> Budgets { get; init; } = [];
}

/// <summary>Where formulas get ledger figures.</summary>
public interface ILedgerFacts
{
    /// <summary>
    /// The evaluation's figures. The ledger's own NOT_FOUND (an RpcException) passes through unchanged:
    /// the consumers' UnknownEvaluationFilter acknowledges it when its reason is EVALUATION_NOT_FOUND.
    /// </summary>
    Task<LedgerSnapshot> GetAsync(EvaluationKey key, CancellationToken cancellationToken);
}

/// <summary>
/// Reads GetBalances of the year and of year − 1 (for prior-year figures), and GetFundMetrics at the
/// same ledger version: the ledger owns budget execution (which spending a budget line covers), so
/// budget() and executed() read its coverage instead of re-deriving it from balances.
/// </summary>
public sealed class GrpcLedgerFacts(LedgerService.LedgerServiceClient ledger) : ILedgerFacts
{
    public async Task<LedgerSnapshot> GetAsync(EvaluationKey key, CancellationToken cancellationToken)
    {
        var current = await ledger.GetBalancesAsync(new GetBalancesRequest { Evaluation = key },
            deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: cancellationToken);
        GetBalancesResponse? prior = null;
        try
        {
            var priorKey = key.Clone();
            priorKey.FiscalYear -= 1;
            prior = await ledger.GetBalancesAsync(new GetBalancesRequest { Evaluation = priorKey },
                deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode is not (StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Cancelled))
        {
            // No prior-year ledger: prior(...) formulas have no value.
        }
        var metrics = await ledger.GetFundMetricsAsync(new GetFundMetricsRequest { Evaluation = key, AsOfLedgerVersion = current.LedgerVersion },
            deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: cancellationToken);
        return new LedgerSnapshot(SubjectKindOf(current.Subject?.Kind ?? SubjectKind.Unspecified), current.LedgerVersion, Facts(current),
            prior?.LedgerVersion ?? 0, prior is null || prior.Balances.Count == 0 ? null : Facts(prior))
        {
            Budgets = Coverage(metrics),
        };
    }

    /// <summary>The fund metrics' rows as budget coverage: the covering budget (absent when none) and the actual it covers.</summary>
    public static List<BudgetCoverage> Coverage(GetFundMetricsResponse metrics) => metrics.Accounts
        .Select(a => new BudgetCoverage(a.AccountCode, a.ParentCode, ClassOf(a.AccountClass), a.HasBudgetFen ? a.BudgetFen : null, a.BudgetedActualFen))
        .ToList();

    static List<AccountFact> Facts(GetBalancesResponse response) => response.Balances
        .Select(b => new AccountFact(b.AccountCode, b.AccountName, ClassOf(b.AccountClass), b.ActualFen))
        .ToList();

    static string ClassOf(AccountClass c) => c switch
    {
        AccountClass.Income => "income",
        AccountClass.Expenditure => "expenditure",
        AccountClass.Asset => "asset",
        AccountClass.Liability => "liability",
        AccountClass.NetAsset => "net_asset",
        _ => "",
    };

    public static string SubjectKindOf(SubjectKind kind) => kind switch
    {
        SubjectKind.ResidentFund => "resident-fund",
        SubjectKind.EmployeeFund => "employee-fund",
        SubjectKind.TransferFund => "transfer-fund",
        SubjectKind.DepartmentBudget => "department-budget",
        SubjectKind.Project => "project",
        _ => "",
    };
}
