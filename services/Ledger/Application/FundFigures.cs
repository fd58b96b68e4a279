using Npgsql;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Hosting.Evaluations;
using PerfEval.Ledger.Domain;
using PerfEval.Ledger.Storage;
using PerfEval.SharedKernel.Errors;

namespace PerfEval.Ledger.Application;

/// <summary>
/// The reads that compute: fund metrics (GetFundMetrics) and reconciliation findings of the declared
/// figures against the ledger (GetReconciliationFindings), each from one snapshot so the version,
/// balances and budgets always agree.
/// </summary>
public sealed class FundFigures(NpgsqlDataSource dataSource)
{
    public async Task<GetFundMetricsResponse> MetricsAsync(GetFundMetricsRequest request, CancellationToken cancellationToken)
    {
        var key = request.Evaluation;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var chart = await ReferenceDataStore.ChartAsync(connection, transaction, cancellationToken);
        var (subjectId, latest, closed) = await EvaluationRows.StateAsync(connection, transaction, key.RegionCode, key.SubjectCode, key.FiscalYear, cancellationToken);
        if (request.AsOfLedgerVersion > latest)
            throw new NotFoundException($"ledger version {request.AsOfLedgerVersion} of {EvaluationKeys.Format(key)} does not exist (latest is {latest})");
        var version = request.AsOfLedgerVersion > 0 ? request.AsOfLedgerVersion : latest;

        var (figures, hasPrior) = await FigureStore.FiguresAsync(connection, transaction, subjectId, key.FiscalYear, version == latest ? null : version,
            cancellationToken);
        var transfers = await FigureStore.TransfersAsync(connection, transaction, subjectId, key.FiscalYear, version, cancellationToken);
        var subjects = new List<string> { key.SubjectCode };
        foreach (var code in request.ConsolidateSubjectCodes.Distinct(StringComparer.Ordinal).Where(c => c != key.SubjectCode))
        {
            var (otherId, _, _) = await EvaluationRows.StateAsync(connection, transaction, key.RegionCode, code, key.FiscalYear, cancellationToken);
            var (more, morePrior) = await FigureStore.FiguresAsync(connection, transaction, otherId, key.FiscalYear, null, cancellationToken);
            figures.AddRange(more);
            hasPrior |= morePrior;
            transfers.AddRange(await FigureStore.TransfersAsync(connection, transaction, otherId, key.FiscalYear, long.MaxValue, cancellationToken));
            subjects.Add(code);
        }

        var (accounts, summary) = FundMetrics.Compute(chart, FundMetrics.Consolidate(figures), hasPrior);
        summary.YearClosed = closed;
        var response = new GetFundMetricsResponse { LedgerVersion = version, Accounts = { accounts }, Summary = summary, SubjectCodes = { subjects } };
        response.Transfers.AddRange(TransferFunds.Totals(transfers).Select(FundMetrics.Transfer));
        return response;
    }

    public async Task<GetReconciliationFindingsResponse> ReconciliationFindingsAsync(EvaluationKey key, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var chart = await ReferenceDataStore.ChartAsync(connection, transaction, cancellationToken);
        var (subjectId, version, _) = await EvaluationRows.StateAsync(connection, transaction, key.RegionCode, key.SubjectCode, key.FiscalYear, cancellationToken);
        var figures = await DeclaredFigureStore.ListAsync(connection, transaction, subjectId, key.FiscalYear, cancellationToken);

        var scopes = figures.Select(f => f.ConsolidateSubjectCodes.ToList()).Append([])
            .GroupBy(c => Reconciliation.ScopeKey(key.SubjectCode, c)).ToDictionary(g => g.Key, g => g.First());
        var views = new Dictionary<string, LedgerView>();
        foreach (var (scopeKey, others) in scopes)
        {
            var figuresOfScope = new List<AccountFigures>();
            var hasPrior = false;
            foreach (var code in others.Append(key.SubjectCode).Distinct(StringComparer.Ordinal))
            {
                var (id, _, _) = await EvaluationRows.StateAsync(connection, transaction, key.RegionCode, code, key.FiscalYear, cancellationToken);
                var (more, prior) = await FigureStore.FiguresAsync(connection, transaction, id, key.FiscalYear, null, cancellationToken);
                figuresOfScope.AddRange(more);
                hasPrior |= prior;
            }
            var (accounts, summary) = FundMetrics.Compute(chart, FundMetrics.Consolidate(figuresOfScope), hasPrior);
            views[scopeKey] = new LedgerView(accounts.ToDictionary(a => a.AccountCode, StringComparer.Ordinal), summary, hasPrior);
        }
        return new GetReconciliationFindingsResponse
        {
            LedgerVersion = version,
            Findings = { Reconciliation.Reconcile(figures, key.SubjectCode, views) },
        };
    }
}
