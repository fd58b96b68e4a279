using Npgsql;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Ledger.Domain;
using PerfEval.Storage;

namespace PerfEval.Ledger.Storage;

/// <summary>
/// What the fund metrics are computed from: per account actual, budget and prior-year actual (from
/// the running balances or their history), and the transfer documents (下达, 清算退库, 到账, 配套).
/// </summary>
public static class FigureStore
{
    /// <summary>
    /// Actual, budget and prior-year actual per account from the running balances (the latest
    /// version) or from the balance history (an earlier version): never a scan of the journal.
    /// </summary>
    public static async Task<(List<AccountFigures> Figures, bool HasPriorYear)> FiguresAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
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

    /// <summary>The transfer documents recorded up to <paramref name="version"/>, in the order recorded.</summary>
    public static async Task<List<TransferDocumentAmount>> TransfersAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long subjectId, int fiscalYear,
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

    public static Task InsertTransferDocumentAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long subjectId,
        RecordTransferDocumentRequest request, long version, string caller, CancellationToken cancellationToken) =>
        Sql.ExecuteAsync(connection, transaction,
            """
            insert into transfer_documents (subject_id, fiscal_year, kind, level, document_number, amount_fen, document_date, memo, ledger_version, caller)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            """, cancellationToken, subjectId, request.Evaluation.FiscalYear, (short)request.Kind, (short)request.Level, request.DocumentNumber,
            request.AmountFen, IsoDates.Parse(request.DocumentDate), request.Memo, version, caller);
}
