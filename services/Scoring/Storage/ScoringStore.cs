using Google.Protobuf;
using Npgsql;
using PerfEval.Contracts.Events.V1;
using PerfEval.Contracts.Scoring.V1;
using PerfEval.Hosting.Messaging;
using PerfEval.Hosting.Storage;

namespace PerfEval.Scoring.Storage;

public sealed class ScoringStore(NpgsqlDataSource dataSource)
{
    public async Task<long> ScoredValueVersionAsync(string evaluationKey, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select value_version from evaluation_state where evaluation_key = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = evaluationKey });
        return await command.ExecuteScalarAsync(cancellationToken) is long v ? v : 0;
    }

    /// <summary>
    /// Stores a scorecard computed from <paramref name="scored"/>.ValueVersion unless a newer one won the
    /// race, and publishes EvaluationScored when an item's value or score changed. Returns the new
    /// scorecard version, or null.
    /// </summary>
    public async Task<long?> SaveAsync(EvaluationScored scored, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        var state = await Sql.LockStateRowAsync(connection, transaction,
            "insert into evaluation_state (evaluation_key) values ($1) on conflict do nothing",
            "select value_version, scorecard_version from evaluation_state where evaluation_key = $1 for update",
            cancellationToken, scored.EvaluationKey);
        var (valueVersion, scorecardVersion) = ((long)state[0], (long)state[1]);
        if (scored.ValueVersion <= valueVersion)
            return null;

        var previous = await LatestAsync(connection, transaction, scored.EvaluationKey, cancellationToken);
        var before = previous?.Items.ToDictionary(i => i.IndicatorCode) ?? [];
        scored.ChangedItemCodes.AddRange(scored.Items
            .Where(i => !before.TryGetValue(i.IndicatorCode, out var b) || !b.Equals(i))
            .Select(i => i.IndicatorCode));

        long? newVersion = null;
        if (scored.ChangedItemCodes.Count > 0 || previous is null)
        {
            newVersion = scorecardVersion + 1;
            scored.ScorecardVersion = newVersion.Value;
            await using var insert = new NpgsqlCommand(
                "insert into scorecards (evaluation_key, scorecard_version, value_version, total, grade, scored) values ($1, $2, $3, $4, $5, $6)",
                connection, transaction);
            insert.Parameters.Add(new NpgsqlParameter { Value = scored.EvaluationKey });
            insert.Parameters.Add(new NpgsqlParameter { Value = newVersion.Value });
            insert.Parameters.Add(new NpgsqlParameter { Value = scored.ValueVersion });
            insert.Parameters.Add(new NpgsqlParameter { Value = decimal.Parse(scored.Total, System.Globalization.CultureInfo.InvariantCulture) });
            insert.Parameters.Add(new NpgsqlParameter { Value = scored.Grade });
            insert.Parameters.Add(new NpgsqlParameter { Value = scored.ToByteArray() });
            await insert.ExecuteNonQueryAsync(cancellationToken);
            await Outbox.EnqueueAsync(connection, transaction, scored, scored.EvaluationKey, cancellationToken);
        }

        await using (var update = new NpgsqlCommand(
            "update evaluation_state set value_version = $2, scorecard_version = $3 where evaluation_key = $1", connection, transaction))
        {
            update.Parameters.Add(new NpgsqlParameter { Value = scored.EvaluationKey });
            update.Parameters.Add(new NpgsqlParameter { Value = scored.ValueVersion });
            update.Parameters.Add(new NpgsqlParameter { Value = newVersion ?? scorecardVersion });
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return newVersion;
    }

    public async Task<GetScorecardResponse?> GetLatestAsync(string evaluationKey, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var latest = await LatestAsync(connection, null, evaluationKey, cancellationToken);
        return latest is null ? null : new GetScorecardResponse
        {
            ScorecardVersion = latest.ScorecardVersion,
            ValueVersion = latest.ValueVersion,
            Total = latest.Total,
            Grade = latest.Grade,
            Items = { latest.Items },
        };
    }

    static async Task<EvaluationScored?> LatestAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string evaluationKey,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "select scored from scorecards where evaluation_key = $1 order by scorecard_version desc limit 1", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = evaluationKey });
        return await command.ExecuteScalarAsync(cancellationToken) is byte[] bytes ? EvaluationScored.Parser.ParseFrom(bytes) : null;
    }
}
