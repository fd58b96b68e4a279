using Google.Protobuf;
using Npgsql;
using NpgsqlTypes;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Events.V1;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Hosting.Errors;
using PerfEval.SharedKernel.Errors;
using PerfEval.Hosting.Evaluations;
using PerfEval.Storage;
using PerfEval.Ledger.Domain;

namespace PerfEval.Ledger.Storage;

/// <summary>The ledger's PostgreSQL storage. Every write and its LedgerChanged event commit together.</summary>
public sealed partial class LedgerStore(NpgsqlDataSource dataSource, LedgerOptions options)
{
    IReadOnlySet<string>? _postable;

    /// <summary>
    /// The postable account codes, cached: the chart only grows (AddAccount, perhaps on another
    /// replica), so a code missing from the cache triggers one reload before it counts as unknown.
    /// </summary>
    public async Task<IReadOnlySet<string>> AccountCodesAsync(IEnumerable<string> needed, CancellationToken cancellationToken)
    {
        if (_postable is { } cached && needed.All(cached.Contains))
            return cached;
        return _postable = await AccountCodesAsync(cancellationToken);
    }

    public async Task<IReadOnlySet<string>> AccountCodesAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select code from accounts where not is_group");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var codes = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
            codes.Add(reader.GetString(0));
        return codes;
    }

    public async Task<EvaluationSubject> CreateSubjectAsync(CreateEvaluationSubjectRequest request, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        if (await RequestIds.ReplayAsync(connection, transaction, request.RequestId, request, EvaluationSubject.Parser, cancellationToken) is { } earlier)
            return earlier;

        var regionName = await RegionNameAsync(connection, transaction, request.RegionCode, cancellationToken)
            ?? throw RpcErrors.InvalidArgument([new FieldViolation("region_code", $"no current region with code {request.RegionCode} is known (unknown, or retired)")]);

        await using (var insert = new NpgsqlCommand(
            "insert into evaluation_subjects (region_code, subject_code, kind, name) values ($1, $2, $3, $4) on conflict (region_code, subject_code) do nothing",
            connection, transaction))
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = request.RegionCode });
            insert.Parameters.Add(new NpgsqlParameter { Value = request.SubjectCode });
            insert.Parameters.Add(new NpgsqlParameter { Value = (short)request.Kind });
            insert.Parameters.Add(new NpgsqlParameter { Value = request.Name });
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        var subject = await FindSubjectAsync(connection, transaction, request.RegionCode, request.SubjectCode, cancellationToken);
        if (subject!.Value.Subject.Kind != request.Kind || subject.Value.Subject.Name != request.Name)
            throw RpcErrors.AlreadyExists($"subject {request.RegionCode}/{request.SubjectCode} exists with another kind or name", "subject_code");

        await RequestIds.RememberAsync(connection, transaction, request.RequestId, request, subject.Value.Subject, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return subject.Value.Subject;
    }

    /// <param name="hashes">The entries' content hashes when the caller already computed them (the stream does, while the
    /// previous chunk is being written); computed here otherwise.</param>
    public async Task<PostEntriesResponse> PostEntriesAsync(PostEntriesRequest request, string caller, CancellationToken cancellationToken,
        string violationPrefix = "", byte[][]? hashes = null)
    {
        var key = request.Evaluation;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var response = await PostEntriesAsync(connection, transaction, request, caller, null, violationPrefix, cancellationToken, hashes);
        if (response.Stored == 0)
            await transaction.RollbackAsync(cancellationToken);
        else
            await transaction.CommitAsync(cancellationToken);
        return response.Response;
    }

    /// <summary>Posts inside the caller's transaction; the caller commits when anything was stored.</summary>
    async Task<(PostEntriesResponse Response, int Stored)> PostEntriesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        PostEntriesRequest request, string caller, string? reversesEntryId, string violationPrefix, CancellationToken cancellationToken,
        byte[][]? hashes = null)
    {
        var key = request.Evaluation;
        var (subjectId, version) = await LockOpenEvaluationAsync(connection, transaction, key, $"{violationPrefix}evaluation", cancellationToken);

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
                        throw RpcErrors.AlreadyExists($"entry {entry.EntryId} was posted before with different content", $"entries[{i}].entry_id");
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
            foreach (var command in AnnounceCommands(key, newVersion, fresh.Count))
                batch.BatchCommands.Add(command);
            await batch.ExecuteNonQueryAsync(cancellationToken);

            foreach (var i in fresh)
                results[i] = new PostedEntry { EntryId = request.Entries[i].EntryId, LedgerVersion = newVersion, Replayed = false };
            return (new PostEntriesResponse { LedgerVersion = newVersion, Results = { results } }, fresh.Count);
        }
    }

    public async Task<SetBudgetResponse> SetBudgetAsync(SetBudgetRequest request, string caller, CancellationToken cancellationToken)
    {
        var key = request.Evaluation;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await RequestIds.ReplayAsync(connection, transaction, request.RequestId, request, SetBudgetResponse.Parser, cancellationToken) is { } earlier)
            return earlier;

        var (subjectId, version) = await LockOpenEvaluationAsync(connection, transaction, key, "evaluation", cancellationToken);
        var newVersion = version + 1;
        var kind = request.Kind == BudgetKind.Unspecified ? BudgetKind.Final : request.Kind;

        await Sql.ExecuteAsync(connection, transaction,
            """
            insert into balances (subject_id, fiscal_year, account_code, budget_fen) values ($1, $2, $3, $4)
            on conflict (subject_id, fiscal_year, account_code) do update set budget_fen = excluded.budget_fen
            """, cancellationToken, subjectId, key.FiscalYear, request.AccountCode, request.BudgetFen);
        await Sql.ExecuteAsync(connection, transaction,
            """
            insert into budget_changes (subject_id, fiscal_year, account_code, budget_fen, reason, ledger_version, kind, document_number, caller)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            """, cancellationToken, subjectId, key.FiscalYear, request.AccountCode, request.BudgetFen, request.Reason, newVersion,
            (short)kind, request.DocumentNumber, caller);
        await SetVersionAsync(connection, transaction, subjectId, key.FiscalYear, newVersion, cancellationToken);
        await AnnounceAsync(connection, transaction, key, newVersion, 0, cancellationToken);

        var response = new SetBudgetResponse { LedgerVersion = newVersion };
        await RequestIds.RememberAsync(connection, transaction, request.RequestId, request, response, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return response;
    }

    public async Task<GetBalancesResponse> GetBalancesAsync(EvaluationKey key, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // One snapshot for the version and the balances, so they always agree.
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var subject = await FindSubjectAsync(connection, transaction, key.RegionCode, key.SubjectCode, cancellationToken)
            ?? throw RpcErrors.NotFound($"no evaluation subject {key.RegionCode}/{key.SubjectCode}", NotFoundException.EvaluationNotFound);

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

    static LedgerChanged Changed(EvaluationKey key, long version, int entryCount) => new()
    {
        Evaluation = key,
        LedgerVersion = version,
        EntryCount = entryCount,
    };

    /// <summary>Finds the subject and locks its evaluation row (creating it at version 0 the first time).</summary>
    static async Task<(long SubjectId, long Version, bool Closed)> LockEvaluationAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        EvaluationKey key, string field, CancellationToken cancellationToken)
    {
        // One round trip: region, subject, the evaluation row created if missing, then locked.
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                Sql.BatchCommand("select name from regions where code = $1", key.RegionCode),
                Sql.BatchCommand("select id from evaluation_subjects where region_code = $1 and subject_code = $2", key.RegionCode, key.SubjectCode),
                Sql.BatchCommand(
                    """
                    insert into evaluations (subject_id, fiscal_year)
                    select id, $3 from evaluation_subjects where region_code = $1 and subject_code = $2
                    on conflict do nothing
                    """, key.RegionCode, key.SubjectCode, key.FiscalYear),
                Sql.BatchCommand(
                    """
                    select e.subject_id, e.ledger_version, e.closed_at is not null
                    from evaluations e join evaluation_subjects s on s.id = e.subject_id
                    where s.region_code = $1 and s.subject_code = $2 and e.fiscal_year = $3
                    for update of e
                    """, key.RegionCode, key.SubjectCode, key.FiscalYear),
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var regionKnown = await reader.ReadAsync(cancellationToken);
        await reader.NextResultAsync(cancellationToken);
        var subjectKnown = await reader.ReadAsync(cancellationToken);
        // The insert returns no rows, so the next result is the locked row.
        await reader.NextResultAsync(cancellationToken);
        if (!regionKnown)
            throw RpcErrors.InvalidArgument([new FieldViolation($"{field}.region_code", $"no region with code {key.RegionCode} is known")]);
        if (!subjectKnown || !await reader.ReadAsync(cancellationToken))
            throw RpcErrors.NotFound($"no evaluation subject {key.RegionCode}/{key.SubjectCode}; create it first", NotFoundException.EvaluationNotFound);
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetBoolean(2));
    }

    /// <summary>As <see cref="LockEvaluationAsync"/>, refusing a closed year.</summary>
    static async Task<(long SubjectId, long Version)> LockOpenEvaluationAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        EvaluationKey key, string field, CancellationToken cancellationToken)
    {
        var (subjectId, version, closed) = await LockEvaluationAsync(connection, transaction, key, field, cancellationToken);
        if (closed)
            throw RpcErrors.FailedPrecondition($"fiscal year {key.FiscalYear} of {key.RegionCode}/{key.SubjectCode} is closed; post a correction into an open year",
                "YEAR_CLOSED");
        return (subjectId, version);
    }

    static async Task SetVersionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long subjectId, int fiscalYear,
        long version, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("update evaluations set ledger_version = $3 where subject_id = $1 and fiscal_year = $2",
            connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = subjectId });
        command.Parameters.Add(new NpgsqlParameter { Value = fiscalYear });
        command.Parameters.Add(new NpgsqlParameter { Value = version });
        await command.ExecuteNonQueryAsync(cancellationToken);
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

    static async Task<string?> RegionNameAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string code,
        CancellationToken cancellationToken)
    {
        // Shared lock: a concurrent RetireRegion waits for this subject and then sees it, or retires first.
        await using var command = new NpgsqlCommand("select name from regions where code = $1 and retired_at is null for share", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = code });
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    static async Task<(long Id, EvaluationSubject Subject)?> FindSubjectAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        string regionCode, string subjectCode, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            select s.id, s.kind, s.name, r.name from evaluation_subjects s join regions r on r.code = s.region_code
            where s.region_code = $1 and s.subject_code = $2
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = regionCode });
        command.Parameters.Add(new NpgsqlParameter { Value = subjectCode });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return null;
        return (reader.GetInt64(0), new EvaluationSubject
        {
            RegionCode = regionCode,
            SubjectCode = subjectCode,
            Kind = (SubjectKind)reader.GetInt16(1),
            Name = reader.GetString(2),
            RegionName = reader.GetString(3),
        });
    }
}
