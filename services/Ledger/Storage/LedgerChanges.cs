using Npgsql;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Events.V1;
using PerfEval.Hosting.Evaluations;
using PerfEval.Storage;

namespace PerfEval.Ledger.Storage;

/// <summary>Ledger settings (section "Ledger").</summary>
public sealed class LedgerOptions
{
    /// <summary>
    /// Publish LedgerChanged through the outbox. Only the ingest benchmark turns it off, to measure
    /// what the outbox costs; a running service always publishes.
    /// </summary>
    public bool PublishEvents { get; set; } = true;
}

/// <summary>
/// Announces a change of an evaluation's ledger through the outbox, in the transaction of the change.
/// Coalesced: while an evaluation's LedgerChanged is still unpublished, later changes overwrite its
/// payload instead of adding rows, so a burst of chunks costs one publish (consumers compute "to
/// latest" anyway). A row the dispatcher is publishing right now is locked and skipped, and a new
/// row follows it.
/// </summary>
public sealed class LedgerChanges(LedgerOptions options)
{
    public async Task AnnounceAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, EvaluationKey key, long version, int entryCount,
        CancellationToken cancellationToken)
    {
        var commands = Commands(key, version, entryCount).ToList();
        if (commands.Count == 0)
            return;
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var command in commands)
            batch.BatchCommands.Add(command);
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The outbox statements, for a caller that sends them in its own batch.</summary>
    public IEnumerable<NpgsqlBatchCommand> Commands(EvaluationKey key, long version, int entryCount)
    {
        if (!options.PublishEvents)
            yield break;
        // A bulk ingest commits a chunk every few tens of milliseconds: one pending event per evaluation
        // carries the latest version instead of one event per chunk.
        yield return Outbox.Command(new LedgerChanged { Evaluation = key, LedgerVersion = version, EntryCount = entryCount },
            EvaluationKeys.Format(key), replacePending: true);
    }
}
