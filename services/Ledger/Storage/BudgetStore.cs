using System.Globalization;
using Npgsql;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Storage;

namespace PerfEval.Ledger.Storage;

/// <summary>Budget lines (预算) beside the balances, and the history of every change to them (年初, 调整, 全年).</summary>
public sealed class BudgetStore(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Whether the account is in the chart of the subject's kind and province, as PostEntries checks
    /// it (a department account, or another province's extension, has no place on a resident fund).
    /// A group account may carry a budget, so groups are not refused here.
    /// </summary>
    public static async Task<bool> InChartAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long subjectId, string accountCode,
        CancellationToken cancellationToken)
    {
        await using var command = Sql.Command(connection, transaction,
            """
            select exists (
                select 1 from accounts a
                join account_charts c on c.account_code = a.code
                join evaluation_subjects s on s.id = $1 and s.kind = c.subject_kind
                where a.code = $2
                  and (a.province_code is null or a.province_code = substr(s.region_code, 1, 2) || '0000'))
            """, subjectId, accountCode);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Sets an account's budget line and records the change at <paramref name="version"/>.</summary>
    public static async Task SetLineAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long subjectId, int fiscalYear,
        SetBudgetRequest request, BudgetKind kind, long version, string caller, CancellationToken cancellationToken)
    {
        await Sql.ExecuteAsync(connection, transaction,
            """
            insert into balances (subject_id, fiscal_year, account_code, budget_fen) values ($1, $2, $3, $4)
            on conflict (subject_id, fiscal_year, account_code) do update set budget_fen = excluded.budget_fen
            """, cancellationToken, subjectId, fiscalYear, request.AccountCode, request.BudgetFen);
        await Sql.ExecuteAsync(connection, transaction,
            """
            insert into budget_changes (subject_id, fiscal_year, account_code, budget_fen, reason, ledger_version, kind, document_number, caller)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            """, cancellationToken, subjectId, fiscalYear, request.AccountCode, request.BudgetFen, request.Reason, version,
            (short)kind, request.DocumentNumber, caller);
    }

    public async Task<ListBudgetChangesResponse> ListBudgetChangesAsync(ListBudgetChangesRequest request, CancellationToken cancellationToken)
    {
        var key = request.Evaluation;
        var size = request.PageSize is > 0 and <= 1000 ? request.PageSize : 100;
        var after = request.PageToken.Length > 0 ? long.Parse(request.PageToken, CultureInfo.InvariantCulture) : 0;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var (subjectId, _, _) = await EvaluationRows.StateAsync(connection, transaction, key.RegionCode, key.SubjectCode, key.FiscalYear, cancellationToken);
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
            response.NextPageToken = ids[size - 1].ToString(CultureInfo.InvariantCulture);
        }
        return response;
    }
}
