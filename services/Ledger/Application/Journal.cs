using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Ledger.Domain;
using PerfEval.Ledger.Storage;
using PerfEval.SharedKernel.Errors;

namespace PerfEval.Ledger.Application;

/// <summary>Posting to the journal and undoing a posting: the ledger's money moves only through these.</summary>
public sealed class Journal(JournalStore store)
{
    /// <summary>
    /// PostEntries and every chunk of StreamPostEntries: all entries of the batch or none, a replayed
    /// entry answered with its first result. <paramref name="violationPrefix"/> places a chunk's
    /// field paths inside the stream ("chunks[3].").
    /// </summary>
    public Task<PostEntriesResponse> PostAsync(PostEntriesRequest request, string caller, string violationPrefix, byte[][]? hashes,
        CancellationToken cancellationToken) =>
        store.PostEntriesAsync(request, caller, violationPrefix, hashes, cancellationToken);

    public Task<GetBalancesResponse> BalancesAsync(EvaluationKey key, CancellationToken cancellationToken) =>
        store.GetBalancesAsync(key, cancellationToken);

    /// <summary>
    /// ReverseEntry: posts the mirror of an entry of this subject (this year or an earlier one) into
    /// this year. An entry is reversed once; sending the same reversal again replays it.
    /// </summary>
    public async Task<ReverseEntryResponse> ReverseAsync(ReverseEntryRequest request, string caller, CancellationToken cancellationToken)
    {
        var key = request.Evaluation;
        await using var connection = await store.DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var (subjectId, _) = await EvaluationRows.LockOpenAsync(connection, transaction, key, "evaluation", cancellationToken);

        var original = await JournalStore.LoadEntryAsync(connection, transaction, request.ReversedEntryId, cancellationToken);
        if (original is null || original.Value.SubjectId != subjectId || original.Value.FiscalYear > key.FiscalYear)
            throw new NotFoundException($"no entry {request.ReversedEntryId} of {key.RegionCode}/{key.SubjectCode} in or before {key.FiscalYear}");
        if (await JournalStore.ReversedByAsync(connection, transaction, request.ReversedEntryId, cancellationToken) is { } existing
            && existing != request.ReversalEntryId)
            throw new PreconditionFailedException($"entry {request.ReversedEntryId} was already reversed by {existing}", "ALREADY_REVERSED");

        var reversal = Reversal.Of(original.Value.Entry, request.ReversalEntryId, request.PostingDate, request.DocumentNumber, request.Memo);
        var post = new PostEntriesRequest { Evaluation = key, Entries = { reversal } };
        var (response, stored) = await store.PostAsync(connection, transaction, post, caller, request.ReversedEntryId, "", cancellationToken);
        if (stored > 0)
            await transaction.CommitAsync(cancellationToken);
        var result = response.Results[0];
        var storedReversal = await JournalStore.LoadEntryAsync(connection, null, reversal.EntryId, cancellationToken);
        return new ReverseEntryResponse { LedgerVersion = result.LedgerVersion, Reversal = storedReversal?.Entry ?? reversal, Replayed = result.Replayed };
    }
}
