using PerfEval.Contracts.Ledger.V1;
using PerfEval.Ledger.Storage;
using PerfEval.SharedKernel.Errors;
using PerfEval.Storage;

namespace PerfEval.Ledger.Application;

/// <summary>SetBudget and the budget history: a budget change moves the ledger version like a posting.</summary>
public sealed class Budgets(BudgetStore store, JournalStore journal, LedgerChanges changes)
{
    public async Task<SetBudgetResponse> SetAsync(SetBudgetRequest request, string caller, CancellationToken cancellationToken)
    {
        var key = request.Evaluation;
        await using var connection = await journal.DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await RequestIds.ReplayAsync(connection, transaction, request.RequestId, request, SetBudgetResponse.Parser, cancellationToken) is { } earlier)
            return earlier;

        var (subjectId, version) = await EvaluationRows.LockOpenAsync(connection, transaction, key, "evaluation", cancellationToken);
        if (!await BudgetStore.InChartAsync(connection, transaction, subjectId, request.AccountCode, cancellationToken))
            throw new InvalidRequestException("account_code", $"account \"{request.AccountCode}\" is not in the chart of this subject's kind and region");
        var newVersion = version + 1;
        // An unspecified kind is the full-year line (全年预算), the one the execution rate divides by.
        var kind = request.Kind == BudgetKind.Unspecified ? BudgetKind.Final : request.Kind;
        await BudgetStore.SetLineAsync(connection, transaction, subjectId, key.FiscalYear, request, kind, newVersion, caller, cancellationToken);
        await EvaluationRows.SetVersionAsync(connection, transaction, subjectId, key.FiscalYear, newVersion, cancellationToken);
        await changes.AnnounceAsync(connection, transaction, key, newVersion, 0, cancellationToken);

        var response = new SetBudgetResponse { LedgerVersion = newVersion };
        await RequestIds.RememberAsync(connection, transaction, request.RequestId, request, response, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return response;
    }

    public Task<ListBudgetChangesResponse> ChangesAsync(ListBudgetChangesRequest request, CancellationToken cancellationToken) =>
        store.ListBudgetChangesAsync(request, cancellationToken);
}
