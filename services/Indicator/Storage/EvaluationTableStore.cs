using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Npgsql;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Hosting.Security;
using PerfEval.Storage;

namespace PerfEval.Indicator.Storage;

/// <summary>SQL for evaluations' own target tables (Migrations/0005_evaluation_tables.sql).</summary>
public sealed class EvaluationTableStore(NpgsqlDataSource dataSource)
{
    /// <summary>The system code an evaluation's own table is stored under; no catalog code can take this shape.</summary>
    public static string TableCode(string evaluationKey) => "table:" + evaluationKey;

    /// <summary>
    /// Stores <paramref name="table"/> as the evaluation's next table version and binds the evaluation
    /// to it, once per request id, in one transaction. Replayed is true for a retry.
    /// </summary>
    public async Task<(SetEvaluationTableResponse Response, bool Replayed)> SetAsync(string evaluationKey, SetEvaluationTableRequest request,
        IndicatorSystem table, string origin, CancellationToken cancellationToken)
    {
        var code = TableCode(evaluationKey);
        return await RequestIds.OnceAsync(dataSource, request.RequestId, request, SetEvaluationTableResponse.Parser, async (connection, transaction) =>
        {
            // One writer per evaluation at a time, so two changes cannot take the same version.
            await Sql.ExecuteAsync(connection, transaction, "select pg_advisory_xact_lock(hashtext($1))", cancellationToken, code);
            var latest = await Sql.ScalarAsync(connection, transaction,
                "select coalesce(max(version), 0) from indicator_systems where system_code = $1", cancellationToken, code);
            var stored = table.Clone();
            stored.SystemCode = code;
            stored.Version = (int)latest! + 1;
            await Sql.ExecuteAsync(connection, transaction,
                """
                insert into indicator_systems (system_code, version, name, subject_kind, definition, built_in, evaluation_key, set_by, reason, origin)
                values ($1, $2, $3, $4, $5, false, $6, $7, $8, $9)
                """, cancellationToken, code, stored.Version, stored.Name, stored.SubjectKind, stored.ToByteArray(), evaluationKey,
                Callers.Current, request.Reason, origin);
            await Sql.ExecuteAsync(connection, transaction,
                """
                insert into evaluation_bindings (evaluation_key, system_code, version, explicit) values ($1, $2, $3, true)
                on conflict (evaluation_key) do update set system_code = excluded.system_code, version = excluded.version, explicit = true, bound_at = now()
                """, cancellationToken, evaluationKey, code, stored.Version);
            return new SetEvaluationTableResponse { Table = stored };
        }, cancellationToken);
    }

    /// <summary>Every table version of the evaluation, newest first.</summary>
    public async Task<IReadOnlyList<EvaluationTableVersion>> HistoryAsync(string evaluationKey, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Sql.Command(connection, null,
            """
            select version, set_by, defined_at, reason, origin, definition from indicator_systems
            where evaluation_key = $1 order by version desc
            """, evaluationKey);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var versions = new List<EvaluationTableVersion>();
        while (await reader.ReadAsync(cancellationToken))
            versions.Add(new EvaluationTableVersion
            {
                Version = reader.GetInt32(0),
                SetBy = reader.GetString(1),
                SetAt = Timestamp.FromDateTimeOffset(reader.GetFieldValue<DateTimeOffset>(2)),
                Reason = reader.GetString(3),
                Origin = reader.GetString(4),
                ItemCount = IndicatorSystem.Parser.ParseFrom((byte[])reader[5]).Indicators.Count,
            });
        return versions;
    }
}
