using System.Globalization;
using Google.Protobuf;
using Npgsql;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Events.V1;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Contracts.Scoring.V1;
using PerfEval.Hosting.Errors;
using PerfEval.SharedKernel.Errors;
using PerfEval.Hosting.Evaluations;
using PerfEval.Hosting.Messaging;
using PerfEval.Hosting.Storage;
using PerfEval.Scoring.Domain;

namespace PerfEval.Scoring.Storage;

/// <summary>What a judgment submission answers: the scorecard version that includes it.</summary>
public sealed record JudgmentResult(long ScorecardVersion, string Total, string Grade);

public sealed class ScoringStore(NpgsqlDataSource dataSource, ScoringSettings settings, TimeProvider clock)
{
    const string InsertState = "insert into evaluation_state (evaluation_key) values ($1) on conflict do nothing";
    const string LockState = "select value_version, scorecard_version from evaluation_state where evaluation_key = $1 for update";

    public async Task<long> ScoredValueVersionAsync(string evaluationKey, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select value_version from evaluation_state where evaluation_key = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = evaluationKey });
        return await command.ExecuteScalarAsync(cancellationToken) is long v ? v : 0;
    }

    /// <summary>
    /// Scores <paramref name="values"/> with <paramref name="system"/> and the judgments made so far, unless a
    /// newer value version won the race; stores a new scorecard version and publishes EvaluationScored when
    /// anything changed. Returns the new scorecard version, or null.
    /// </summary>
    public async Task<long?> ScoreAsync(EvaluationKey key, IndicatorSystem system, GetIndicatorValuesResponse values,
        GetFindingsResponse? findings, CancellationToken cancellationToken)
    {
        var evaluationKey = EvaluationKeys.Format(key);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var state = await Sql.LockStateRowAsync(connection, transaction, InsertState, LockState, cancellationToken, evaluationKey);
        var (valueVersion, scorecardVersion) = ((long)state[0], (long)state[1]);
        if (values.ValueVersion <= valueVersion)
            return null;

        var judgments = await JudgmentsAsync(connection, transaction, evaluationKey, cancellationToken);
        EvaluationScored scored;
        try
        {
            scored = Compute(key, system, values, findings, judgments);
        }
        catch (InvalidSystemException ex)
        {
            // Remembered, so GetScorecard says why the scorecard is not current instead of serving a stale one.
            await Sql.ExecuteAsync(connection, transaction, "update evaluation_state set refused_reason = $2 where evaluation_key = $1",
                cancellationToken, evaluationKey, ex.Message);
            await transaction.CommitAsync(cancellationToken);
            throw;
        }
        var newVersion = await SaveIfChangedAsync(connection, transaction, scored, system, values, findings, scorecardVersion, cancellationToken);
        await Sql.ExecuteAsync(connection, transaction,
            "update evaluation_state set value_version = $2, scorecard_version = $3, refused_reason = null where evaluation_key = $1",
            cancellationToken, evaluationKey, values.ValueVersion, newVersion ?? scorecardVersion);
        await PublishMonitoringChangesAsync(connection, transaction, key, system, values, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return newVersion;
    }

    /// <summary>
    /// Rescores the latest scored values with new reconciliation findings (a declared actual recorded while
    /// no value moved). Findings of values not scored yet are left to that scoring. Returns the new scorecard
    /// version, or null when nothing changed.
    /// </summary>
    public async Task<long?> RescoreFindingsAsync(EvaluationKey key, GetFindingsResponse findings, CancellationToken cancellationToken)
    {
        var evaluationKey = EvaluationKeys.Format(key);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var state = await Sql.LockStateRowAsync(connection, transaction, InsertState, LockState, cancellationToken, evaluationKey);
        var (valueVersion, scorecardVersion) = ((long)state[0], (long)state[1]);
        // The latest snapshot scores like the scored value version: a value version that changed no score
        // stores no new scorecard. Findings of a newer value version wait for that version's scoring.
        if (findings.ValueVersion > valueVersion
            || await LatestRowAsync(connection, transaction, evaluationKey, cancellationToken) is not { System: { } system, Values: { } values })
            return null;
        var judgments = await JudgmentsAsync(connection, transaction, evaluationKey, cancellationToken);
        var scored = Compute(key, system, values, findings, judgments);
        var newVersion = await SaveIfChangedAsync(connection, transaction, scored, system, values, findings, scorecardVersion, cancellationToken);
        if (newVersion is { } v)
            await Sql.ExecuteAsync(connection, transaction, "update evaluation_state set scorecard_version = $2 where evaluation_key = $1",
                cancellationToken, evaluationKey, v);
        await transaction.CommitAsync(cancellationToken);
        return newVersion;
    }

    /// <summary>
    /// Stores a judgment (audited, with what it replaced) and rescores the latest scorecard with it.
    /// AIP-155: a repeated request id answers its first result; with another request it is refused.
    /// </summary>
    public async Task<JudgmentResult> SubmitJudgmentAsync(EvaluationKey key, string requestId, IMessage request, Judgment judgment,
        CancellationToken cancellationToken)
    {
        var evaluationKey = EvaluationKeys.Format(key);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // The state lock first: two submissions of one request id then meet in order, and the second replays.
        var state = await Sql.LockStateRowAsync(connection, transaction, InsertState, LockState, cancellationToken, evaluationKey);
        if (await RequestIds.ReplayAsync(connection, transaction, requestId, request, cancellationToken) is { } earlier)
        {
            var first = SubmitAssessmentResponse.Parser.ParseFrom(earlier);
            return new JudgmentResult(first.ScorecardVersion, first.Total, first.Grade);
        }

        var scorecardVersion = (long)state[1];
        var latest = await LatestRowAsync(connection, transaction, evaluationKey, cancellationToken);
        if (latest is not { System: { } system, Values: { } values })
            throw RpcErrors.NotFound($"no scorecard for {evaluationKey} yet: judgments need the scored system");
        if (ScoringInputsBuilder.Check(system, judgment) is { } problem)
        {
            if (problem.Field == "indicator_code" && !system.Indicators.Any(d => d.Code == judgment.IndicatorCode))
                throw RpcErrors.NotFound(problem.Description);
            throw RpcErrors.InvalidArgument([new FieldViolation(problem.Field, problem.Description)]);
        }

        var kind = Judgment.KindName(judgment.Kind);
        long? replaces = null;
        if (Judgment.Replaces(judgment.Kind))
            replaces = await Sql.ScalarAsync(connection, transaction,
                "select max(judgment_id) from judgments where evaluation_key = $1 and indicator_code = $2 and kind = $3",
                cancellationToken, evaluationKey, judgment.IndicatorCode, kind) as long?;
        await Sql.ExecuteAsync(connection, transaction,
            "insert into judgments (evaluation_key, indicator_code, kind, band, score, text, author, request_id, replaces_id) "
            + "values ($1, $2, $3, $4, $5, $6, $7, $8, $9)", cancellationToken,
            evaluationKey, judgment.IndicatorCode, kind, judgment.Band is { } b ? (short)b : null, judgment.Score, judgment.Text,
            judgment.Author, requestId, replaces);

        var judgments = await JudgmentsAsync(connection, transaction, evaluationKey, cancellationToken);
        var scored = Compute(key, system, values, latest.Findings, judgments);
        var newVersion = await SaveIfChangedAsync(connection, transaction, scored, system, values, latest.Findings, scorecardVersion, cancellationToken);
        if (newVersion is { } v)
            await Sql.ExecuteAsync(connection, transaction, "update evaluation_state set scorecard_version = $2 where evaluation_key = $1",
                cancellationToken, evaluationKey, v);

        var result = new JudgmentResult(newVersion ?? scorecardVersion, scored.Total, scored.Grade);
        // Every judgment RPC answers the same three fields, so one message shape stores them all.
        await RequestIds.RememberAsync(connection, transaction, requestId, request,
            new SubmitAssessmentResponse { ScorecardVersion = result.ScorecardVersion, Total = result.Total, Grade = result.Grade },
            cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>Today's pro-rated monitoring of the latest scored values; null when nothing was scored yet.</summary>
    public async Task<GetMonitoringResponse?> GetMonitoringAsync(EvaluationKey key, DateOnly? asOf, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var latest = await LatestRowAsync(connection, null, EvaluationKeys.Format(key), cancellationToken);
        if (latest is not { System: { } system, Values: { } values })
            return null;
        var date = asOf ?? Today();
        var items = Monitor(key, system, values, date);
        var response = new GetMonitoringResponse
        {
            AsOf = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ElapsedPercent = (InYearMonitoring.ElapsedShare(date, key.FiscalYear) * 100m).ToString(CultureInfo.InvariantCulture),
            CompletedMonths = InYearMonitoring.CompletedMonths(date, key.FiscalYear),
            Open = InYearMonitoring.IsOpen(date, key.FiscalYear),
            ValueVersion = values.ValueVersion,
        };
        response.Items.AddRange(items.Select(i => new Contracts.Scoring.V1.MonitoredItem
        {
            IndicatorCode = i.Code,
            Name = i.Name,
            Actual = i.Actual?.ToString(CultureInfo.InvariantCulture) ?? "",
            ProratedTarget = i.ProratedTarget?.ToString(CultureInfo.InvariantCulture) ?? "",
            ProgressPercent = i.ProgressPercent?.ToString(CultureInfo.InvariantCulture) ?? "",
            Status = ContractStatus(i.Status),
            Basis = i.Basis,
        }));
        return response;
    }

    /// <summary>Keys of the scored evaluations whose fiscal year is still open today.</summary>
    public async Task<IReadOnlyList<EvaluationKey>> OpenEvaluationsAsync(CancellationToken cancellationToken)
    {
        var today = Today();
        await using var command = dataSource.CreateCommand("select evaluation_key from evaluation_state where scorecard_version > 0");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var keys = new List<EvaluationKey>();
        while (await reader.ReadAsync(cancellationToken))
        {
            if (EvaluationKeys.Parse(reader.GetString(0)) is { } key && InYearMonitoring.IsOpen(today, key.FiscalYear))
                keys.Add(key);
        }
        return keys;
    }

    /// <summary>Re-evaluates an open evaluation's colours for today: the calendar moves even when no value does.</summary>
    public async Task RecheckMonitoringAsync(EvaluationKey key, CancellationToken cancellationToken)
    {
        var evaluationKey = EvaluationKeys.Format(key);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await Sql.LockStateRowAsync(connection, transaction, InsertState, LockState, cancellationToken, evaluationKey);
        if (await LatestRowAsync(connection, transaction, evaluationKey, cancellationToken) is { System: { } system, Values: { } values })
            await PublishMonitoringChangesAsync(connection, transaction, key, system, values, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    DateOnly Today() => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    /// <summary>The stored (text) name of a colour; "" for none.</summary>
    static string StatusName(Domain.MonitoringStatus? status) => status?.ToString().ToLowerInvariant() ?? "";

    static Contracts.Events.V1.MonitoringStatus ContractStatus(Domain.MonitoringStatus? status) => status switch
    {
        Domain.MonitoringStatus.Green => Contracts.Events.V1.MonitoringStatus.Green,
        Domain.MonitoringStatus.Yellow => Contracts.Events.V1.MonitoringStatus.Yellow,
        Domain.MonitoringStatus.Red => Contracts.Events.V1.MonitoringStatus.Red,
        _ => Contracts.Events.V1.MonitoringStatus.Unspecified,
    };

    static Contracts.Events.V1.MonitoringStatus ContractStatus(string storedName) =>
        Enum.TryParse<Domain.MonitoringStatus>(storedName, ignoreCase: true, out var status) ? ContractStatus(status) : Contracts.Events.V1.MonitoringStatus.Unspecified;

    IReadOnlyList<Domain.MonitoredItem> Monitor(EvaluationKey key, IndicatorSystem system, GetIndicatorValuesResponse values, DateOnly asOf) =>
        InYearMonitoring.Assess(system, ScoringInputsBuilder.Build(values.Values, []).Actuals, asOf, key.FiscalYear,
            settings.MonitoringFor(system.SystemCode));

    /// <summary>While the year is open, announces every item whose colour changed with these values.</summary>
    async Task PublishMonitoringChangesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, EvaluationKey key,
        IndicatorSystem system, GetIndicatorValuesResponse values, CancellationToken cancellationToken)
    {
        var today = Today();
        if (!InYearMonitoring.IsOpen(today, key.FiscalYear))
            return;
        var evaluationKey = EvaluationKeys.Format(key);
        var previous = new Dictionary<string, string>(StringComparer.Ordinal);
        await using (var command = Sql.Command(connection, transaction,
            "select indicator_code, status from monitoring_status where evaluation_key = $1", evaluationKey))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            while (await reader.ReadAsync(cancellationToken))
                previous[reader.GetString(0)] = reader.GetString(1);

        var elapsed = (InYearMonitoring.ElapsedShare(today, key.FiscalYear) * 100m).ToString(CultureInfo.InvariantCulture);
        foreach (var item in Monitor(key, system, values, today))
        {
            var status = StatusName(item.Status);
            var before = previous.GetValueOrDefault(item.Code) ?? "";
            if (status.Length == 0 || status == before)
                continue;
            await Sql.ExecuteAsync(connection, transaction,
                "insert into monitoring_status (evaluation_key, indicator_code, status, value_version) values ($1, $2, $3, $4) "
                + "on conflict (evaluation_key, indicator_code) do update set status = excluded.status, value_version = excluded.value_version, updated_at = now()",
                cancellationToken, evaluationKey, item.Code, status, values.ValueVersion);
            await Outbox.EnqueueAsync(connection, transaction, new MonitoringStatusChanged
            {
                Evaluation = key,
                IndicatorCode = item.Code,
                Name = item.Name,
                PreviousStatus = ContractStatus(before),
                Status = ContractStatus(item.Status),
                ProgressPercent = item.ProgressPercent?.ToString(CultureInfo.InvariantCulture) ?? "",
                AsOf = today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ElapsedPercent = elapsed,
                ValueVersion = values.ValueVersion,
            }, evaluationKey, cancellationToken);
        }
    }

    EvaluationScored Compute(EvaluationKey key, IndicatorSystem system, GetIndicatorValuesResponse values, GetFindingsResponse? findings,
        IReadOnlyList<Judgment> judgments)
    {
        var (declared, findingTexts) = IndicatorInputs.FromFindings(findings);
        var inputs = ScoringInputsBuilder.Build(values.Values, judgments, declared, findingTexts);
        var card = RulesEngine.Score(system, inputs, settings.GradesFor(system.SystemCode));
        return ScorecardMessages.ToEvent(card, system, key,
            values.ValueVersion, values.LedgerVersion);
    }

    /// <summary>Stores <paramref name="scored"/> as the next version when it differs from the latest, and enqueues it.</summary>
    static async Task<long?> SaveIfChangedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, EvaluationScored scored,
        IndicatorSystem system, GetIndicatorValuesResponse values, GetFindingsResponse? findings, long scorecardVersion,
        CancellationToken cancellationToken)
    {
        var evaluationKey = EvaluationKeys.Format(scored.Evaluation);
        var previous = (await LatestRowAsync(connection, transaction, evaluationKey, cancellationToken))?.Scored;
        var before = previous?.Items.ToDictionary(i => i.IndicatorCode) ?? [];
        scored.ChangedItemCodes.AddRange(scored.Items
            .Where(i => !before.TryGetValue(i.IndicatorCode, out var b) || !b.Equals(i))
            .Select(i => i.IndicatorCode));
        var systemChanged = previous is not null
            && (previous.SystemCode != scored.SystemCode || previous.SystemVersion != scored.SystemVersion || previous.Items.Count != scored.Items.Count);
        // A declared actual recorded (or corrected) while no value moved changes only what is listed beside the items.
        var listsChanged = previous is not null
            && (!previous.DeclaredDifferences.SequenceEqual(scored.DeclaredDifferences) || !previous.Findings.SequenceEqual(scored.Findings));
        if (previous is not null && scored.ChangedItemCodes.Count == 0 && !systemChanged && !listsChanged)
            return null;

        var newVersion = scorecardVersion + 1;
        scored.ScorecardVersion = newVersion;
        await Sql.ExecuteAsync(connection, transaction,
            "insert into scorecards (evaluation_key, scorecard_version, value_version, total, grade, scored, system_snapshot, values_snapshot, findings_snapshot) "
            + "values ($1, $2, $3, $4, $5, $6, $7, $8, $9)", cancellationToken,
            evaluationKey, newVersion, scored.ValueVersion, decimal.Parse(scored.Total, CultureInfo.InvariantCulture), scored.Grade,
            scored.ToByteArray(), system.ToByteArray(), values.ToByteArray(), findings?.ToByteArray());
        await Outbox.EnqueueAsync(connection, transaction, scored, evaluationKey, cancellationToken);
        return newVersion;
    }

    public async Task<GetScorecardResponse?> GetLatestAsync(string evaluationKey, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (await Sql.ScalarAsync(connection, null, "select refused_reason from evaluation_state where evaluation_key = $1",
                cancellationToken, evaluationKey) is string refused)
            throw RpcErrors.FailedPrecondition($"the latest values of {evaluationKey} could not be scored: {refused}", "SYSTEM_REFUSED");
        var latest = (await LatestRowAsync(connection, null, evaluationKey, cancellationToken))?.Scored;
        if (latest is null)
            return null;
        return new GetScorecardResponse
        {
            ScorecardVersion = latest.ScorecardVersion,
            ValueVersion = latest.ValueVersion,
            Total = latest.Total,
            Grade = latest.Grade,
            Items = { latest.Items },
            LedgerVersion = latest.LedgerVersion,
            SystemCode = latest.SystemCode,
            SystemVersion = latest.SystemVersion,
            ExactScoring = ScorecardMessages.ExactScoringFromName(latest.ExactScoring),
            Level1Subtotals = { latest.Level1Subtotals },
            Level2Subtotals = { latest.Level2Subtotals },
            Deviations = { latest.Deviations },
            MissingNoteCodes = { latest.MissingNoteCodes },
            DeclaredDifferences = { latest.DeclaredDifferences },
            Findings = { latest.Findings },
        };
    }

    /// <summary>One stored scorecard version with the indicator values (and their lineage) it was scored from.</summary>
    public async Task<(EvaluationScored Scored, GetIndicatorValuesResponse? Values)?> GetVersionAsync(string evaluationKey, long version,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Sql.Command(connection, null,
            "select scored, values_snapshot from scorecards where evaluation_key = $1 and scorecard_version = $2", evaluationKey, version);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return null;
        return (EvaluationScored.Parser.ParseFrom((byte[])reader[0]),
            reader.IsDBNull(1) ? null : GetIndicatorValuesResponse.Parser.ParseFrom((byte[])reader[1]));
    }

    /// <summary>One page of the audit trail, oldest first, after judgment id <paramref name="afterId"/>.</summary>
    public async Task<ListJudgmentsResponse> ListJudgmentsAsync(string evaluationKey, string indicatorCode, int pageSize, long afterId,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Sql.Command(connection, null,
            "select judgment_id, indicator_code, kind, band, score, text, author, created_at, replaces_id, request_id from judgments "
            + "where evaluation_key = $1 and ($2 = '' or indicator_code = $2) and judgment_id > $3 order by judgment_id limit $4",
            evaluationKey, indicatorCode, afterId, pageSize + 1);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var response = new ListJudgmentsResponse();
        while (await reader.ReadAsync(cancellationToken))
        {
            if (response.Judgments.Count == pageSize)
            {
                response.NextPageToken = response.Judgments[^1].JudgmentId.ToString(CultureInfo.InvariantCulture);
                break;
            }
            response.Judgments.Add(new JudgmentRecord
            {
                JudgmentId = reader.GetInt64(0),
                IndicatorCode = reader.GetString(1),
                Kind = Judgment.ContractKind(reader.GetString(2)),
                Band = reader.IsDBNull(3) ? Contracts.Scoring.V1.QualitativeBand.Unspecified : (Contracts.Scoring.V1.QualitativeBand)reader.GetInt16(3),
                Score = reader.IsDBNull(4) ? "" : reader.GetDecimal(4).ToString(CultureInfo.InvariantCulture),
                Text = reader.GetString(5),
                Author = reader.GetString(6),
                CreatedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(DateTime.SpecifyKind(reader.GetDateTime(7), DateTimeKind.Utc)),
                ReplacesJudgmentId = reader.IsDBNull(8) ? 0 : reader.GetInt64(8),
                RequestId = reader.GetString(9),
            });
        }
        return response;
    }

    /// <summary>The audit trail of an evaluation's judgments, oldest first.</summary>
    static async Task<IReadOnlyList<Judgment>> JudgmentsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string evaluationKey,
        CancellationToken cancellationToken)
    {
        await using var command = Sql.Command(connection, transaction,
            "select kind, indicator_code, band, score, text, author from judgments where evaluation_key = $1 order by judgment_id", evaluationKey);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var judgments = new List<Judgment>();
        while (await reader.ReadAsync(cancellationToken))
            judgments.Add(new Judgment(Judgment.ParseKind(reader.GetString(0)), reader.GetString(1),
                reader.IsDBNull(2) ? null : (Domain.QualitativeBand)reader.GetInt16(2),
                reader.IsDBNull(3) ? null : reader.GetDecimal(3), reader.GetString(4), reader.GetString(5)));
        return judgments;
    }

    sealed record LatestRow(EvaluationScored Scored, IndicatorSystem? System, GetIndicatorValuesResponse? Values, GetFindingsResponse? Findings);

    static async Task<LatestRow?> LatestRowAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string evaluationKey,
        CancellationToken cancellationToken)
    {
        await using var command = Sql.Command(connection, transaction,
            "select scored, system_snapshot, values_snapshot, findings_snapshot from scorecards where evaluation_key = $1 order by scorecard_version desc limit 1",
            evaluationKey);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return null;
        return new LatestRow(EvaluationScored.Parser.ParseFrom((byte[])reader[0]),
            reader.IsDBNull(1) ? null : IndicatorSystem.Parser.ParseFrom((byte[])reader[1]),
            reader.IsDBNull(2) ? null : GetIndicatorValuesResponse.Parser.ParseFrom((byte[])reader[2]),
            reader.IsDBNull(3) ? null : GetFindingsResponse.Parser.ParseFrom((byte[])reader[3]));
    }

}
