using Google.Protobuf;
using Npgsql;
using PerfEval.Contracts.Events.V1;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Scoring.Domain;
using PerfEval.Storage;
using MonitoringStatus = PerfEval.Scoring.Domain.MonitoringStatus;

namespace PerfEval.Scoring.Storage;

/// <summary>
/// One stored scorecard version: its wire form (the EvaluationScored body) and the inputs it was scored
/// from (system, values with their lineage, reconciliation findings); inputs are null in rows stored
/// before they were kept.
/// </summary>
public sealed record StoredScorecard(EvaluationScored Scored, IndicatorSystem? System, GetIndicatorValuesResponse? Values,
    GetFindingsResponse? Findings);

/// <summary>One row of the judgments audit trail.</summary>
public sealed record StoredJudgment(long JudgmentId, Judgment Judgment, DateTime CreatedAtUtc, long? ReplacesJudgmentId, string RequestId);

/// <summary>
/// The scoring database: evaluation state, scorecard versions with their inputs, judgments and the last
/// announced monitoring colours. SQL only: the rules live in Domain, the use cases in Application. Writes
/// go through an <see cref="EvaluationTransaction"/>, which holds the evaluation's state-row lock.
/// </summary>
public sealed class ScoringStore(NpgsqlDataSource dataSource)
{
    public async Task<long> ScoredValueVersionAsync(string evaluationKey, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select value_version from evaluation_state where evaluation_key = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = evaluationKey });
        return await command.ExecuteScalarAsync(cancellationToken) is long v ? v : 0;
    }

    /// <summary>
    /// Opens a transaction on the evaluation and locks its state row (created when missing): writers of
    /// one evaluation take turns, so version checks and increments never race. Disposing without
    /// <see cref="EvaluationTransaction.CommitAsync"/> rolls back.
    /// </summary>
    public async Task<EvaluationTransaction> BeginAsync(string evaluationKey, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var state = await Sql.LockStateRowAsync(connection, transaction,
                "insert into evaluation_state (evaluation_key) values ($1) on conflict do nothing",
                "select value_version, scorecard_version from evaluation_state where evaluation_key = $1 for update",
                cancellationToken, evaluationKey);
            return new EvaluationTransaction(connection, transaction, evaluationKey, (long)state[0], (long)state[1]);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Why the latest values could not be scored, or null when the latest scoring succeeded.</summary>
    public async Task<string?> RefusedReasonAsync(string evaluationKey, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await Sql.ScalarAsync(connection, null, "select refused_reason from evaluation_state where evaluation_key = $1",
            cancellationToken, evaluationKey) as string;
    }

    public async Task<StoredScorecard?> LatestAsync(string evaluationKey, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await LatestAsync(connection, null, evaluationKey, cancellationToken);
    }

    /// <summary>One stored scorecard version, or null when the evaluation has no such version.</summary>
    public async Task<StoredScorecard?> VersionAsync(string evaluationKey, long version, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Sql.Command(connection, null,
            "select scored, system_snapshot, values_snapshot, findings_snapshot from scorecards where evaluation_key = $1 and scorecard_version = $2",
            evaluationKey, version);
        return await ReadScorecardAsync(command, cancellationToken);
    }

    /// <summary>Keys (as stored) of the evaluations with at least one scorecard.</summary>
    public async Task<IReadOnlyList<string>> ScoredEvaluationKeysAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select evaluation_key from evaluation_state where scorecard_version > 0");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var keys = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
            keys.Add(reader.GetString(0));
        return keys;
    }

    /// <summary>Up to <paramref name="limit"/> judgments after id <paramref name="afterId"/>, oldest first; all items when <paramref name="indicatorCode"/> is "".</summary>
    public async Task<IReadOnlyList<StoredJudgment>> ListJudgmentsAsync(string evaluationKey, string indicatorCode, long afterId, int limit,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Sql.Command(connection, null,
            "select judgment_id, kind, indicator_code, band, score, text, author, created_at, replaces_id, request_id from judgments "
            + "where evaluation_key = $1 and ($2 = '' or indicator_code = $2) and judgment_id > $3 order by judgment_id limit $4",
            evaluationKey, indicatorCode, afterId, limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var judgments = new List<StoredJudgment>();
        while (await reader.ReadAsync(cancellationToken))
            judgments.Add(new StoredJudgment(reader.GetInt64(0), ReadJudgment(reader, 1),
                DateTime.SpecifyKind(reader.GetDateTime(7), DateTimeKind.Utc),
                reader.IsDBNull(8) ? null : reader.GetInt64(8), reader.GetString(9)));
        return judgments;
    }

    internal static async Task<StoredScorecard?> LatestAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string evaluationKey,
        CancellationToken cancellationToken)
    {
        await using var command = Sql.Command(connection, transaction,
            "select scored, system_snapshot, values_snapshot, findings_snapshot from scorecards where evaluation_key = $1 "
            + "order by scorecard_version desc limit 1", evaluationKey);
        return await ReadScorecardAsync(command, cancellationToken);
    }

    static async Task<StoredScorecard?> ReadScorecardAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return null;
        return new StoredScorecard(EvaluationScored.Parser.ParseFrom((byte[])reader[0]),
            reader.IsDBNull(1) ? null : IndicatorSystem.Parser.ParseFrom((byte[])reader[1]),
            reader.IsDBNull(2) ? null : GetIndicatorValuesResponse.Parser.ParseFrom((byte[])reader[2]),
            reader.IsDBNull(3) ? null : GetFindingsResponse.Parser.ParseFrom((byte[])reader[3]));
    }

    /// <summary>A judgment from the columns kind, indicator_code, band, score, text, author starting at <paramref name="first"/>.</summary>
    internal static Judgment ReadJudgment(NpgsqlDataReader reader, int first) =>
        new(ParseKind(reader.GetString(first)), reader.GetString(first + 1),
            reader.IsDBNull(first + 2) ? null : (QualitativeBand)reader.GetInt16(first + 2),
            reader.IsDBNull(first + 3) ? null : reader.GetDecimal(first + 3), reader.GetString(first + 4), reader.GetString(first + 5));

    /// <summary>The stored (text) name of a judgment kind; the judgments table checks these names.</summary>
    internal static string KindName(JudgmentKind kind) => kind switch
    {
        JudgmentKind.Assessment => "assessment",
        JudgmentKind.Override => "override",
        JudgmentKind.Deduction => "deduction",
        JudgmentKind.DeviationNote => "deviation-note",
        JudgmentKind.Refusal => "refusal",
        JudgmentKind.RefusalWithdrawal => "refusal-withdrawal",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    static JudgmentKind ParseKind(string name) => name switch
    {
        "assessment" => JudgmentKind.Assessment,
        "override" => JudgmentKind.Override,
        "deduction" => JudgmentKind.Deduction,
        "deviation-note" => JudgmentKind.DeviationNote,
        "refusal" => JudgmentKind.Refusal,
        "refusal-withdrawal" => JudgmentKind.RefusalWithdrawal,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "not a judgment kind"),
    };
}

/// <summary>
/// One transaction on one evaluation, holding its state-row lock (see <see cref="ScoringStore.BeginAsync"/>).
/// Every write of a use case goes through it, so a scorecard, its state, its judgment, its request id and
/// its outbox rows commit together or not at all.
/// </summary>
public sealed class EvaluationTransaction : IAsyncDisposable
{
    readonly NpgsqlConnection _connection;
    readonly NpgsqlTransaction _transaction;
    readonly string _evaluationKey;

    internal EvaluationTransaction(NpgsqlConnection connection, NpgsqlTransaction transaction, string evaluationKey,
        long valueVersion, long scorecardVersion)
    {
        (_connection, _transaction, _evaluationKey) = (connection, transaction, evaluationKey);
        (ValueVersion, ScorecardVersion) = (valueVersion, scorecardVersion);
    }

    /// <summary>The value version last scored (0 for none), as locked.</summary>
    public long ValueVersion { get; }

    /// <summary>The latest scorecard version (0 for none), as locked.</summary>
    public long ScorecardVersion { get; }

    public Task<StoredScorecard?> LatestAsync(CancellationToken cancellationToken) =>
        ScoringStore.LatestAsync(_connection, _transaction, _evaluationKey, cancellationToken);

    /// <summary>The audit trail of the evaluation's judgments, oldest first.</summary>
    public async Task<IReadOnlyList<Judgment>> JudgmentsAsync(CancellationToken cancellationToken)
    {
        await using var command = Sql.Command(_connection, _transaction,
            "select kind, indicator_code, band, score, text, author from judgments where evaluation_key = $1 order by judgment_id", _evaluationKey);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var judgments = new List<Judgment>();
        while (await reader.ReadAsync(cancellationToken))
            judgments.Add(ScoringStore.ReadJudgment(reader, 0));
        return judgments;
    }

    /// <summary>The item's latest judgment of <paramref name="kind"/>, or null when it has none.</summary>
    public async Task<long?> LatestJudgmentIdAsync(string indicatorCode, JudgmentKind kind, CancellationToken cancellationToken) =>
        await Sql.ScalarAsync(_connection, _transaction,
            "select max(judgment_id) from judgments where evaluation_key = $1 and indicator_code = $2 and kind = $3",
            cancellationToken, _evaluationKey, indicatorCode, ScoringStore.KindName(kind)) as long?;

    public Task InsertJudgmentAsync(Judgment judgment, string requestId, long? replacesJudgmentId, CancellationToken cancellationToken) =>
        Sql.ExecuteAsync(_connection, _transaction,
            "insert into judgments (evaluation_key, indicator_code, kind, band, score, text, author, request_id, replaces_id) "
            + "values ($1, $2, $3, $4, $5, $6, $7, $8, $9)", cancellationToken,
            _evaluationKey, judgment.IndicatorCode, ScoringStore.KindName(judgment.Kind), judgment.Band is { } b ? (short)b : null,
            judgment.Score, judgment.Text, judgment.Author, requestId, replacesJudgmentId);

    /// <summary>The first answer to a request id (AIP-155), or null when it is new; a ConflictException when it was used for another request.</summary>
    public Task<TResponse?> ReplayAsync<TResponse>(string requestId, IMessage request, MessageParser<TResponse> parser,
        CancellationToken cancellationToken) where TResponse : class, IMessage<TResponse> =>
        RequestIds.ReplayAsync(_connection, _transaction, requestId, request, parser, cancellationToken);

    public Task RememberAsync(string requestId, IMessage request, IMessage response, CancellationToken cancellationToken) =>
        RequestIds.RememberAsync(_connection, _transaction, requestId, request, response, cancellationToken);

    /// <summary>
    /// Stores <paramref name="scored"/> (its scorecard_version set) with the inputs it was scored from,
    /// and enqueues it as the EvaluationScored event in the same transaction.
    /// </summary>
    public async Task InsertScorecardAsync(EvaluationScored scored, decimal total, IndicatorSystem system, GetIndicatorValuesResponse values,
        GetFindingsResponse? findings, CancellationToken cancellationToken)
    {
        await Sql.ExecuteAsync(_connection, _transaction,
            "insert into scorecards (evaluation_key, scorecard_version, value_version, total, grade, scored, system_snapshot, values_snapshot, findings_snapshot) "
            + "values ($1, $2, $3, $4, $5, $6, $7, $8, $9)", cancellationToken,
            _evaluationKey, scored.ScorecardVersion, scored.ValueVersion, total, scored.Grade,
            scored.ToByteArray(), system.ToByteArray(), values.ToByteArray(), findings?.ToByteArray());
        await Outbox.EnqueueAsync(_connection, _transaction, scored, _evaluationKey, cancellationToken);
    }

    /// <summary>Records the versions now scored and clears a refusal.</summary>
    public Task SetScoredAsync(long valueVersion, long scorecardVersion, CancellationToken cancellationToken) =>
        Sql.ExecuteAsync(_connection, _transaction,
            "update evaluation_state set value_version = $2, scorecard_version = $3, refused_reason = null where evaluation_key = $1",
            cancellationToken, _evaluationKey, valueVersion, scorecardVersion);

    public Task SetScorecardVersionAsync(long scorecardVersion, CancellationToken cancellationToken) =>
        Sql.ExecuteAsync(_connection, _transaction, "update evaluation_state set scorecard_version = $2 where evaluation_key = $1",
            cancellationToken, _evaluationKey, scorecardVersion);

    /// <summary>Remembers why the latest values could not be scored.</summary>
    public Task RefuseAsync(string reason, CancellationToken cancellationToken) =>
        Sql.ExecuteAsync(_connection, _transaction, "update evaluation_state set refused_reason = $2 where evaluation_key = $1",
            cancellationToken, _evaluationKey, reason);

    /// <summary>The last announced monitoring colour per item code.</summary>
    public async Task<IReadOnlyDictionary<string, MonitoringStatus>> MonitoringStatusesAsync(CancellationToken cancellationToken)
    {
        var statuses = new Dictionary<string, MonitoringStatus>(StringComparer.Ordinal);
        await using var command = Sql.Command(_connection, _transaction,
            "select indicator_code, status from monitoring_status where evaluation_key = $1", _evaluationKey);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            if (Enum.TryParse<MonitoringStatus>(reader.GetString(1), ignoreCase: true, out var status))
                statuses[reader.GetString(0)] = status;
        return statuses;
    }

    /// <summary>Stores an item's new colour and enqueues its announcement in the same transaction.</summary>
    public async Task SaveMonitoringStatusAsync(string indicatorCode, MonitoringStatus status, long valueVersion, IMessage announcement,
        CancellationToken cancellationToken)
    {
        await Sql.ExecuteAsync(_connection, _transaction,
            "insert into monitoring_status (evaluation_key, indicator_code, status, value_version) values ($1, $2, $3, $4) "
            + "on conflict (evaluation_key, indicator_code) do update set status = excluded.status, value_version = excluded.value_version, updated_at = now()",
            cancellationToken, _evaluationKey, indicatorCode, status.ToString().ToLowerInvariant(), valueVersion);
        await Outbox.EnqueueAsync(_connection, _transaction, announcement, _evaluationKey, cancellationToken);
    }

    public Task CommitAsync(CancellationToken cancellationToken) => _transaction.CommitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
