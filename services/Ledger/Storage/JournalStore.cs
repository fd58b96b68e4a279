using Npgsql;
using NpgsqlTypes;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Ledger.Domain;
using PerfEval.SharedKernel.Errors;
using PerfEval.Storage;

namespace PerfEval.Ledger.Storage;

/// <summary>
/// The journal: entries (posted one by one, in batches or streamed chunks, and never changed), the
/// running balances and their history per version, and the evaluation's version and year-end state.
/// Every write announces LedgerChanged in its own transaction.
/// </summary>
public sealed class JournalStore(NpgsqlDataSource dataSource, LedgerChanges changes)
{
    public NpgsqlDataSource DataSource => dataSource;

    /// <summary>Posts a batch in a transaction of its own; a batch that only replays writes nothing.</summary>
    /// <param name="hashes">The entries' content hashes when the caller already computed them (the stream does, while the
    /// previous chunk is being written); computed here otherwise.</param>
    public async Task<PostEntriesResponse> PostEntriesAsync(PostEntriesRequest request, string caller, string violationPrefix,
        byte[][]? hashes, CancellationToken cancellationToken)
    {
        try
        {
            return await PostOnceAsync(request, caller, violationPrefix, hashes, cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // Two batches racing to insert the same new entry id for different evaluations: the
            // loser retries once and then sees the winner's entry as earlier content.
        }
        try
        {
            return await PostOnceAsync(request, caller, violationPrefix, hashes, cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new ConflictException("entries of this batch were posted by a concurrent request while it was written; send it again");
        }
    }

    async Task<PostEntriesResponse> PostOnceAsync(PostEntriesRequest request, string caller, string violationPrefix, byte[][]? hashes,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var response = await PostAsync(connection, transaction, request, caller, null, violationPrefix, cancellationToken, hashes);
        if (response.Stored == 0)
            await transaction.RollbackAsync(cancellationToken);
        else
            await transaction.CommitAsync(cancellationToken);
        return response.Response;
    }

    /// <summary>Posts inside the caller's transaction; the caller commits when anything was stored.</summary>
    public async Task<(PostEntriesResponse Response, int Stored)> PostAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        PostEntriesRequest request, string caller, string? reversesEntryId, string violationPrefix, CancellationToken cancellationToken,
        byte[][]? hashes = null)
    {
        var key = request.Evaluation;
        var (subjectId, version) = await EvaluationRows.LockOpenAsync(connection, transaction, key, $"{violationPrefix}evaluation", cancellationToken);

        hashes ??= JournalRules.ContentHashes(request);
        // A large batch is written optimistically: instead of looking up every entry id first
        // (5,000 index probes per stream chunk, almost always finding nothing), its COPY runs
        // behind a savepoint and the journal's primary key finds any earlier entry. On a unique
        // violation the COPY is rolled back and the batch takes the careful path below, so a
        // replay still returns the first result and different content is still refused.
        var optimistic = request.Entries.Count > SmallBatchEntries;
        var earlier = await ChartAndEarlierAsync(connection, transaction, subjectId, request, violationPrefix, !optimistic, cancellationToken);

        while (true)
        {
            var results = new PostedEntry[request.Entries.Count];
            var fresh = new List<int>(request.Entries.Count);
            for (var i = 0; i < request.Entries.Count; i++)
            {
                var entry = request.Entries[i];
                if (earlier.TryGetValue(entry.EntryId, out var first))
                {
                    if (first.SubjectId != subjectId || first.FiscalYear != key.FiscalYear || !first.Hash.AsSpan().SequenceEqual(hashes[i]))
                        throw new ConflictException($"entry {entry.EntryId} was posted before with different content", $"entries[{i}].entry_id");
                    results[i] = new PostedEntry { EntryId = entry.EntryId, LedgerVersion = first.LedgerVersion, Replayed = true };
                }
                else
                {
                    fresh.Add(i);
                }
            }

            if (fresh.Count == 0)
            {
                // A pure replay writes nothing and spends no version.
                return (new PostEntriesResponse { LedgerVersion = version, Results = { results } }, 0);
            }

            var newVersion = version + 1;
            // Large chunks go in by binary COPY; small ones ride in the same round trip as the
            // balances, version and outbox statements.
            if (fresh.Count > SmallBatchEntries)
            {
                try
                {
                    await CopyEntriesAsync(connection, subjectId, key.FiscalYear, newVersion, request, fresh, hashes, caller, reversesEntryId,
                        cancellationToken);
                }
                catch (PostgresException ex) when (optimistic && ex.SqlState == PostgresErrorCodes.UniqueViolation)
                {
                    await Sql.ExecuteAsync(connection, transaction, "rollback to savepoint optimistic_copy", cancellationToken);
                    earlier = await EarlierAsync(connection, transaction, request, cancellationToken);
                    optimistic = false;
                    continue;
                }
            }
            await using var batch = new NpgsqlBatch(connection, transaction);
            if (fresh.Count <= SmallBatchEntries)
                InsertEntries(batch, subjectId, key.FiscalYear, newVersion, request, fresh, hashes, caller, reversesEntryId);
            batch.BatchCommands.Add(AddToBalances(subjectId, key.FiscalYear, newVersion, request, fresh));
            batch.BatchCommands.Add(Sql.BatchCommand("update evaluations set ledger_version = $3 where subject_id = $1 and fiscal_year = $2",
                subjectId, key.FiscalYear, newVersion));
            foreach (var command in changes.Commands(key, newVersion, fresh.Count))
                batch.BatchCommands.Add(command);
            await batch.ExecuteNonQueryAsync(cancellationToken);

            foreach (var i in fresh)
                results[i] = new PostedEntry { EntryId = request.Entries[i].EntryId, LedgerVersion = newVersion, Replayed = false };
            return (new PostEntriesResponse { LedgerVersion = newVersion, Results = { results } }, fresh.Count);
        }
    }

    public async Task<GetBalancesResponse> GetBalancesAsync(EvaluationKey key, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // One snapshot for the version and the balances, so they always agree.
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var subject = await EvaluationRows.FindSubjectAsync(connection, transaction, key.RegionCode, key.SubjectCode, cancellationToken)
            ?? throw new NotFoundException($"no evaluation subject {key.RegionCode}/{key.SubjectCode}", NotFoundException.EvaluationNotFound);

        var response = new GetBalancesResponse { Subject = subject.Subject };
        await using (var version = new NpgsqlCommand("select ledger_version from evaluations where subject_id = $1 and fiscal_year = $2", connection, transaction))
        {
            version.Parameters.Add(new NpgsqlParameter { Value = subject.Id });
            version.Parameters.Add(new NpgsqlParameter { Value = key.FiscalYear });
            response.LedgerVersion = await version.ExecuteScalarAsync(cancellationToken) is long v ? v : 0;
        }

        await using var command = new NpgsqlCommand(
            """
            select a.code, a.name, a.account_class, a.normal_side, b.debit_fen, b.credit_fen, b.budget_fen
            from balances b join accounts a on a.code = b.account_code
            where b.subject_id = $1 and b.fiscal_year = $2
            order by a.code
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = subject.Id });
        command.Parameters.Add(new NpgsqlParameter { Value = key.FiscalYear });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var debit = reader.GetInt64(4);
            var credit = reader.GetInt64(5);
            var balance = new AccountBalance
            {
                AccountCode = reader.GetString(0),
                AccountName = reader.GetString(1),
                AccountClass = (AccountClass)reader.GetInt16(2),
                DebitFen = debit,
                CreditFen = credit,
                ActualFen = Balances.Signed((Side)reader.GetInt16(3), debit, credit),
            };
            if (!reader.IsDBNull(6))
                balance.BudgetFen = reader.GetInt64(6);
            response.Balances.Add(balance);
        }
        return response;
    }

    /// <summary>The year's balances per account, for the year-end close.</summary>
    public static async Task<List<ClosingBalance>> ClosingBalancesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long subjectId,
        int fiscalYear, CancellationToken cancellationToken)
    {
        await using var command = Sql.Command(connection, transaction,
            """
            select a.code, a.account_class, b.debit_fen, b.credit_fen
            from balances b join accounts a on a.code = b.account_code
            where b.subject_id = $1 and b.fiscal_year = $2
            """, subjectId, fiscalYear);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var balances = new List<ClosingBalance>();
        while (await reader.ReadAsync(cancellationToken))
            balances.Add(new ClosingBalance(reader.GetString(0), (AccountClass)reader.GetInt16(1), reader.GetInt64(2), reader.GetInt64(3)));
        return balances;
    }

    /// <summary>Marks the year closed at a new version with the balance it carried.</summary>
    public static Task MarkClosedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long subjectId, int fiscalYear, long version,
        long carriedBalanceFen, CancellationToken cancellationToken) =>
        Sql.ExecuteAsync(connection, transaction,
            "update evaluations set ledger_version = $3, closed_at = now(), carried_balance_fen = $4 where subject_id = $1 and fiscal_year = $2",
            cancellationToken, subjectId, fiscalYear, version, carriedBalanceFen);

    /// <summary>What an earlier close stored: the carried balance, and the opening entry's version when it posted one.</summary>
    public static async Task<(long CarriedBalanceFen, long? OpeningVersion)> ClosedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        long subjectId, int fiscalYear, string openingEntryId, CancellationToken cancellationToken)
    {
        var carried = (long)(await Sql.ScalarAsync(connection, transaction,
            "select carried_balance_fen from evaluations where subject_id = $1 and fiscal_year = $2", cancellationToken, subjectId, fiscalYear) ?? 0L);
        var opening = await Sql.ScalarAsync(connection, transaction, "select ledger_version from journal_entries where entry_id = $1",
            cancellationToken, openingEntryId);
        return (carried, opening as long?);
    }

    /// <summary>The entry that reversed <paramref name="entryId"/>, if one did.</summary>
    public static async Task<string?> ReversedByAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string entryId,
        CancellationToken cancellationToken) =>
        await Sql.ScalarAsync(connection, transaction, "select entry_id from journal_entries where reverses_entry_id = $1", cancellationToken,
            entryId) as string;

    public static async Task<(long SubjectId, int FiscalYear, JournalEntry Entry)?> LoadEntryAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction,
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

    sealed record EarlierEntry(long SubjectId, int FiscalYear, long LedgerVersion, byte[] Hash);

    /// <summary>Above this many entries a posting is written with binary COPY.</summary>
    const int SmallBatchEntries = 50;

    static void InsertEntries(NpgsqlBatch batch, long subjectId, int fiscalYear, long version, PostEntriesRequest request, List<int> fresh,
        byte[][] hashes, string caller, string? reversesEntryId)
    {
        var entries = fresh.Select(i => request.Entries[i]).ToList();
        // Lines travel as flat arrays; each entry takes its slice [first, last] (1-based, as
        // PostgreSQL arrays are) into its own line arrays.
        var firstLine = new int[entries.Count];
        var lastLine = new int[entries.Count];
        for (int e = 0, next = 1; e < entries.Count; e++)
        {
            firstLine[e] = next;
            next += entries[e].Lines.Count;
            lastLine[e] = next - 1;
        }
        var lines = entries.SelectMany(e => e.Lines).ToList();
        batch.BatchCommands.Add(Sql.BatchCommand(
            """
            insert into journal_entries (entry_id, subject_id, fiscal_year, ledger_version, posting_date, document_number, memo, content_hash, caller,
                reverses_entry_id, line_accounts, line_sides, line_amounts_fen)
            select id, $2, $3, $4, d, doc, memo, h, $5, $6, ($11::text[])[first:last], ($12::smallint[])[first:last], ($13::bigint[])[first:last]
            from unnest($1::text[], $7::date[], $8::text[], $9::text[], $10::bytea[], $14::int[], $15::int[]) as t(id, d, doc, memo, h, first, last)
            """,
            entries.Select(e => e.EntryId).ToArray(), subjectId, fiscalYear, version, caller,
            new NpgsqlParameter { Value = (object?)reversesEntryId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text },
            entries.Select(e => IsoDates.Parse(e.PostingDate)).ToArray(),
            entries.Select(e => e.DocumentNumber).ToArray(),
            entries.Select(e => e.Memo).ToArray(),
            new NpgsqlParameter { Value = fresh.Select(i => hashes[i]).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea },
            lines.Select(l => l.AccountCode).ToArray(), lines.Select(l => (short)l.Side).ToArray(), lines.Select(l => l.AmountFen).ToArray(),
            firstLine, lastLine));
    }

    static async Task CopyEntriesAsync(NpgsqlConnection connection, long subjectId, int fiscalYear,
        long version, PostEntriesRequest request, List<int> fresh, byte[][] hashes, string caller, string? reversesEntryId,
        CancellationToken cancellationToken)
    {
        // Rows are written with the synchronous Write: it only copies into Npgsql's buffer (blocking
        // briefly when a full buffer goes out), while WriteAsync costs a Task per value, 100,000
        // per 10,000-line chunk, which was a large part of the service's CPU on ingest.
        await using var entries = await connection.BeginBinaryImportAsync(
            """
            copy journal_entries (entry_id, subject_id, fiscal_year, ledger_version, posting_date, document_number, memo, content_hash, caller,
                reverses_entry_id, line_accounts, line_sides, line_amounts_fen) from stdin (format binary)
            """,
            cancellationToken);
        foreach (var i in fresh)
        {
            var entry = request.Entries[i];
            var count = entry.Lines.Count;
            var accounts = new string[count];
            var sides = new short[count];
            var amounts = new long[count];
            for (var j = 0; j < count; j++)
            {
                var line = entry.Lines[j];
                accounts[j] = line.AccountCode;
                sides[j] = (short)line.Side;
                amounts[j] = line.AmountFen;
            }
            entries.StartRow();
            entries.Write(entry.EntryId, NpgsqlDbType.Text);
            entries.Write(subjectId, NpgsqlDbType.Bigint);
            entries.Write(fiscalYear, NpgsqlDbType.Integer);
            entries.Write(version, NpgsqlDbType.Bigint);
            entries.Write(IsoDates.Parse(entry.PostingDate), NpgsqlDbType.Date);
            entries.Write(entry.DocumentNumber, NpgsqlDbType.Text);
            entries.Write(entry.Memo, NpgsqlDbType.Text);
            entries.Write(hashes[i], NpgsqlDbType.Bytea);
            entries.Write(caller, NpgsqlDbType.Text);
            if (reversesEntryId is null)
                entries.WriteNull();
            else
                entries.Write(reversesEntryId, NpgsqlDbType.Text);
            entries.Write(accounts, NpgsqlDbType.Array | NpgsqlDbType.Text);
            entries.Write(sides, NpgsqlDbType.Array | NpgsqlDbType.Smallint);
            entries.Write(amounts, NpgsqlDbType.Array | NpgsqlDbType.Bigint);
        }
        await entries.CompleteAsync(cancellationToken);
    }

    static NpgsqlBatchCommand AddToBalances(long subjectId, int fiscalYear, long version, PostEntriesRequest request, List<int> fresh)
    {
        // Aggregate in memory first: one upsert row per account touched, not per line.
        var totals = new SortedDictionary<string, (long Debit, long Credit)>(StringComparer.Ordinal);
        foreach (var line in fresh.SelectMany(i => request.Entries[i].Lines))
        {
            var (debit, credit) = totals.GetValueOrDefault(line.AccountCode);
            totals[line.AccountCode] = line.Side == Side.Debit
                ? (checked(debit + line.AmountFen), credit)
                : (debit, checked(credit + line.AmountFen));
        }
        return Sql.BatchCommand(
            """
            with upserted as (
                insert into balances (subject_id, fiscal_year, account_code, debit_fen, credit_fen)
                select $1, $2, code, debit, credit from unnest($3::text[], $4::bigint[], $5::bigint[]) as t(code, debit, credit)
                on conflict (subject_id, fiscal_year, account_code) do update
                set debit_fen = balances.debit_fen + excluded.debit_fen, credit_fen = balances.credit_fen + excluded.credit_fen
                returning account_code, debit_fen, credit_fen)
            insert into balance_versions (subject_id, fiscal_year, account_code, ledger_version, debit_fen, credit_fen)
            select $1, $2, account_code, $6, debit_fen, credit_fen from upserted
            """, subjectId, fiscalYear, totals.Keys.ToArray(), totals.Values.Select(t => t.Debit).ToArray(),
            totals.Values.Select(t => t.Credit).ToArray(), version);
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

        var violations = new FieldViolations();
        for (var i = 0; i < request.Entries.Count; i++)
        for (var j = 0; j < request.Entries[i].Lines.Count; j++)
            if (outside.Contains(request.Entries[i].Lines[j].AccountCode))
                violations.Add($"{violationPrefix}entries[{i}].lines[{j}].account_code",
                    $"account \"{request.Entries[i].Lines[j].AccountCode}\" is not in the chart of this subject's kind and region");
        violations.ThrowIfAny();
        return found;
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
}
