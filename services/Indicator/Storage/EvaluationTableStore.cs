using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Npgsql;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Hosting.Security;
using PerfEval.Indicator.Domain;
using PerfEval.Storage;

namespace PerfEval.Indicator.Storage;

/// <summary>SQL for evaluations' own target tables (Migrations/0005_evaluation_tables.sql).</summary>
public sealed class EvaluationTableStore(NpgsqlDataSource dataSource)
{
    /// <summary>The system code an evaluation's own table is stored under; no catalog code can take this shape.</summary>
    public static string TableCode(string evaluationKey) => CompiledSystem.TableCodePrefix + evaluationKey;

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
            // The table's own statistics replace the previous version's, so observations can be recorded for them.
            await Sql.ExecuteAsync(connection, transaction, "delete from evaluation_metrics where evaluation_key = $1", cancellationToken, evaluationKey);
            foreach (var metric in stored.Metrics)
                await Sql.ExecuteAsync(connection, transaction,
                    "insert into evaluation_metrics (evaluation_key, region_code, fiscal_year, code, name, unit) values ($1, $2, $3, $4, $5, $6)",
                    cancellationToken, evaluationKey, request.Evaluation.RegionCode, request.Evaluation.FiscalYear, metric.Code, metric.Name, metric.Unit);
            return new SetEvaluationTableResponse { Table = stored };
        }, cancellationToken);
    }

    /// <summary>
    /// The statistics the tables of a region's evaluations of a year declare for themselves, by code
    /// (one unit per code: the first declared wins, as observations of a code are region-wide).
    /// </summary>
    public async Task<IReadOnlyDictionary<string, ObservationMetric>> DeclaredMetricsAsync(string regionCode, int fiscalYear,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Sql.Command(connection, null,
            "select code, name, unit from evaluation_metrics where region_code = $1 and fiscal_year = $2 order by evaluation_key",
            regionCode, fiscalYear);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var metrics = new Dictionary<string, ObservationMetric>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
            metrics.TryAdd(reader.GetString(0), new ObservationMetric { Code = reader.GetString(0), Name = reader.GetString(1), Unit = reader.GetString(2) });
        return metrics;
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
