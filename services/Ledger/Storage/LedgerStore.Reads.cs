using PerfEval.Hosting.Paging;
using Google.Protobuf;
using Npgsql;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Hosting.Errors;
using PerfEval.Hosting.Evaluations;
using PerfEval.SharedKernel.Errors;
using PerfEval.Storage;
using PerfEval.Ledger.Domain;

namespace PerfEval.Ledger.Storage;

public sealed partial class LedgerStore
{
    public async Task<IReadOnlyDictionary<string, ChartAccount>> ChartAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await ChartAsync(connection, null, cancellationToken);
    }

    static async Task<Dictionary<string, ChartAccount>> ChartAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction,
        CancellationToken cancellationToken)
    {
        await using var command = Sql.Command(connection, transaction,
            "select code, name, account_class, normal_side, parent_code, is_group, province_code from accounts");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var chart = new Dictionary<string, ChartAccount>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
            chart[reader.GetString(0)] = new ChartAccount(reader.GetString(0), reader.GetString(1), (AccountClass)reader.GetInt16(2),
                (Side)reader.GetInt16(3), reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetBoolean(5),
                reader.IsDBNull(6) ? null : reader.GetString(6));
        return chart;
    }

    public async Task<GetFundMetricsResponse> GetFundMetricsAsync(GetFundMetricsRequest request, CancellationToken cancellationToken)
    {
        var key = request.Evaluation;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // One snapshot: the version, the balances and the budgets always agree.
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var chart = await ChartAsync(connection, transaction, cancellationToken);
        var (subjectId, latest, closed) = await EvaluationStateAsync(connection, transaction, key.RegionCode, key.SubjectCode, key.FiscalYear, cancellationToken);
        if (request.AsOfLedgerVersion > latest)
            throw RpcErrors.NotFound($"ledger version {request.AsOfLedgerVersion} of {EvaluationKeys.Format(key)} does not exist (latest is {latest})");
        var version = request.AsOfLedgerVersion > 0 ? request.AsOfLedgerVersion : latest;

        var (figures, hasPrior) = await FiguresAsync(connection, transaction, subjectId, key.FiscalYear, version == latest ? null : version, cancellationToken);
        var transfers = await TransfersAsync(connection, transaction, subjectId, key.FiscalYear, version, cancellationToken);
        var subjects = new List<string> { key.SubjectCode };
        foreach (var code in request.ConsolidateSubjectCodes.Distinct(StringComparer.Ordinal).Where(c => c != key.SubjectCode))
        {
            var (otherId, _, _) = await EvaluationStateAsync(connection, transaction, key.RegionCode, code, key.FiscalYear, cancellationToken);
            var (more, morePrior) = await FiguresAsync(connection, transaction, otherId, key.FiscalYear, null, cancellationToken);
            figures.AddRange(more);
            hasPrior |= morePrior;
            transfers.AddRange(await TransfersAsync(connection, transaction, otherId, key.FiscalYear, long.MaxValue, cancellationToken));
            subjects.Add(code);
        }

        var (accounts, summary) = FundMetrics.Compute(chart, FundMetrics.Consolidate(figures), hasPrior);
        summary.YearClosed = closed;
        var response = new GetFundMetricsResponse { LedgerVersion = version, Accounts = { accounts }, Summary = summary, SubjectCodes = { subjects } };
        response.Transfers.AddRange(TransferFunds.Totals(transfers).Select(FundMetrics.Transfer));
        return response;
    }

    static async Task<(long SubjectId, long Version, bool Closed)> EvaluationStateAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        string regionCode, string subjectCode, int fiscalYear, CancellationToken cancellationToken)
    {
        var subject = await FindSubjectAsync(connection, transaction, regionCode, subjectCode, cancellationToken)
            ?? throw RpcErrors.NotFound($"no evaluation subject {regionCode}/{subjectCode}");
        await using var command = Sql.Command(connection, transaction,
            "select ledger_version, closed_at is not null from evaluations where subject_id = $1 and fiscal_year = $2", subject.Id, fiscalYear);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (subject.Id, reader.GetInt64(0), reader.GetBoolean(1)) : (subject.Id, 0, false);
    }

    /// <summary>
    /// Actual, budget and prior-year actual per account from the running balances (the latest
    /// version) or from the balance history (an earlier version): never a scan of the journal.
    /// </summary>
    static async Task<(List<AccountFigures> Figures, bool HasPriorYear)> FiguresAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        long subjectId, int fiscalYear, long? asOfVersion, CancellationToken cancellationToken)
    {
        const string latest =
            """
            with ini as (
                select distinct on (account_code) account_code, budget_fen from budget_changes
                where subject_id = $1 and fiscal_year = $2 and kind = 1 order by account_code, ledger_version desc, id desc)
            select a.code, a.normal_side, coalesce(b.debit_fen, 0), coalesce(b.credit_fen, 0), b.budget_fen, ini.budget_fen,
                   coalesce(p.debit_fen, 0), coalesce(p.credit_fen, 0)
            from accounts a
            left join balances b on b.subject_id = $1 and b.fiscal_year = $2 and b.account_code = a.code
            left join balances p on p.subject_id = $1 and p.fiscal_year = $2 - 1 and p.account_code = a.code
            left join ini on ini.account_code = a.code
            where b.account_code is not null or p.account_code is not null
            """;
        const string asOf =
            """
            with cur as (
                select distinct on (account_code) account_code, debit_fen, credit_fen from balance_versions
                where subject_id = $1 and fiscal_year = $2 and ledger_version <= $3 order by account_code, ledger_version desc),
            bud as (
                select distinct on (account_code) account_code, budget_fen from budget_changes
                where subject_id = $1 and fiscal_year = $2 and ledger_version <= $3 order by account_code, ledger_version desc, id desc),
            ini as (
                select distinct on (account_code) account_code, budget_fen from budget_changes
                where subject_id = $1 and fiscal_year = $2 and ledger_version <= $3 and kind = 1 order by account_code, ledger_version desc, id desc)
            select a.code, a.normal_side, coalesce(cur.debit_fen, 0), coalesce(cur.credit_fen, 0), bud.budget_fen, ini.budget_fen,
                   coalesce(p.debit_fen, 0), coalesce(p.credit_fen, 0)
            from accounts a
            left join cur on cur.account_code = a.code
            left join bud on bud.account_code = a.code
            left join ini on ini.account_code = a.code
            left join balances p on p.subject_id = $1 and p.fiscal_year = $2 - 1 and p.account_code = a.code
            where cur.account_code is not null or bud.account_code is not null or p.account_code is not null
            """;
        var figures = new List<AccountFigures>();
        var hasPrior = false;
        await using var command = asOfVersion is { } v
            ? Sql.Command(connection, transaction, asOf, subjectId, fiscalYear, v)
            : Sql.Command(connection, transaction, latest, subjectId, fiscalYear);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var normalSide = (Side)reader.GetInt16(1);
            var actual = Balances.Signed(normalSide, reader.GetInt64(2), reader.GetInt64(3));
            var prior = Balances.Signed(normalSide, reader.GetInt64(6), reader.GetInt64(7));
            hasPrior |= reader.GetInt64(6) != 0 || reader.GetInt64(7) != 0;
            figures.Add(new AccountFigures(reader.GetString(0), actual, reader.IsDBNull(4) ? null : reader.GetInt64(4),
                reader.IsDBNull(5) ? null : reader.GetInt64(5), prior));
        }
        return (figures, hasPrior);
    }

    static async Task<List<TransferDocumentAmount>> TransfersAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long subjectId, int fiscalYear,
        long version, CancellationToken cancellationToken)
    {
        await using var command = Sql.Command(connection, transaction,
            "select kind, level, document_number, amount_fen from transfer_documents where subject_id = $1 and fiscal_year = $2 and ledger_version <= $3 order by id",
            subjectId, fiscalYear, version);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<TransferDocumentAmount>();
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(new TransferDocumentAmount((TransferDocumentKind)reader.GetInt16(0), (FundingLevel)reader.GetInt16(1), reader.GetString(2), reader.GetInt64(3)));
        return rows;
    }

    public async Task<FileDeclaredFiguresResponse> FileDeclaredFiguresAsync(FileDeclaredFiguresRequest request, string caller,
        CancellationToken cancellationToken)
    {
        var key = request.Evaluation;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var subject = await FindSubjectAsync(connection, transaction, key.RegionCode, key.SubjectCode, cancellationToken)
            ?? throw RpcErrors.NotFound($"no evaluation subject {key.RegionCode}/{key.SubjectCode}", NotFoundException.EvaluationNotFound);
        // Serialize filers of one evaluation so the id checks below hold until commit.
        await Sql.ExecuteAsync(connection, transaction, "select pg_advisory_xact_lock($1)", cancellationToken, subject.Id);

        var chart = await ChartAsync(connection, transaction, cancellationToken);
        var stored = await DeclaredFiguresAsync(connection, transaction, subject.Id, key.FiscalYear, cancellationToken);
        var storedById = stored.ToDictionary(f => f.FigureId, StringComparer.Ordinal);
        var violations = new FieldViolations();
        var batchIds = request.Figures.Select(f => f.FigureId).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < request.Figures.Count; i++)
        {
            var figure = request.Figures[i];
            if (figure.AccountCode.Length > 0 && !chart.ContainsKey(figure.AccountCode))
                violations.Add($"figures[{i}].account_code", $"unknown account \"{figure.AccountCode}\"");
            if (figure.TotalFigureId.Length > 0 && !batchIds.Contains(figure.TotalFigureId) && !storedById.ContainsKey(figure.TotalFigureId))
                violations.Add($"figures[{i}].total_figure_id", $"no declared figure \"{figure.TotalFigureId}\" in this call or filed before");
            for (var j = 0; j < figure.ConsolidateSubjectCodes.Count; j++)
                if (await FindSubjectAsync(connection, transaction, key.RegionCode, figure.ConsolidateSubjectCodes[j], cancellationToken) is null)
                    violations.Add($"figures[{i}].consolidate_subject_codes[{j}]", $"no subject \"{figure.ConsolidateSubjectCodes[j]}\" in region {key.RegionCode}");
        }
        violations.ThrowIfAny();

        var count = 0;
        for (var i = 0; i < request.Figures.Count; i++)
        {
            var figure = request.Figures[i];
            if (storedById.TryGetValue(figure.FigureId, out var earlier))
            {
                if (!earlier.Equals(figure))
                    throw RpcErrors.AlreadyExists($"figure {figure.FigureId} was filed before with different content", $"figures[{i}].figure_id");
                continue;
            }
            await Sql.ExecuteAsync(connection, transaction,
                "insert into declared_figures (subject_id, fiscal_year, figure_id, payload, caller) values ($1, $2, $3, $4, $5)",
                cancellationToken, subject.Id, key.FiscalYear, figure.FigureId, figure.ToByteArray(), caller);
            count++;
        }
        await transaction.CommitAsync(cancellationToken);
        return new FileDeclaredFiguresResponse { Stored = count };
    }

    static async Task<List<DeclaredFigure>> DeclaredFiguresAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long subjectId,
        int fiscalYear, CancellationToken cancellationToken)
    {
        await using var command = Sql.Command(connection, transaction,
            "select payload from declared_figures where subject_id = $1 and fiscal_year = $2 order by seq", subjectId, fiscalYear);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var figures = new List<DeclaredFigure>();
        while (await reader.ReadAsync(cancellationToken))
            figures.Add(DeclaredFigure.Parser.ParseFrom((byte[])reader[0]));
        return figures;
    }

    public async Task<GetReconciliationFindingsResponse> GetReconciliationFindingsAsync(EvaluationKey key, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var chart = await ChartAsync(connection, transaction, cancellationToken);
        var (subjectId, version, _) = await EvaluationStateAsync(connection, transaction, key.RegionCode, key.SubjectCode, key.FiscalYear, cancellationToken);
        var figures = await DeclaredFiguresAsync(connection, transaction, subjectId, key.FiscalYear, cancellationToken);

        var scopes = figures.Select(f => f.ConsolidateSubjectCodes.ToList()).Append([])
            .GroupBy(c => Reconciliation.ScopeKey(key.SubjectCode, c)).ToDictionary(g => g.Key, g => g.First());
        var views = new Dictionary<string, LedgerView>();
        foreach (var (scopeKey, others) in scopes)
        {
            var figuresOfScope = new List<AccountFigures>();
            var hasPrior = false;
            foreach (var code in others.Append(key.SubjectCode).Distinct(StringComparer.Ordinal))
            {
                var (id, _, _) = await EvaluationStateAsync(connection, transaction, key.RegionCode, code, key.FiscalYear, cancellationToken);
                var (more, prior) = await FiguresAsync(connection, transaction, id, key.FiscalYear, null, cancellationToken);
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

    public async Task<ListAccountsResponse> ListAccountsAsync(ListAccountsRequest request, CancellationToken cancellationToken)
    {
        var province = request.RegionCode.Length == 6 ? request.RegionCode[..2] + "0000" : "";
        var size = PageTokens.PageSize(request.PageSize);
        var afterCode = PageTokens.Decode(request.PageToken) ?? throw new InvalidOperationException("page_token is validated by the API");
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Sql.Command(connection, null,
            """
            select a.code, a.name, a.account_class, a.normal_side, coalesce(a.parent_code, ''), a.is_group, coalesce(a.province_code, '')
            from accounts a join account_charts c on c.account_code = a.code and c.subject_kind = $1
            where (a.province_code is null or a.province_code = $2) and a.code > $3
            order by a.code
            limit $4
            """, (short)request.Kind, province, afterCode, size + 1);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var response = new ListAccountsResponse();
        while (await reader.ReadAsync(cancellationToken))
            response.Accounts.Add(ReadAccount(reader));
        if (response.Accounts.Count > size)
        {
            response.Accounts.RemoveAt(size);
            response.NextPageToken = PageTokens.Encode(response.Accounts[^1].Code);
        }
        return response;
    }

    static Account ReadAccount(NpgsqlDataReader reader) => new()
    {
        Code = reader.GetString(0), Name = reader.GetString(1), AccountClass = (AccountClass)reader.GetInt16(2), NormalSide = (Side)reader.GetInt16(3),
        ParentCode = reader.GetString(4), IsGroup = reader.GetBoolean(5), ProvinceCode = reader.GetString(6),
    };

    public async Task<AddAccountResponse> AddAccountAsync(AddAccountRequest request, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await RequestIds.ReplayAsync(connection, transaction, request.RequestId, request, AddAccountResponse.Parser, cancellationToken) is { } earlier)
            return earlier;
        var chart = await ChartAsync(connection, transaction, cancellationToken);
        if (!chart.TryGetValue(request.ParentCode, out var parent) || (parent.ProvinceCode is { } p && p != request.ProvinceCode))
            throw RpcErrors.NotFound($"no account {request.ParentCode} in the chart of province {request.ProvinceCode}");
        if (chart.TryGetValue(request.AccountCode, out var existing))
        {
            if (existing.Name != request.Name || existing.ParentCode != request.ParentCode || existing.ProvinceCode != request.ProvinceCode)
                throw RpcErrors.AlreadyExists($"account {request.AccountCode} exists as \"{existing.Name}\"", "account_code");
        }
        else
        {
            await Sql.ExecuteAsync(connection, transaction,
                "insert into accounts (code, name, account_class, normal_side, parent_code, province_code) values ($1, $2, $3, $4, $5, $6)",
                cancellationToken, request.AccountCode, request.Name, (short)parent.Class, (short)parent.NormalSide, request.ParentCode, request.ProvinceCode);
            await Sql.ExecuteAsync(connection, transaction,
                "insert into account_charts (subject_kind, account_code) select subject_kind, $1 from account_charts where account_code = $2",
                cancellationToken, request.AccountCode, request.ParentCode);
        }
        var response = new AddAccountResponse
        {
            Account = new Account
            {
                Code = request.AccountCode, Name = request.Name, AccountClass = parent.Class, NormalSide = parent.NormalSide,
                ParentCode = request.ParentCode, ProvinceCode = request.ProvinceCode,
            },
        };
        await RequestIds.RememberAsync(connection, transaction, request.RequestId, request, response, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return response;
    }

    public async Task<ListBudgetChangesResponse> ListBudgetChangesAsync(ListBudgetChangesRequest request, CancellationToken cancellationToken)
    {
        var key = request.Evaluation;
        var size = request.PageSize is > 0 and <= 1000 ? request.PageSize : 100;
        var after = request.PageToken.Length > 0 ? long.Parse(request.PageToken, System.Globalization.CultureInfo.InvariantCulture) : 0;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var (subjectId, _, _) = await EvaluationStateAsync(connection, transaction, key.RegionCode, key.SubjectCode, key.FiscalYear, cancellationToken);
        await using var command = Sql.Command(connection, transaction,
            """
            select id, account_code, kind, budget_fen, reason, document_number, ledger_version, caller, created_at
            from budget_changes
            where subject_id = $1 and fiscal_year = $2 and ($3 = '' or account_code = $3) and id > $4
            order by id limit $5
            """, subjectId, key.FiscalYear, request.AccountCode, after, size + 1);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var response = new ListBudgetChangesResponse();
        var ids = new List<long>();
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetInt64(0));
            response.Changes.Add(new BudgetChange
            {
                AccountCode = reader.GetString(1), Kind = (BudgetKind)reader.GetInt16(2), BudgetFen = reader.GetInt64(3), Reason = reader.GetString(4),
                DocumentNumber = reader.GetString(5), LedgerVersion = reader.GetInt64(6), Caller = reader.GetString(7),
                ChangedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(reader.GetDateTime(8).ToUniversalTime()),
            });
        }
        if (response.Changes.Count > size)
        {
            response.Changes.RemoveAt(size);
            response.NextPageToken = ids[size - 1].ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return response;
    }
}
