using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Google.Rpc;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Events.V1;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Contracts.Reporting.V1;
using PerfEval.Hosting.Evaluations;
using PerfEval.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace PerfEval.EndToEnd.Tests;

/// <summary>
/// The walking skeleton over real processes, PostgreSQL and RabbitMQ: a posting in the ledger becomes a
/// published report without anyone asking for it. Every test has its own evaluation key.
/// </summary>
[Collection(PerfEvalClusterCollection.Name)]
public sealed partial class WalkingSkeletonTests(PerfEvalCluster sharedCluster, ITestOutputHelper testOutput)
    : WalkingSkeletonScenario(sharedCluster, testOutput)
{
    const string ReportPublishedExchange = "perfeval.reporting.v1.report-published";
    const string IncomeRate = "income-budget-execution-rate";

    [Fact(DisplayName = "Jiashi 2020 resident income flows to a published report")]
    public Task Jiashi2020ResidentIncomeFlowsToAPublishedReport() => WithDiagnosticsAsync(async () =>
    {
        var evaluation = NewEvaluation();
        var key = KeyText(evaluation);
        await using var reports = await PlainSubscriber.StartAsync(Cluster.Settings, ReportPublishedExchange);

        await CreateSubjectAsync(evaluation);
        await SetBudgetAsync(evaluation);
        await Cluster.Ledger.PostEntriesAsync(Batch(evaluation, QuarterlyIncome()), deadline: Deadline());

        var received = await reports.WaitForEventAsync<ReportPublished>(
            r => EvaluationKeys.Format(r.Evaluation) == key && IncomeActual(r)?.StartsWith("105.906", StringComparison.Ordinal) == true, ChainTimeout);
        var report = received.Message;

        var item = report.Items.Single(i => i.IndicatorCode == IncomeRate);
        Assert.Equal(105.91m, Math.Round(decimal.Parse(item.Actual, NumberStyles.Number, CultureInfo.InvariantCulture), 2, MidpointRounding.AwayFromZero));
        Assert.Equal("100.00", item.Score);
        Assert.Equal("100.00", report.Total);
        Assert.Equal("优", report.Grade);
        Assert.Equal(Region, report.Evaluation.RegionCode);
        Assert.Equal(evaluation.SubjectCode, report.Evaluation.SubjectCode);
        Assert.Equal(FiscalYear, report.Evaluation.FiscalYear);
        var markdown = Assert.Single(report.Formats, f => f.Format == ReportFileFormat.Markdown);
        Assert.Matches(Sha256Hex(), markdown.Sha256);

        Assert.Equal(key, received.Header(PlainSubscriber.SubjectHeader));
        Assert.Equal("1.0", received.Header(PlainSubscriber.SpecVersionHeader));
        Assert.Equal("perfeval.events.v1.ReportPublished", received.Header(PlainSubscriber.TypeHeader));

        var bytes = await DownloadAsync(evaluation, report.ReportVersion, ReportFileFormat.Markdown);
        Assert.Equal(markdown.Sha256, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        if (markdown.SizeBytes != 0)
            Assert.Equal(markdown.SizeBytes, bytes.Length);
        var text = Encoding.UTF8.GetString(bytes);
        Assert.Contains("收入预算执行率", text, StringComparison.Ordinal);
        Assert.Contains("105.91%", text, StringComparison.Ordinal);
        Assert.Contains("优", text, StringComparison.Ordinal);
    });

    [Fact(DisplayName = "Replaying the same entries spends no version")]
    public Task ReplayingTheSameEntriesSpendsNoVersion() => WithDiagnosticsAsync(async () =>
    {
        var evaluation = NewEvaluation();
        var key = KeyText(evaluation);
        await using var reports = await PlainSubscriber.StartAsync(Cluster.Settings, ReportPublishedExchange);

        await CreateSubjectAsync(evaluation);
        await SetBudgetAsync(evaluation);
        var entries = QuarterlyIncome();
        var first = await Cluster.Ledger.PostEntriesAsync(Batch(evaluation, entries), deadline: Deadline());
        Assert.All(first.Results, r => Assert.False(r.Replayed));

        var settled = await reports.WaitForEventAsync<ReportPublished>(
            r => EvaluationKeys.Format(r.Evaluation) == key && IncomeActual(r)?.StartsWith("105.906", StringComparison.Ordinal) == true, ChainTimeout);
        var versionN = settled.Message.ReportVersion;

        // The same four entries again (same ids, same content, new message objects): nothing is stored.
        var replay = await Cluster.Ledger.PostEntriesAsync(Batch(evaluation, entries.Select(e => e.Clone())), deadline: Deadline());
        Assert.Equal(first.LedgerVersion, replay.LedgerVersion);
        Assert.Equal(entries.Select(e => e.EntryId), replay.Results.Select(r => r.EntryId));
        Assert.All(replay.Results, r => Assert.True(r.Replayed, $"entry {r.EntryId} was not reported as replayed"));
        Assert.Equal(first.Results.Select(r => r.LedgerVersion), replay.Results.Select(r => r.LedgerVersion));

        // One new entry: the next report of this evaluation is exactly version N+1.
        const long extraFen = 100_000;
        var extra = Income(NewId(), "2020-12-31", extraFen, "补记基本医疗保险费收入");
        var posted = await Cluster.Ledger.PostEntriesAsync(Batch(evaluation, [extra]), deadline: Deadline());
        Assert.False(Assert.Single(posted.Results).Replayed);
        Assert.True(posted.LedgerVersion > first.LedgerVersion, $"ledger version {posted.LedgerVersion} after a new entry is not above {first.LedgerVersion}");

        var next = await NextReportForAsync(reports, key, settled);
        Assert.True(next.Message.ReportVersion == versionN + 1,
            $"after version {versionN} the next report of {key} is version {next.Message.ReportVersion}, not {versionN + 1}. {reports.DescribeSeen()}");
        var nextActual = IncomeActual(next.Message);
        Assert.NotNull(nextActual);
        Assert.StartsWith("105.9065", nextActual, StringComparison.Ordinal); // (38,154,630,000 + 100,000) / 36,026,780,000

        // An existing id with different content refuses the batch.
        var changed = Income(entries[0].EntryId, entries[0].PostingDate, QuarterFen + 1, entries[0].Memo);
        var conflict = await Assert.ThrowsAsync<RpcException>(() =>
            Cluster.Ledger.PostEntriesAsync(Batch(evaluation, [changed]), deadline: Deadline()).ResponseAsync);
        Assert.Equal(StatusCode.AlreadyExists, conflict.StatusCode);

        var balances = await Cluster.Ledger.GetBalancesAsync(new GetBalancesRequest { Evaluation = evaluation }, deadline: Deadline());
        Assert.Equal(ActualFen + extraFen, ActualOf(balances, IncomeAccount));
    });

    [Fact(DisplayName = "Malformed batches are refused whole with the field named")]
    public Task MalformedBatchesAreRefusedWholeWithTheFieldNamed() => WithDiagnosticsAsync(async () =>
    {
        var evaluation = NewEvaluation();
        await CreateSubjectAsync(evaluation);
        var valid = Income(NewId(), "2020-03-31", 100, "有效分录");

        // (1) An unbalanced entry after a valid one.
        var unbalanced = new JournalEntry
        {
            EntryId = NewId(), PostingDate = "2020-03-31", Memo = "借贷不平",
            Lines =
            {
                new JournalLine { AccountCode = BankAccount, Side = Side.Debit, AmountFen = 100 },
                new JournalLine { AccountCode = IncomeAccount, Side = Side.Credit, AmountFen = 90 },
            },
        };
        await AssertInvalidArgumentAsync(Batch(evaluation, [valid, unbalanced]),
            f => f.StartsWith("entries[1]", StringComparison.Ordinal), "a field starting with entries[1]");

        // (2) An unknown account.
        var unknownAccount = new JournalEntry
        {
            EntryId = NewId(), PostingDate = "2020-03-31", Memo = "未知科目",
            Lines =
            {
                new JournalLine { AccountCode = BankAccount, Side = Side.Debit, AmountFen = 100 },
                new JournalLine { AccountCode = "9999", Side = Side.Credit, AmountFen = 100 },
            },
        };
        await AssertInvalidArgumentAsync(Batch(evaluation, [unknownAccount, valid]),
            f => f == "entries[0].lines[1].account_code", "entries[0].lines[1].account_code");

        // (3) A negative amount (balanced, so the amount is the only thing wrong).
        var negative = new JournalEntry
        {
            EntryId = NewId(), PostingDate = "2020-03-31", Memo = "负数金额",
            Lines =
            {
                new JournalLine { AccountCode = BankAccount, Side = Side.Debit, AmountFen = -100 },
                new JournalLine { AccountCode = IncomeAccount, Side = Side.Credit, AmountFen = -100 },
            },
        };
        await AssertInvalidArgumentAsync(Batch(evaluation, [negative, valid]),
            f => f == "entries[0].lines[0].amount_fen", "entries[0].lines[0].amount_fen");

        // (4) A malformed region code.
        var badRegion = new EvaluationKey { RegionCode = "65312", SubjectCode = evaluation.SubjectCode, FiscalYear = FiscalYear };
        await AssertInvalidArgumentAsync(Batch(badRegion, [valid]),
            f => f == "evaluation.region_code", "evaluation.region_code");

        // Nothing of any refused batch was stored …
        var balances = await Cluster.Ledger.GetBalancesAsync(new GetBalancesRequest { Evaluation = evaluation }, deadline: Deadline());
        Assert.Equal(0, ActualOf(balances, IncomeAccount));

        // … so the valid entry those batches carried is new now.
        var posted = await Cluster.Ledger.PostEntriesAsync(Batch(evaluation, [valid]), deadline: Deadline());
        var result = Assert.Single(posted.Results);
        Assert.Equal(valid.EntryId, result.EntryId);
        Assert.False(result.Replayed, "the valid entry of a refused batch had been stored");

        // A subject in a region that is not seeded.
        var ex = await Assert.ThrowsAsync<RpcException>(() => Cluster.Ledger.CreateEvaluationSubjectAsync(new CreateEvaluationSubjectRequest
        {
            RequestId = NewId(),
            RegionCode = "999999",
            SubjectCode = NewSubjectCode(),
            Kind = SubjectKind.ResidentFund,
            Name = SubjectName,
        }, deadline: Deadline()).ResponseAsync);
        AssertFieldViolation(ex, f => f == "region_code", "region_code");
    });

    [Fact(DisplayName = "Every service answers health and reflection")]
    public Task EveryServiceAnswersHealthAndReflection() => WithDiagnosticsAsync(async () =>
    {
        var expected = new Dictionary<ServiceProcess, string>
        {
            [Cluster.LedgerProcess] = "perfeval.ledger.v1.LedgerService",
            [Cluster.IndicatorProcess] = "perfeval.indicator.v1.IndicatorService",
            [Cluster.ScoringProcess] = "perfeval.scoring.v1.ScoringService",
            [Cluster.ReportingProcess] = "perfeval.reporting.v1.ReportingService",
        };

        foreach (var (process, ownService) in expected)
        {
            // No token: probes and tools reach health and reflection without one.
            var channel = Cluster.Channel(process, token: "");

            var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), deadline: Deadline());
            Assert.True(health.Status == HealthCheckResponse.Types.ServingStatus.Serving, $"{process.Name} health is {health.Status}");

            using var call = new ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo(deadline: Deadline());
            await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
            await call.RequestStream.CompleteAsync();
            var services = new List<string>();
            await foreach (var response in call.ResponseStream.ReadAllAsync())
            {
                Assert.True(response.MessageResponseCase == ServerReflectionResponse.MessageResponseOneofCase.ListServicesResponse,
                    $"{process.Name} reflection answered {response.MessageResponseCase}: {response}");
                services.AddRange(response.ListServicesResponse.Service.Select(s => s.Name));
            }

            Assert.True(services.Contains("grpc.health.v1.Health"), $"{process.Name} lists [{string.Join(", ", services)}]");
            Assert.True(services.Contains(ownService), $"{process.Name} lists [{string.Join(", ", services)}], not {ownService}");
        }
    });

    // ---------------------------------------------------------------------------------------------

    /// <summary>
    /// The next report of <paramref name="key"/> after <paramref name="previous"/>: reports of other
    /// evaluations are skipped, and so is a redelivery of <paramref name="previous"/> itself (same
    /// cloudEvents_id, at least once); any other report of this key is returned as it is.
    /// </summary>
    async Task<ReceivedEvent<ReportPublished>> NextReportForAsync(PlainSubscriber reports, string key, ReceivedEvent<ReportPublished> previous)
    {
        var deadline = DateTime.UtcNow + ChainTimeout;
        var previousId = previous.Header(PlainSubscriber.IdHeader);
        while (true)
        {
            var remaining = deadline - DateTime.UtcNow;
            var next = remaining > TimeSpan.Zero ? await reports.NextEventOrNullAsync<ReportPublished>(remaining) : null;
            if (next is null)
                throw new TimeoutException($"No further report of {key} arrived within {ChainTimeout.TotalSeconds:0} s. {reports.DescribeSeen()}");
            if (EvaluationKeys.Format(next.Message.Evaluation) != key)
                continue;
            if (previousId is not null && next.Header(PlainSubscriber.IdHeader) == previousId && next.Message.Equals(previous.Message))
            {
                Output.WriteLine($"skipped a redelivery of report version {previous.Message.ReportVersion} ({previousId})");
                continue;
            }
            return next;
        }
    }

    async Task AssertInvalidArgumentAsync(PostEntriesRequest request, Func<string, bool> fieldMatches, string expectation)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => Cluster.Ledger.PostEntriesAsync(request, deadline: Deadline()).ResponseAsync);
        AssertFieldViolation(ex, fieldMatches, expectation);
    }

    static void AssertFieldViolation(RpcException ex, Func<string, bool> fieldMatches, string expectation)
    {
        Assert.True(ex.StatusCode == StatusCode.InvalidArgument, $"expected InvalidArgument naming {expectation}, got {ex.StatusCode}: {ex.Status.Detail}");
        var status = ex.GetRpcStatus();
        Assert.True(status is not null, $"InvalidArgument without a google.rpc.Status detail: {ex.Status.Detail}");
        var badRequest = status!.GetDetail<BadRequest>();
        Assert.True(badRequest is not null, $"google.rpc.Status without a BadRequest detail: {status}");
        var fields = badRequest!.FieldViolations.Select(v => v.Field).ToList();
        Assert.True(fields.Any(fieldMatches),
            $"expected a field violation naming {expectation}; got [{string.Join(", ", badRequest.FieldViolations.Select(v => $"{v.Field}: {v.Description}"))}]");
    }

    static string? IncomeActual(ReportPublished report) =>
        report.Items.FirstOrDefault(i => i.IndicatorCode == IncomeRate)?.Actual;

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Hex();
}

/// <summary>A failed end-to-end test, its message carrying the services' last log lines.</summary>
public sealed class EndToEndFailureException(string message, Exception inner) : Exception(message, inner);
