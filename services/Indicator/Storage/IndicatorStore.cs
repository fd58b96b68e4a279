using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Events.V1;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Hosting.Evaluations;
using PerfEval.Hosting.Messaging;
using PerfEval.Hosting.Storage;
using PerfEval.Indicator.Domain;

namespace PerfEval.Indicator.Storage;

public sealed class IndicatorStore(NpgsqlDataSource dataSource)
{
    /// <summary>The ledger version this evaluation's values were last computed from (0 when never).</summary>
    public async Task<long> ComputedLedgerVersionAsync(string evaluationKey, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select ledger_version from evaluation_state where evaluation_key = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = evaluationKey });
        return await command.ExecuteScalarAsync(cancellationToken) is long v ? v : 0;
    }

    /// <summary>
    /// Stores the values computed at <paramref name="ledgerVersion"/> unless a newer computation won
    /// the race; publishes IndicatorValuesChanged with the items whose value changed. Returns the new
    /// value version, or null when nothing changed.
    /// </summary>
    public async Task<long?> SaveAsync(EvaluationKey key, long ledgerVersion, IReadOnlyList<IndicatorResult> results,
        CancellationToken cancellationToken)
    {
        var evaluationKey = EvaluationKeys.Format(key);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        var state = await Sql.LockStateRowAsync(connection, transaction,
            "insert into evaluation_state (evaluation_key, region_code, subject_code, fiscal_year) values ($1, $2, $3, $4) on conflict do nothing",
            "select ledger_version, value_version from evaluation_state where evaluation_key = $1 for update",
            cancellationToken, evaluationKey, key.RegionCode, key.SubjectCode, key.FiscalYear);
        var (storedLedgerVersion, valueVersion) = ((long)state[0], (long)state[1]);
        if (ledgerVersion <= storedLedgerVersion)
            return null;

        var latest = await LatestAsync(connection, transaction, evaluationKey, cancellationToken);
        var changed = results.Where(r => !latest.TryGetValue(r.Code, out var before)
            || before.Value != r.Value || before.NoValueReason != r.NoValueReason).ToList();

        long? newVersion = null;
        if (changed.Count > 0)
        {
            newVersion = valueVersion + 1;
            foreach (var result in changed)
            {
                await using var insert = new NpgsqlCommand(
                    """
                    insert into indicator_values (evaluation_key, indicator_code, value_version, ledger_version, name, unit, value, no_value_reason, inputs)
                    values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                    """, connection, transaction);
                insert.Parameters.Add(new NpgsqlParameter { Value = evaluationKey });
                insert.Parameters.Add(new NpgsqlParameter { Value = result.Code });
                insert.Parameters.Add(new NpgsqlParameter { Value = newVersion.Value });
                insert.Parameters.Add(new NpgsqlParameter { Value = ledgerVersion });
                insert.Parameters.Add(new NpgsqlParameter { Value = result.Name });
                insert.Parameters.Add(new NpgsqlParameter { Value = result.Unit });
                insert.Parameters.Add(new NpgsqlParameter { Value = (object?)result.Value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Numeric });
                insert.Parameters.Add(new NpgsqlParameter { Value = result.NoValueReason });
                insert.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(result.Inputs), NpgsqlDbType = NpgsqlDbType.Jsonb });
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }

            var changedEvent = new IndicatorValuesChanged
            {
                EvaluationKey = evaluationKey,
                RegionCode = key.RegionCode,
                SubjectCode = key.SubjectCode,
                FiscalYear = key.FiscalYear,
                ValueVersion = newVersion.Value,
                LedgerVersion = ledgerVersion,
            };
            changedEvent.Values.AddRange(changed.Select(ToContract));
            await Outbox.EnqueueAsync(connection, transaction, changedEvent, evaluationKey, cancellationToken);
        }

        await using (var update = new NpgsqlCommand("update evaluation_state set ledger_version = $2, value_version = $3 where evaluation_key = $1",
            connection, transaction))
        {
            update.Parameters.Add(new NpgsqlParameter { Value = evaluationKey });
            update.Parameters.Add(new NpgsqlParameter { Value = ledgerVersion });
            update.Parameters.Add(new NpgsqlParameter { Value = newVersion ?? valueVersion });
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return newVersion;
    }

    public async Task<GetIndicatorValuesResponse?> GetLatestAsync(string evaluationKey, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        await using var state = new NpgsqlCommand("select ledger_version, value_version from evaluation_state where evaluation_key = $1",
            connection, transaction);
        state.Parameters.Add(new NpgsqlParameter { Value = evaluationKey });
        var response = new GetIndicatorValuesResponse();
        await using (var reader = await state.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken) || reader.GetInt64(1) == 0)
                return null;
            response.LedgerVersion = reader.GetInt64(0);
            response.ValueVersion = reader.GetInt64(1);
        }
        var latest = await LatestAsync(connection, transaction, evaluationKey, cancellationToken);
        response.Values.AddRange(latest.Values.OrderBy(v => v.Code, StringComparer.Ordinal).Select(ToContract));
        return response;
    }

    static async Task<Dictionary<string, IndicatorResult>> LatestAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        string evaluationKey, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            select distinct on (indicator_code) indicator_code, name, unit, value, no_value_reason
            from indicator_values where evaluation_key = $1
            order by indicator_code, value_version desc
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = evaluationKey });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var latest = new Dictionary<string, IndicatorResult>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            var code = reader.GetString(0);
            latest[code] = new IndicatorResult(code, reader.GetString(1), reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetDecimal(3), reader.GetString(4), []);
        }
        return latest;
    }

    static IndicatorValue ToContract(IndicatorResult result) => new()
    {
        IndicatorCode = result.Code,
        Name = result.Name,
        Unit = result.Unit,
        Value = result.ValueText,
        NoValueReason = result.NoValueReason,
    };
}
