using System.Globalization;
using System.Security.Cryptography;
using Google.Rpc;
using Grpc.Core;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Events.V1;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Contracts.Scoring.V1;
using PerfEval.Hosting.Evaluations;
using PerfEval.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace PerfEval.EndToEnd.Tests;

/// <summary>Assessor judgments over the real services: an override rescores, publishes and is explainable.</summary>
[Collection(PerfEvalClusterCollection.Name)]
public sealed class ScoringTests(PerfEvalCluster cluster, ITestOutputHelper output)
{
    const string Region = "653129";
    const string EvaluationScoredExchange = "perfeval.scoring.v1.evaluation-scored";
    const string IncomeRate = "income-budget-execution-rate";
    static readonly TimeSpan ChainTimeout = TimeSpan.FromSeconds(60);

    [Fact(DisplayName = "An override rescores, is published beside the computed score and explains itself")]
    public Task AnOverrideRescoresIsPublishedAndExplained() => cluster.WithDiagnosticsAsync(output, Body);

    async Task Body()
    {
        var evaluation = new EvaluationKey
        {
            RegionCode = Region, SubjectCode = $"resident-fund-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}", FiscalYear = 2020,
        };
        var key = EvaluationKeys.Format(evaluation);
        await using var scoredEvents = await PlainSubscriber.StartAsync(cluster.Settings, EvaluationScoredExchange);

        await cluster.Ledger.CreateEvaluationSubjectAsync(new CreateEvaluationSubjectRequest
        {
            RequestId = NewId(), RegionCode = Region, SubjectCode = evaluation.SubjectCode, Kind = SubjectKind.ResidentFund,
            Name = "伽师县城乡居民基本医疗保险基金",
        }, deadline: Deadline());
        await cluster.AdoptTemplateAsync(evaluation, "resident-fund");
        await cluster.Ledger.SetBudgetAsync(new SetBudgetRequest
        {
            RequestId = NewId(), Evaluation = evaluation, AccountCode = "4001", BudgetFen = 36_026_780_000, Reason = "年初预算",
        }, deadline: Deadline());
        await cluster.Ledger.PostEntriesAsync(new PostEntriesRequest
        {
            Evaluation = evaluation,
            Entries =
            {
                new JournalEntry
                {
                    EntryId = NewId(), PostingDate = "2020-12-31", Memo = "基本医疗保险费收入",
                    Lines =
                    {
                        new JournalLine { AccountCode = "1002", Side = Side.Debit, AmountFen = 38_154_630_000 },
                        new JournalLine { AccountCode = "4001", Side = Side.Credit, AmountFen = 38_154_630_000 },
                    },
                },
            },
        }, deadline: Deadline());

        var first = await scoredEvents.WaitForAsync<EvaluationScored>(
            e => EvaluationKeys.Format(e.Evaluation) == key && e.Items.Any(i => i.IndicatorCode == IncomeRate && i.Actual.StartsWith("105.906", StringComparison.Ordinal)),
            ChainTimeout);
        // Whatever system the evaluation is bound to (the one-item skeleton scores 100.00 优), the
        // subtotals add up to the total and the income item is scored.
        Assert.True(first.LedgerVersion > 0, "the scorecard names the ledger version it came from");
        Assert.Equal(Dec(first.Total), first.Level1Subtotals.Sum(s => Dec(s.Score)));
        var income = first.Items.Single(i => i.IndicatorCode == IncomeRate);
        var (weight, computed, total) = (Dec(income.Weight), Dec(income.Score), Dec(first.Total));
        if (first.SystemCode == "skeleton")
            Assert.Equal(("100.00", "优"), (first.Total, first.Grade));

        var card = await cluster.Scoring.GetScorecardAsync(new GetScorecardRequest { Evaluation = evaluation }, deadline: Deadline());
        Assert.True(card.ScorecardVersion >= first.ScorecardVersion);
        Assert.Equal(Contracts.Common.V1.ExactScoring.Symmetric, card.ExactScoring);
        Assert.All(card.Deviations, d => Assert.Contains(d.IndicatorCode, card.MissingNoteCodes));

        // An override: the computed score stays beside it, the override counts.
        var half = weight / 2;
        var request = new SubmitOverrideRequest
        {
            RequestId = NewId(), Evaluation = evaluation, IndicatorCode = IncomeRate, Score = Text(half), Reason = "收入含上年清算退库，经复核调减",
            Author = "评价组 张三",
        };
        var overridden = await cluster.Scoring.SubmitOverrideAsync(request, deadline: Deadline());
        Assert.Equal(card.ScorecardVersion + 1, overridden.ScorecardVersion);
        Assert.Equal(Two(total - computed + half), overridden.Total);

        var second = await scoredEvents.WaitForAsync<EvaluationScored>(
            e => EvaluationKeys.Format(e.Evaluation) == key && e.ScorecardVersion == overridden.ScorecardVersion, ChainTimeout);
        var item = second.Items.Single(i => i.IndicatorCode == IncomeRate);
        Assert.Equal(Two(half), item.Score);
        Assert.Equal(Two(computed), item.ComputedScore);
        Assert.Equal("评价组 张三", item.OverrideAuthor);
        Assert.Equal([IncomeRate], second.ChangedItemCodes);

        // AIP-155: the same request again answers the same; the same id with another payload is refused.
        var replay = await cluster.Scoring.SubmitOverrideAsync(request.Clone(), deadline: Deadline());
        Assert.Equal(overridden, replay);
        var changed = request.Clone();
        changed.Score = Text(weight);
        var conflict = await Assert.ThrowsAsync<RpcException>(() => cluster.Scoring.SubmitOverrideAsync(changed, deadline: Deadline()).ResponseAsync);
        Assert.Equal(StatusCode.AlreadyExists, conflict.StatusCode);

        // Bad judgments are refused with the field named, and nothing changes.
        await AssertInvalidArgumentAsync(() => cluster.Scoring.SubmitOverrideAsync(new SubmitOverrideRequest
        {
            RequestId = NewId(), Evaluation = evaluation, IndicatorCode = IncomeRate, Score = Text(weight + 1), Reason = "过高", Author = "张三",
        }, deadline: Deadline()).ResponseAsync, "score");
        await AssertInvalidArgumentAsync(() => cluster.Scoring.SubmitAssessmentAsync(new SubmitAssessmentRequest
        {
            RequestId = NewId(), Evaluation = evaluation, IndicatorCode = IncomeRate, Band = QualitativeBand.Achieved, Score = Text(weight),
            Description = "定量指标不可评定", Author = "张三",
        }, deadline: Deadline()).ResponseAsync, "indicator_code");
        await AssertInvalidArgumentAsync(() => cluster.Scoring.SubmitDeviationNoteAsync(new SubmitDeviationNoteRequest
        {
            RequestId = NewId(), Evaluation = evaluation, IndicatorCode = IncomeRate, Note = " ", Author = "张三",
        }, deadline: Deadline()).ResponseAsync, "note");
        var unchanged = await cluster.Scoring.GetScorecardAsync(new GetScorecardRequest { Evaluation = evaluation }, deadline: Deadline());
        Assert.Equal(overridden.ScorecardVersion, unchanged.ScorecardVersion);

        var explained = await cluster.Scoring.ExplainChangeAsync(new ExplainChangeRequest
        {
            Evaluation = evaluation, FromVersion = card.ScorecardVersion, ToVersion = overridden.ScorecardVersion,
        }, deadline: Deadline());
        Assert.Equal(Two(half - computed), explained.TotalDelta);
        var change = Assert.Single(explained.Items);
        Assert.Equal(IncomeRate, change.IndicatorCode);
        Assert.Equal(Two(half - computed), change.ScoreDelta);
        Assert.Equal([ChangeCause.Override], change.Causes);
        Assert.Equal(card.LedgerVersion, explained.ToLedgerVersion);

        // A second override replaces the first; the audit keeps both, who and when, and what was replaced.
        var quarter = weight / 4;
        var again = await cluster.Scoring.SubmitOverrideAsync(new SubmitOverrideRequest
        {
            RequestId = NewId(), Evaluation = evaluation, IndicatorCode = IncomeRate, Score = Text(quarter), Reason = "二次复核", Author = "评价组 李四",
        }, deadline: Deadline());
        Assert.Equal(Two(total - computed + quarter), again.Total);
        var audit = await cluster.Scoring.ListJudgmentsAsync(new ListJudgmentsRequest { Evaluation = evaluation, PageSize = 1 }, deadline: Deadline());
        var firstJudgment = Assert.Single(audit.Judgments);
        Assert.Equal((JudgmentKind.Override, half, "评价组 张三", 0L), (firstJudgment.Kind, Dec(firstJudgment.Score), firstJudgment.Author, firstJudgment.ReplacesJudgmentId));
        Assert.NotNull(firstJudgment.CreatedAt);
        var next = await cluster.Scoring.ListJudgmentsAsync(new ListJudgmentsRequest
        {
            Evaluation = evaluation, PageSize = 1, PageToken = audit.NextPageToken,
        }, deadline: Deadline());
        var secondJudgment = Assert.Single(next.Judgments);
        Assert.Equal(("评价组 李四", firstJudgment.JudgmentId), (secondJudgment.Author, secondJudgment.ReplacesJudgmentId));
    }

    static decimal Dec(string text) => decimal.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture);

    static string Text(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    static string Two(decimal value) => Math.Round(value, 2, MidpointRounding.AwayFromZero).ToString("0.00", CultureInfo.InvariantCulture);

    [Fact(DisplayName = "In an open year a colour change of an item is published and GetMonitoring pro-rates by the calendar")]
    public Task InAnOpenYearAColourChangeIsPublished() => cluster.WithDiagnosticsAsync(output, MonitoringBody);

    async Task MonitoringBody()
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var year = today.Year;
        var evaluation = new EvaluationKey
        {
            RegionCode = Region, SubjectCode = $"resident-fund-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}", FiscalYear = year,
        };
        var key = EvaluationKeys.Format(evaluation);
        await using var statusEvents = await PlainSubscriber.StartAsync(cluster.Settings, "perfeval.scoring.v1.monitoring-status-changed");

        await cluster.Ledger.CreateEvaluationSubjectAsync(new CreateEvaluationSubjectRequest
        {
            RequestId = NewId(), RegionCode = Region, SubjectCode = evaluation.SubjectCode, Kind = SubjectKind.ResidentFund, Name = "监控测试",
        }, deadline: Deadline());
        await cluster.AdoptTemplateAsync(evaluation, "resident-fund");
        await cluster.Ledger.SetBudgetAsync(new SetBudgetRequest
        {
            RequestId = NewId(), Evaluation = evaluation, AccountCode = "4001", BudgetFen = 1_200_000, Reason = "年初预算",
        }, deadline: Deadline());

        // 1% of the budget executed: red once a month has passed (nothing is expected in the first month).
        await PostIncomeAsync(evaluation, $"{year}-01-01", 12_000);
        var expected = today.Month == 1 && today.Day < DateTime.DaysInMonth(year, 1) ? MonitoringStatus.Green : MonitoringStatus.Red;
        var first = await statusEvents.WaitForAsync<MonitoringStatusChanged>(e => EvaluationKeys.Format(e.Evaluation) == key && e.IndicatorCode == IncomeRate, ChainTimeout);
        Assert.Equal((IncomeRate, MonitoringStatus.Unspecified, expected), (first.IndicatorCode, first.PreviousStatus, first.Status));

        var monitoring = await cluster.Scoring.GetMonitoringAsync(new GetMonitoringRequest { Evaluation = evaluation, AsOf = $"{year}-06-30" },
            deadline: Deadline());
        Assert.True(monitoring.Open);
        Assert.Equal(6, monitoring.CompletedMonths);
        var item = monitoring.Items.Single(i => i.IndicatorCode == IncomeRate);
        Assert.Equal("47.5", item.ProratedTarget); // 95% (the target or a range's lower bound) × 6 ÷ 12
        Assert.Equal(MonitoringStatus.Red, item.Status);

        // The whole budget executed: green, and the change is published with the previous colour.
        await PostIncomeAsync(evaluation, $"{year}-01-01", 1_188_000);
        if (expected == MonitoringStatus.Red)
        {
            var second = await statusEvents.WaitForAsync<MonitoringStatusChanged>(e => EvaluationKeys.Format(e.Evaluation) == key && e.IndicatorCode == IncomeRate && e.Status == MonitoringStatus.Green, ChainTimeout);
            Assert.Equal(MonitoringStatus.Red, second.PreviousStatus);
        }
    }

    async Task PostIncomeAsync(EvaluationKey evaluation, string date, long fen) =>
        await cluster.Ledger.PostEntriesAsync(new PostEntriesRequest
        {
            Evaluation = evaluation,
            Entries =
            {
                new JournalEntry
                {
                    EntryId = NewId(), PostingDate = date, Memo = "基本医疗保险费收入",
                    Lines =
                    {
                        new JournalLine { AccountCode = "1002", Side = Side.Debit, AmountFen = fen },
                        new JournalLine { AccountCode = "4001", Side = Side.Credit, AmountFen = fen },
                    },
                },
            },
        }, deadline: Deadline());

    static async Task AssertInvalidArgumentAsync(Func<Task> call, string field)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        var badRequest = ex.GetRpcStatus()?.GetDetail<BadRequest>();
        Assert.NotNull(badRequest);
        Assert.Contains(badRequest!.FieldViolations, v => v.Field == field);
    }

    static string NewId() => Guid.NewGuid().ToString();

    static DateTime Deadline() => DateTime.UtcNow.AddSeconds(30);
}
