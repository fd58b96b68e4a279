using System.Globalization;
using Npgsql;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Events.V1;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Contracts.Scoring.V1;
using PerfEval.Hosting.Evaluations;
using PerfEval.Scoring.Application;
using PerfEval.Scoring.Domain;
using PerfEval.Scoring.Storage;
using PerfEval.SharedKernel.Errors;
using PerfEval.Testing;
using static PerfEval.Scoring.Tests.Systems;
using JudgmentKind = PerfEval.Scoring.Domain.JudgmentKind;
using QualitativeBand = PerfEval.Scoring.Domain.QualitativeBand;

namespace PerfEval.Scoring.Tests;

/// <summary>
/// The scoring store against the real PostgreSQL (deploy/local/infra.sh), migrated by the service's own
/// scripts: scorecard versions with their inputs, judgments, the outbox row written with the scorecard,
/// and the judgment and explain-change use cases on top of it.
/// </summary>
public sealed class ScoringStoreTests : IAsyncLifetime
{
    NpgsqlDataSource _dataSource = null!;
    ScoringStore _store = null!;
    readonly ScorecardWriter _writer = new(new ScoringSettings(), TimeProvider.System);

    public async Task InitializeAsync()
    {
        _dataSource = await MigratedDatabases.SharedAsync("scoring", typeof(ScoringStore).Assembly, "perfeval_scoring_tests");
        _store = new ScoringStore(_dataSource);
    }

    public async Task DisposeAsync() => await _dataSource.DisposeAsync();

    // A subject of its own per test keeps tests on the shared test database apart. 2020 is closed, so no
    // monitoring colour is announced beside the scorecards.
    static EvaluationKey NewEvaluation() =>
        new() { RegionCode = "653129", SubjectCode = $"store-{Guid.NewGuid():N}"[..30], FiscalYear = 2020 };

    static IndicatorSystem System() => Of("store-test", ExactScoring.Symmetric,
        Item("rate", "收入预算执行率", "产出指标", "数量指标", 80, "≥95%", Direction.HigherIsBetter, "%", AtLeast(95)),
        Item("q", "有所提高", "效益指标", "社会效益指标", 20, "有所提高", Direction.Qualitative, "", Qualitative("有所提高")));

    static GetIndicatorValuesResponse Values(long version, decimal rate) => new()
    {
        ValueVersion = version,
        LedgerVersion = version * 10,
        Values = { new IndicatorValue { IndicatorCode = "rate", Value = rate.ToString(CultureInfo.InvariantCulture) } },
        Lineage =
        {
            new ValueLineage
            {
                IndicatorCode = "rate",
                Inputs = { new LineageInput { Key = "ledger:executed:income", Value = (rate * 1_000_000m).ToString(CultureInfo.InvariantCulture), Source = $"ledger version {version * 10}" } },
            },
        },
    };

    static readonly GetFindingsResponse Findings = new()
    {
        Findings = { new ReconciliationFinding { Kind = FindingKind.ZeroDenominator, IndicatorCode = "rate", Message = "收入预算为 0" } },
    };

    /// <summary>Scores <paramref name="values"/> as the new values use case does, and commits.</summary>
    async Task<long?> ScoreAsync(EvaluationKey key, GetIndicatorValuesResponse values)
    {
        await using var transaction = await _store.BeginAsync(EvaluationKeys.Format(key), CancellationToken.None);
        var scored = _writer.Compute(key, System(), values, Findings, await transaction.JudgmentsAsync(CancellationToken.None));
        var version = await ScorecardWriter.SaveIfChangedAsync(transaction, scored, System(), values, Findings, CancellationToken.None);
        await transaction.SetScoredAsync(values.ValueVersion, version ?? transaction.ScorecardVersion, CancellationToken.None);
        await transaction.CommitAsync(CancellationToken.None);
        return version;
    }

    async Task<IReadOnlyList<(string Type, byte[] Payload)>> OutboxRowsAsync(EvaluationKey key)
    {
        await using var command = _dataSource.CreateCommand("select message_type, payload from outbox where subject = $1 order by id");
        command.Parameters.Add(new NpgsqlParameter { Value = EvaluationKeys.Format(key) });
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, byte[])>();
        while (await reader.ReadAsync())
            rows.Add((reader.GetString(0), (byte[])reader[1]));
        return rows;
    }

    [Fact]
    public async Task A_saved_scorecard_loads_back_with_the_inputs_it_was_scored_from_and_its_event_is_in_the_outbox()
    {
        var key = NewEvaluation();
        var values = Values(1, 76m);

        Assert.Equal(1, await ScoreAsync(key, values));

        var latest = await _store.LatestAsync(EvaluationKeys.Format(key), CancellationToken.None);
        Assert.NotNull(latest);
        Assert.Equal((1L, 1L, 10L, "64.00"), (latest.Scored.ScorecardVersion, latest.Scored.ValueVersion, latest.Scored.LedgerVersion, latest.Scored.Total)); // 80 × 76 ÷ 95; q awaits its assessment
        Assert.Equal(["rate", "q"], latest.Scored.ChangedItemCodes);
        Assert.Equal(["收入预算为 0"], latest.Scored.Findings);
        Assert.Equal((System(), values, Findings), (latest.System, latest.Values, latest.Findings));
        Assert.Equal(latest, await _store.VersionAsync(EvaluationKeys.Format(key), 1, CancellationToken.None));
        Assert.Null(await _store.VersionAsync(EvaluationKeys.Format(key), 2, CancellationToken.None));
        Assert.Equal(1, await _store.ScoredValueVersionAsync(EvaluationKeys.Format(key), CancellationToken.None));

        var (type, payload) = Assert.Single(await OutboxRowsAsync(key));
        Assert.Equal(EvaluationScored.Descriptor.FullName, type);
        Assert.Equal(latest.Scored, EvaluationScored.Parser.ParseFrom(payload));
    }

    [Fact]
    public async Task Unchanged_scores_store_no_new_version_and_a_rolled_back_scorecard_leaves_no_outbox_row()
    {
        var key = NewEvaluation();
        Assert.Equal(1, await ScoreAsync(key, Values(1, 76m)));
        // A new value version that moves no score is recorded as scored, without a scorecard.
        Assert.Null(await ScoreAsync(key, Values(2, 76m)));
        Assert.Equal(2, await _store.ScoredValueVersionAsync(EvaluationKeys.Format(key), CancellationToken.None));

        await using (var transaction = await _store.BeginAsync(EvaluationKeys.Format(key), CancellationToken.None))
        {
            var scored = _writer.Compute(key, System(), Values(3, 95m), Findings, []);
            Assert.Equal(2, await ScorecardWriter.SaveIfChangedAsync(transaction, scored, System(), Values(3, 95m), Findings, CancellationToken.None));
            // Disposed without a commit.
        }

        Assert.Equal(1, (await _store.LatestAsync(EvaluationKeys.Format(key), CancellationToken.None))!.Scored.ScorecardVersion);
        Assert.Single(await OutboxRowsAsync(key));
    }

    [Fact]
    public async Task Judgments_are_stored_in_order_with_what_they_replace_and_listed_page_by_page()
    {
        var key = NewEvaluation();
        var evaluationKey = EvaluationKeys.Format(key);
        await using (var transaction = await _store.BeginAsync(evaluationKey, CancellationToken.None))
        {
            await transaction.InsertJudgmentAsync(new Judgment(JudgmentKind.Override, "rate", null, 50m, "初评", "张三"), "r1", null, CancellationToken.None);
            var first = await transaction.LatestJudgmentIdAsync("rate", JudgmentKind.Override, CancellationToken.None);
            Assert.NotNull(first);
            await transaction.InsertJudgmentAsync(new Judgment(JudgmentKind.Override, "rate", null, 60m, "复核", "李四"), "r2", first, CancellationToken.None);
            await transaction.InsertJudgmentAsync(
                new Judgment(JudgmentKind.Assessment, "q", QualitativeBand.PartlyAchieved, 13m, "部分提高", "张三"), "r3", null, CancellationToken.None);
            Assert.Null(await transaction.LatestJudgmentIdAsync("q", JudgmentKind.Deduction, CancellationToken.None));
            Assert.Equal(["初评", "复核", "部分提高"], (await transaction.JudgmentsAsync(CancellationToken.None)).Select(j => j.Text));
            await transaction.CommitAsync(CancellationToken.None);
        }

        var all = await _store.ListJudgmentsAsync(evaluationKey, "", 0, 10, CancellationToken.None);
        Assert.Equal(["r1", "r2", "r3"], all.Select(j => j.RequestId));
        Assert.Equal(new Judgment(JudgmentKind.Assessment, "q", QualitativeBand.PartlyAchieved, 13m, "部分提高", "张三"), all[2].Judgment);
        Assert.Null(all[0].ReplacesJudgmentId);
        Assert.Equal(all[0].JudgmentId, all[1].ReplacesJudgmentId);
        Assert.InRange(all[0].CreatedAtUtc, DateTime.UtcNow.AddMinutes(-5), DateTime.UtcNow.AddMinutes(5));

        Assert.Equal(["r1", "r2"], (await _store.ListJudgmentsAsync(evaluationKey, "rate", 0, 10, CancellationToken.None)).Select(j => j.RequestId));
        Assert.Equal(["r2"], (await _store.ListJudgmentsAsync(evaluationKey, "", all[0].JudgmentId, 1, CancellationToken.None)).Select(j => j.RequestId));

        var queries = new ScorecardQueries(_store, _writer);
        var page = await queries.ListJudgmentsAsync(key, "", 2, 0, CancellationToken.None);
        Assert.Equal([Contracts.Scoring.V1.JudgmentKind.Override, Contracts.Scoring.V1.JudgmentKind.Override], page.Judgments.Select(j => j.Kind));
        Assert.Equal(all[1].JudgmentId.ToString(CultureInfo.InvariantCulture), page.NextPageToken);
        var last = await queries.ListJudgmentsAsync(key, "", 2, all[1].JudgmentId, CancellationToken.None);
        Assert.Equal((Contracts.Scoring.V1.QualitativeBand.PartlyAchieved, "13", ""), (last.Judgments.Single().Band, last.Judgments.Single().Score, last.NextPageToken));
    }

    [Fact]
    public async Task A_judgment_rescores_in_a_new_version_with_its_event_a_retry_replays_it_and_the_change_is_explained()
    {
        var key = NewEvaluation();
        await ScoreAsync(key, Values(1, 76m));
        var submission = new JudgmentSubmission(_store, _writer);
        var request = new SubmitOverrideRequest { RequestId = Guid.NewGuid().ToString(), Evaluation = key, IndicatorCode = "rate", Score = "70", Reason = "复核", Author = "李四" };
        var judgment = new Judgment(JudgmentKind.Override, "rate", null, 70m, "复核", "李四");

        var result = await submission.SubmitAsync(key, request.RequestId, request, judgment, CancellationToken.None);
        // The qualitative item "q" awaits its judgment: the scorecard is incomplete, graded 待定 (DOMAIN.md §5).
        Assert.Equal(new JudgmentResult(2, "70.00", "待定"), result);
        Assert.Equal(result, await submission.SubmitAsync(key, request.RequestId, request, judgment, CancellationToken.None));
        var reused = request.Clone();
        reused.Score = "71";
        var conflict = await Assert.ThrowsAsync<ConflictException>(() =>
            submission.SubmitAsync(key, request.RequestId, reused, judgment with { Score = 71m }, CancellationToken.None));
        Assert.Equal("request_id", conflict.Field);

        Assert.Single(await _store.ListJudgmentsAsync(EvaluationKeys.Format(key), "", 0, 10, CancellationToken.None));
        var events = (await OutboxRowsAsync(key)).Select(r => EvaluationScored.Parser.ParseFrom(r.Payload)).ToList();
        Assert.Equal([1L, 2L], events.Select(e => e.ScorecardVersion));
        Assert.Equal(["rate"], events[1].ChangedItemCodes);
        Assert.Equal("70.00", events[1].Items.Single(i => i.IndicatorCode == "rate").OverrideScore);

        var explained = await new ScorecardQueries(_store, _writer).ExplainChangeAsync(key, 1, 2, CancellationToken.None);
        var change = Assert.Single(explained.Items);
        Assert.Equal(("rate", "64.00", "70.00", "6.00"), (change.IndicatorCode, change.FromScore, change.ToScore, change.ScoreDelta));
        Assert.Equal([ChangeCause.Override], change.Causes);
        Assert.Empty(change.MovedInputs);
        await Assert.ThrowsAsync<NotFoundException>(() => new ScorecardQueries(_store, _writer).ExplainChangeAsync(key, 1, 3, CancellationToken.None));
    }

    [Fact]
    public async Task A_new_value_version_is_explained_by_the_lineage_input_that_moved()
    {
        var key = NewEvaluation();
        await ScoreAsync(key, Values(1, 76m));
        await ScoreAsync(key, Values(2, 95m));

        var change = Assert.Single((await new ScorecardQueries(_store, _writer).ExplainChangeAsync(key, 1, 2, CancellationToken.None)).Items);
        Assert.Equal([ChangeCause.Value], change.Causes);
        var moved = Assert.Single(change.MovedInputs);
        Assert.Equal(("ledger:executed:income", "76000000", "95000000", "ledger version 20"), (moved.Key, moved.FromValue, moved.ToValue, moved.Source));
    }

    [Fact]
    public async Task A_judgment_before_any_scorecard_and_one_for_an_unknown_item_are_not_found()
    {
        var key = NewEvaluation();
        var submission = new JudgmentSubmission(_store, _writer);
        var note = new Judgment(JudgmentKind.DeviationNote, "rate", null, null, "说明", "张三");
        var request = new SubmitDeviationNoteRequest { RequestId = Guid.NewGuid().ToString(), Evaluation = key, IndicatorCode = "rate", Note = "说明", Author = "张三" };
        await Assert.ThrowsAsync<NotFoundException>(() => submission.SubmitAsync(key, request.RequestId, request, note, CancellationToken.None));

        await ScoreAsync(key, Values(1, 76m));
        var unknown = request.Clone();
        unknown.RequestId = Guid.NewGuid().ToString();
        unknown.IndicatorCode = "nope";
        await Assert.ThrowsAsync<NotFoundException>(() =>
            submission.SubmitAsync(key, unknown.RequestId, unknown, note with { IndicatorCode = "nope" }, CancellationToken.None));
        Assert.Empty(await _store.ListJudgmentsAsync(EvaluationKeys.Format(key), "", 0, 10, CancellationToken.None));
    }

    [Fact]
    public async Task A_refused_system_is_remembered_until_the_next_scoring_succeeds()
    {
        var key = NewEvaluation();
        var evaluationKey = EvaluationKeys.Format(key);
        await using (var transaction = await _store.BeginAsync(evaluationKey, CancellationToken.None))
        {
            await transaction.RefuseAsync("weights add up to 90", CancellationToken.None);
            await transaction.CommitAsync(CancellationToken.None);
        }
        var refused = await Assert.ThrowsAsync<PreconditionFailedException>(() =>
            new ScorecardQueries(_store, _writer).GetScorecardAsync(key, CancellationToken.None));
        Assert.Equal("SYSTEM_REFUSED", refused.Reason);

        await ScoreAsync(key, Values(1, 76m));
        Assert.Null(await _store.RefusedReasonAsync(evaluationKey, CancellationToken.None));
        Assert.Equal("64.00", (await new ScorecardQueries(_store, _writer).GetScorecardAsync(key, CancellationToken.None)).Total);
    }

    [Fact]
    public async Task The_last_announced_colour_per_item_is_stored_with_its_announcement()
    {
        var key = NewEvaluation();
        await using (var transaction = await _store.BeginAsync(EvaluationKeys.Format(key), CancellationToken.None))
        {
            Assert.Empty(await transaction.MonitoringStatusesAsync(CancellationToken.None));
            var announcement = new MonitoringStatusChanged { Evaluation = key, IndicatorCode = "rate", Status = Contracts.Events.V1.MonitoringStatus.Yellow };
            await transaction.SaveMonitoringStatusAsync("rate", Domain.MonitoringStatus.Yellow, 1, announcement, CancellationToken.None);
            await transaction.SaveMonitoringStatusAsync("rate", Domain.MonitoringStatus.Red, 2, announcement, CancellationToken.None);
            Assert.Equal(Domain.MonitoringStatus.Red, (await transaction.MonitoringStatusesAsync(CancellationToken.None))["rate"]);
            await transaction.CommitAsync(CancellationToken.None);
        }
        Assert.Equal([MonitoringStatusChanged.Descriptor.FullName, MonitoringStatusChanged.Descriptor.FullName], (await OutboxRowsAsync(key)).Select(r => r.Type));
    }
}
