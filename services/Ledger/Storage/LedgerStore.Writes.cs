using Npgsql;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Events.V1;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Hosting.Errors;
using PerfEval.SharedKernel.Errors;
using PerfEval.Hosting.Evaluations;
using PerfEval.Storage;
using PerfEval.Ledger.Domain;
using Google.Protobuf;

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

public sealed partial class LedgerStore
{
    /// <summary>
    /// Announces a change through the outbox, coalesced: while an evaluation's LedgerChanged is
    /// still unpublished, later changes overwrite its payload instead of adding rows, so a burst of
    /// chunks costs one publish (consumers compute "to latest" anyway). A row the dispatcher is
    /// publishing right now is locked and skipped, and a new row follows it.
    /// </summary>
    async Task AnnounceAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, EvaluationKey key, long version, int entryCount,
        CancellationToken cancellationToken)
    {
        var commands = AnnounceCommands(key, version, entryCount).ToList();
        if (commands.Count == 0)
            return;
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var command in commands)
            batch.BatchCommands.Add(command);
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    IEnumerable<NpgsqlBatchCommand> AnnounceCommands(EvaluationKey key, long version, int entryCount)
    {
        if (!options.PublishEvents)
            yield break;
        // A bulk ingest commits a chunk every few tens of milliseconds: one pending event per evaluation
        // carries the latest version instead of one event per chunk.
        yield return Outbox.Command(Changed(key, version, entryCount), EvaluationKeys.Format(key), replacePending: true);
    }

    /// <summary>
    /// One round trip: the codes outside the chart of the subject's kind and province (refused
    /// with a violation per line), and either the entries of this request that were posted before
    /// or, when <paramref name="lookUpEarlier"/> is false, a savepoint for an optimistic COPY.
    /// </summary>
    static async Task<Dictionary<string, EarlierEntry>> ChartAndEarlierAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        long subjectId, PostEntriesRequest request, string violationPrefix, bool lookUpEarlier, CancellationToken cancellationToken)
    {
        var codes = request.Entries.SelectMany(e => e.Lines).Select(l => l.AccountCode).Distinct(StringComparer.Ordinal).ToArray();
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                Sql.BatchCommand(
                    """
                    select code from unnest($2::text[]) as t(code)
                    where not exists (
                        select 1 from accounts a
                        join account_charts c on c.account_code = a.code
                        join evaluation_subjects s on s.id = $1 and s.kind = c.subject_kind
                        where a.code = t.code and not a.is_group
                          and (a.province_code is null or a.province_code = substr(s.region_code, 1, 2) || '0000'))
                    """, subjectId, codes),
                lookUpEarlier ? EarlierCommand(request) : Sql.BatchCommand("savepoint optimistic_copy"),
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var outside = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
            outside.Add(reader.GetString(0));
        var found = new Dictionary<string, EarlierEntry>(StringComparer.Ordinal);
        if (lookUpEarlier)
        {
            await reader.NextResultAsync(cancellationToken);
            await ReadEarlierAsync(reader, found, cancellationToken);
        }
        if (outside.Count == 0)
            return found;

        var violations = new List<FieldViolation>();
        for (var i = 0; i < request.Entries.Count; i++)
        for (var j = 0; j < request.Entries[i].Lines.Count; j++)
            if (outside.Contains(request.Entries[i].Lines[j].AccountCode))
                violations.Add(new FieldViolation($"{violationPrefix}entries[{i}].lines[{j}].account_code",
                    $"account \"{request.Entries[i].Lines[j].AccountCode}\" is not in the chart of this subject's kind and region"));
        throw RpcErrors.InvalidArgument(violations);
    }

    /// <summary>The entries of this request that were posted before, by entry id.</summary>
    static async Task<Dictionary<string, EarlierEntry>> EarlierAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        PostEntriesRequest request, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, transaction) { BatchCommands = { EarlierCommand(request) } };
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var found = new Dictionary<string, EarlierEntry>(StringComparer.Ordinal);
        await ReadEarlierAsync(reader, found, cancellationToken);
        return found;
    }

    static NpgsqlBatchCommand EarlierCommand(PostEntriesRequest request) =>
        Sql.BatchCommand("select entry_id, subject_id, fiscal_year, ledger_version, content_hash from journal_entries where entry_id = any($1)",
            new object?[] { request.Entries.Select(e => e.EntryId).ToArray() });

    static async Task ReadEarlierAsync(NpgsqlDataReader reader, Dictionary<string, EarlierEntry> found, CancellationToken cancellationToken)
    {
        while (await reader.ReadAsync(cancellationToken))
            found[reader.GetString(0)] = new EarlierEntry(reader.GetInt64(1), reader.GetInt32(2), reader.GetInt64(3), (byte[])reader[4]);
    }

    public async Task<ReverseEntryResponse> ReverseEntryAsync(ReverseEntryRequest request, string caller, CancellationToken cancellationToken)
    {
        var key = request.Evaluation;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var (subjectId, _) = await LockOpenEvaluationAsync(connection, transaction, key, "evaluation", cancellationToken);

        var original = await LoadEntryAsync(connection, transaction, request.ReversedEntryId, cancellationToken);
        if (original is null || original.Value.SubjectId != subjectId || original.Value.FiscalYear > key.FiscalYear)
            throw RpcErrors.NotFound($"no entry {request.ReversedEntryId} of {key.RegionCode}/{key.SubjectCode} in or before {key.FiscalYear}");
        if (await Sql.ScalarAsync(connection, transaction, "select entry_id from journal_entries where reverses_entry_id = $1", cancellationToken,
                request.ReversedEntryId) is string existing && existing != request.ReversalEntryId)
            throw RpcErrors.FailedPrecondition($"entry {request.ReversedEntryId} was already reversed by {existing}", "ALREADY_REVERSED");

        var reversal = Reversal.Of(original.Value.Entry, request.ReversalEntryId, request.PostingDate, request.DocumentNumber, request.Memo);
        var post = new PostEntriesRequest { Evaluation = key, Entries = { reversal } };
        var (response, stored) = await PostEntriesAsync(connection, transaction, post, caller, request.ReversedEntryId, "", cancellationToken);
        if (stored > 0)
            await transaction.CommitAsync(cancellationToken);
        var result = response.Results[0];
        var stored_ = await LoadEntryAsync(connection, null, reversal.EntryId, cancellationToken);
        return new ReverseEntryResponse { LedgerVersion = result.LedgerVersion, Reversal = stored_?.Entry ?? reversal, Replayed = result.Replayed };
    }

    static async Task<(long SubjectId, int FiscalYear, JournalEntry Entry)?> LoadEntryAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction,
        string entryId, CancellationToken cancellationToken)
    {
        (long, int, JournalEntry)? found = null;
        await using (var command = Sql.Command(connection, transaction,
            """
            select subject_id, fiscal_year, posting_date, document_number, memo, caller, coalesce(reverses_entry_id, ''),
                line_accounts, line_sides, line_amounts_fen
            from journal_entries where entry_id = $1
            """,
            entryId))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
                return null;
            var entry = new JournalEntry
            {
                EntryId = entryId,
                PostingDate = reader.GetFieldValue<DateOnly>(2).ToString("yyyy-MM-dd"),
                DocumentNumber = reader.GetString(3),
                Memo = reader.GetString(4),
                Caller = reader.GetString(5),
                ReversesEntryId = reader.GetString(6),
            };
            var accounts = reader.GetFieldValue<string[]>(7);
            var sides = reader.GetFieldValue<short[]>(8);
            var amounts = reader.GetFieldValue<long[]>(9);
            for (var j = 0; j < accounts.Length; j++)
                entry.Lines.Add(new JournalLine { AccountCode = accounts[j], Side = (Side)sides[j], AmountFen = amounts[j] });
            found = (reader.GetInt64(0), reader.GetInt32(1), entry);
        }
        return found;
    }

    public async Task<CloseYearResponse> CloseYearAsync(EvaluationKey key, string caller, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var (subjectId, version, closed) = await LockEvaluationAsync(connection, transaction, key, "evaluation", cancellationToken);
        var next = new EvaluationKey(key) { FiscalYear = key.FiscalYear + 1 };
        var openingId = YearEnd.OpeningEntryId(EvaluationKeys.Format(key));

        if (closed)
        {
            var carried = (long)(await Sql.ScalarAsync(connection, transaction,
                "select carried_balance_fen from evaluations where subject_id = $1 and fiscal_year = $2", cancellationToken, subjectId, key.FiscalYear) ?? 0L);
            var opening = await Sql.ScalarAsync(connection, transaction, "select ledger_version from journal_entries where entry_id = $1",
                cancellationToken, openingId);
            return new CloseYearResponse
            {
                LedgerVersion = version, CarriedBalanceFen = carried,
                NextYearLedgerVersion = opening as long? ?? 0, OpeningEntryId = opening is null ? "" : openingId,
            };
        }

        var balances = new List<ClosingBalance>();
        await using (var command = Sql.Command(connection, transaction,
            """
            select a.code, a.account_class, b.debit_fen, b.credit_fen
            from balances b join accounts a on a.code = b.account_code
            where b.subject_id = $1 and b.fiscal_year = $2
            """, subjectId, key.FiscalYear))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                balances.Add(new ClosingBalance(reader.GetString(0), (AccountClass)reader.GetInt16(1), reader.GetInt64(2), reader.GetInt64(3)));
        }
        var close = YearEnd.Close(balances);
        var carriedBalance = close.CarriedBalanceFen;

        long nextVersion = 0;
        if (close.HasOpeningEntry)
        {
            var opening = YearEnd.OpeningEntry(key.FiscalYear, openingId, close);
            var (posted, _) = await PostEntriesAsync(connection, transaction, new PostEntriesRequest { Evaluation = next, Entries = { opening } },
                caller, null, "", cancellationToken);
            nextVersion = posted.LedgerVersion;
        }
        else
        {
            // Still refuse closing into a closed next year.
            await LockOpenEvaluationAsync(connection, transaction, next, "evaluation", cancellationToken);
        }

        var newVersion = version + 1;
        await Sql.ExecuteAsync(connection, transaction,
            "update evaluations set ledger_version = $3, closed_at = now(), carried_balance_fen = $4 where subject_id = $1 and fiscal_year = $2",
            cancellationToken, subjectId, key.FiscalYear, newVersion, carriedBalance);
        await AnnounceAsync(connection, transaction, key, newVersion, 0, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new CloseYearResponse
        {
            LedgerVersion = newVersion, CarriedBalanceFen = carriedBalance, NextYearLedgerVersion = nextVersion,
            OpeningEntryId = nextVersion > 0 ? openingId : "",
        };
    }

    public async Task<RecordTransferDocumentResponse> RecordTransferDocumentAsync(RecordTransferDocumentRequest request, string caller,
        CancellationToken cancellationToken)
    {
        var key = request.Evaluation;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await RequestIds.ReplayAsync(connection, transaction, request.RequestId, request, RecordTransferDocumentResponse.Parser, cancellationToken) is { } earlier)
            return earlier;
        var (subjectId, version) = await LockOpenEvaluationAsync(connection, transaction, key, "evaluation", cancellationToken);
        var newVersion = version + 1;
        await Sql.ExecuteAsync(connection, transaction,
            """
            insert into transfer_documents (subject_id, fiscal_year, kind, level, document_number, amount_fen, document_date, memo, ledger_version, caller)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            """, cancellationToken, subjectId, key.FiscalYear, (short)request.Kind, (short)request.Level, request.DocumentNumber, request.AmountFen,
            IsoDates.Parse(request.DocumentDate), request.Memo, newVersion, caller);
        await SetVersionAsync(connection, transaction, subjectId, key.FiscalYear, newVersion, cancellationToken);
        await AnnounceAsync(connection, transaction, key, newVersion, 0, cancellationToken);
        var response = new RecordTransferDocumentResponse { LedgerVersion = newVersion };
        await RequestIds.RememberAsync(connection, transaction, request.RequestId, request, response, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return response;
    }
}
