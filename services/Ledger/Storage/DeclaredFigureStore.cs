using Google.Protobuf;
using Npgsql;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Storage;

namespace PerfEval.Ledger.Storage;

/// <summary>The figures a report declares (申报数), stored as filed so they can be reconciled against the ledger.</summary>
public static class DeclaredFigureStore
{
    /// <summary>Serializes the filers of one evaluation until commit, so the checks against what is stored hold.</summary>
    public static Task LockFilingAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long subjectId, CancellationToken cancellationToken) =>
        Sql.ExecuteAsync(connection, transaction, "select pg_advisory_xact_lock($1)", cancellationToken, subjectId);

    /// <summary>The figures filed for an evaluation, in filing order.</summary>
    public static async Task<List<DeclaredFigure>> ListAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long subjectId,
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

    public static Task InsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long subjectId, int fiscalYear, DeclaredFigure figure,
        string caller, CancellationToken cancellationToken) =>
        Sql.ExecuteAsync(connection, transaction,
            "insert into declared_figures (subject_id, fiscal_year, figure_id, payload, caller) values ($1, $2, $3, $4, $5)",
            cancellationToken, subjectId, fiscalYear, figure.FigureId, figure.ToByteArray(), caller);
}
