using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Hosting.Evaluations;
using PerfEval.Ledger.Domain;
using PerfEval.Ledger.Storage;

namespace PerfEval.Ledger.Application;

/// <summary>
/// CloseYear (年终结转): closes an evaluation's year and opens the next one with what it carries
/// (<see cref="YearEnd"/>), in one transaction. Closing a closed year answers what the close did.
/// </summary>
public sealed class YearClosing(JournalStore journal, LedgerChanges changes)
{
    public async Task<CloseYearResponse> CloseAsync(EvaluationKey key, string caller, CancellationToken cancellationToken)
    {
        await using var connection = await journal.DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var (subjectId, version, closed) = await EvaluationRows.LockAsync(connection, transaction, key, "evaluation", cancellationToken);
        var next = new EvaluationKey(key) { FiscalYear = key.FiscalYear + 1 };
        var openingId = YearEnd.OpeningEntryId(EvaluationKeys.Format(key));

        if (closed)
        {
            var (carried, openingVersion) = await JournalStore.ClosedAsync(connection, transaction, subjectId, key.FiscalYear, openingId, cancellationToken);
            return new CloseYearResponse
            {
                LedgerVersion = version, CarriedBalanceFen = carried,
                NextYearLedgerVersion = openingVersion ?? 0, OpeningEntryId = openingVersion is null ? "" : openingId,
            };
        }

        var close = YearEnd.Close(await JournalStore.ClosingBalancesAsync(connection, transaction, subjectId, key.FiscalYear, cancellationToken));
        long nextVersion = 0;
        if (close.HasOpeningEntry)
        {
            var opening = YearEnd.OpeningEntry(key.FiscalYear, openingId, close);
            var (posted, _) = await journal.PostAsync(connection, transaction, new PostEntriesRequest { Evaluation = next, Entries = { opening } },
                caller, null, "", cancellationToken);
            nextVersion = posted.LedgerVersion;
        }
        else
        {
            // Still refuse closing into a closed next year.
            await EvaluationRows.LockOpenAsync(connection, transaction, next, "evaluation", cancellationToken);
        }

        var newVersion = version + 1;
        await JournalStore.MarkClosedAsync(connection, transaction, subjectId, key.FiscalYear, newVersion, close.CarriedBalanceFen, cancellationToken);
        await changes.AnnounceAsync(connection, transaction, key, newVersion, 0, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new CloseYearResponse
        {
            LedgerVersion = newVersion, CarriedBalanceFen = close.CarriedBalanceFen, NextYearLedgerVersion = nextVersion,
            OpeningEntryId = nextVersion > 0 ? openingId : "",
        };
    }
}
