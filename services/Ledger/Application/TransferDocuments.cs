using PerfEval.Contracts.Ledger.V1;
using PerfEval.Ledger.Storage;
using PerfEval.Storage;

namespace PerfEval.Ledger.Application;

/// <summary>RecordTransferDocument: a transfer-fund document moves the evaluation's figures, so it moves its version too.</summary>
public sealed class TransferDocuments(JournalStore journal, LedgerChanges changes)
{
    public async Task<RecordTransferDocumentResponse> RecordAsync(RecordTransferDocumentRequest request, string caller,
        CancellationToken cancellationToken)
    {
        var key = request.Evaluation;
        await using var connection = await journal.DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await RequestIds.ReplayAsync(connection, transaction, request.RequestId, request, RecordTransferDocumentResponse.Parser, cancellationToken) is { } earlier)
            return earlier;
        var (subjectId, version) = await EvaluationRows.LockOpenAsync(connection, transaction, key, "evaluation", cancellationToken);
        var newVersion = version + 1;
        await FigureStore.InsertTransferDocumentAsync(connection, transaction, subjectId, request, newVersion, caller, cancellationToken);
        await EvaluationRows.SetVersionAsync(connection, transaction, subjectId, key.FiscalYear, newVersion, cancellationToken);
        await changes.AnnounceAsync(connection, transaction, key, newVersion, 0, cancellationToken);
        var response = new RecordTransferDocumentResponse { LedgerVersion = newVersion };
        await RequestIds.RememberAsync(connection, transaction, request.RequestId, request, response, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return response;
    }
}
