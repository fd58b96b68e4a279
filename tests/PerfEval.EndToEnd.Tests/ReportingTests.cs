using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Google.Rpc;
using Grpc.Core;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Events.V1;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Contracts.Reporting.V1;
using PerfEval.Hosting.Evaluations;
using PerfEval.EndToEnd.Tests.Infrastructure;

namespace PerfEval.EndToEnd.Tests;

/// <summary>
/// Reporting over the running chain: a version is stored in every format with the versions it was
/// rendered from, announced with the formats' hashes, listed, and downloadable format by format.
/// </summary>
[Collection(PerfEvalClusterCollection.Name)]
public sealed class ReportingTests(PerfEvalCluster cluster)
{
    const string ReportPublishedExchange = "perfeval.reporting.v1.report-published";
    static readonly TimeSpan ChainTimeout = TimeSpan.FromSeconds(90);


    [Fact(DisplayName = "Jiashi 2020 report is published in xlsx, docx, html and markdown with its input versions")]
    public async Task EveryFormatIsPublishedListedAndDownloadable()
    {
        await using var reports = await PlainSubscriber.StartAsync(cluster.Settings, ReportPublishedExchange);
        var (evaluation, key) = await JiashiResidentFund.CreateWithBudgetsAsync(cluster);
        var post = new PostEntriesRequest { Evaluation = evaluation };
        post.Entries.Add(Entry("1002", "4001", Jiashi2020.Fen(38154.63m), "基本医疗保险费收入"));
        post.Entries.Add(Entry("5001", "1003", Jiashi2020.Fen(21040.11m), "基本医疗保险待遇支出"));
        post.Entries.Add(Entry("5004", "1003", Jiashi2020.Fen(45310.34m), "上解上级支出"));
        var posted = await cluster.Ledger.PostEntriesAsync(post, deadline: Deadline());

        var received = await reports.WaitForEventAsync<ReportPublished>(
            r => EvaluationKeys.Format(r.Evaluation) == key && r.LedgerVersion >= posted.LedgerVersion, ChainTimeout);
        var report = received.Message;
        Assert.Equal([ReportFileFormat.Xlsx, ReportFileFormat.Docx, ReportFileFormat.Html, ReportFileFormat.Markdown], report.Formats.Select(f => f.Format).Order());
        Assert.Equal("伽师县", report.RegionName);
        Assert.Matches("^[0-9]{4}-[0-9]{2}-[0-9]{2}$", report.ReportDate);
        Assert.True(report.ValueVersion > 0);
        Assert.Equal(64, report.ContentSha256.Length);

        var listed = (await cluster.Reporting.ListReportVersionsAsync(new ListReportVersionsRequest { Evaluation = evaluation }, deadline: Deadline()))
            .Versions.Single(v => v.ReportVersion == report.ReportVersion);
        Assert.Equal(report.LedgerVersion, listed.LedgerVersion);
        Assert.Equal(report.ValueVersion, listed.ValueVersion);
        Assert.Equal(report.ContentSha256, listed.ContentSha256);
        Assert.Equal(report.Formats.OrderBy(f => f.Format.ToString(), StringComparer.OrdinalIgnoreCase).Select(f => f.Sha256), listed.Formats.Select(f => f.Sha256));

        var files = new Dictionary<ReportFileFormat, byte[]>();
        foreach (var format in report.Formats)
        {
            var bytes = await DownloadAsync(evaluation, report.ReportVersion, format.Format);
            Assert.Equal(format.Sha256, Convert.ToHexStringLower(SHA256.HashData(bytes)));
            Assert.Equal(format.SizeBytes, bytes.Length);
            files[format.Format] = bytes;
        }
        var markdown = Encoding.UTF8.GetString(files[ReportFileFormat.Markdown]);
        Assert.Contains("收入预算执行率为105.91%", markdown);
        Assert.Contains("列入预算的支出执行率为95.26%", markdown);
        Assert.Contains("未列入预算的支出共45310.34万元", markdown);
        Assert.Contains("data:image/png;base64,", Encoding.UTF8.GetString(files[ReportFileFormat.Html]));
        using (var docx = new ZipArchive(new MemoryStream(files[ReportFileFormat.Docx])))
            Assert.Contains(docx.Entries, e => e.FullName == "word/document.xml");
        using (var xlsx = new ZipArchive(new MemoryStream(files[ReportFileFormat.Xlsx])))
            Assert.Contains(xlsx.Entries, e => e.FullName == "xl/workbook.xml");
    }

    [Fact(DisplayName = "The bureau's texts are stored, replayed on retry, refused out of region, and printed in a new report version")]
    public async Task BureauTextsRenderANewReportVersion()
    {
        await using var reports = await PlainSubscriber.StartAsync(cluster.Settings, ReportPublishedExchange);
        var (evaluation, key) = await JiashiResidentFund.CreateWithBudgetsAsync(cluster);
        var post = new PostEntriesRequest { Evaluation = evaluation };
        post.Entries.Add(Entry("1002", "4001", Jiashi2020.Fen(38154.63m), "基本医疗保险费收入"));
        var posted = await cluster.Ledger.PostEntriesAsync(post, deadline: Deadline());
        var first = await reports.WaitForEventAsync<ReportPublished>(
            r => EvaluationKeys.Format(r.Evaluation) == key && r.LedgerVersion >= posted.LedgerVersion, ChainTimeout);
        Assert.Equal(0, first.Message.TextsVersion);

        var update = new UpdateEvaluationTextsRequest
        {
            Evaluation = evaluation,
            RequestId = Guid.NewGuid().ToString(),
            Texts = new EvaluationTexts
            {
                OverallGoalExpected = "积极推进全民参保计划，确保城乡居民基本医疗保险参保人员的医疗待遇落实。",
                Problems = "基金收支预算编制不够精准。",
                Signatories = new Signatories { FilingUnit = "伽师县医疗保障局", Preparer = "填报人甲", Phone = "0998-1234567", FilingDate = "2021-02-20" },
            },
        };
        var updated = await cluster.Reporting.UpdateEvaluationTextsAsync(update, deadline: Deadline());
        var replayed = await cluster.Reporting.UpdateEvaluationTextsAsync(update, deadline: Deadline());
        Assert.Equal((1L, false), (updated.TextsVersion, updated.Replayed));
        Assert.Equal((1L, true), (replayed.TextsVersion, replayed.Replayed));

        var second = await reports.WaitForEventAsync<ReportPublished>(
            r => EvaluationKeys.Format(r.Evaluation) == key && r.TextsVersion == 1, ChainTimeout);
        // Rendered from the latest scorecard (a budget step may have rescored meanwhile), with the new texts.
        Assert.True(second.Message.ScorecardVersion >= first.Message.ScorecardVersion);
        Assert.True(second.Message.ReportVersion > first.Message.ReportVersion);
        Assert.Equal("2021-02-20", second.Message.ReportDate);
        var markdown = Encoding.UTF8.GetString(await DownloadAsync(evaluation, second.Message.ReportVersion, ReportFileFormat.Markdown));
        Assert.Contains("年度总体目标：积极推进全民参保计划，确保城乡居民基本医疗保险参保人员的医疗待遇落实。", markdown);
        Assert.Contains("存在问题：基金收支预算编制不够精准。", markdown);
        Assert.Contains("填报单位：伽师县医疗保障局", markdown);
        Assert.Contains("填报人：填报人甲　　联系电话：0998-1234567　　单位负责人：（待填写）", markdown);

        var stored = await cluster.Reporting.GetEvaluationTextsAsync(new GetEvaluationTextsRequest { Evaluation = evaluation }, deadline: Deadline());
        Assert.Equal((1L, "基金收支预算编制不够精准。"), (stored.TextsVersion, stored.Texts.Problems));

        var otherCounty = new ReportingService.ReportingServiceClient(cluster.Channel(cluster.ReportingProcess, cluster.Token("bureau-653101", "653101")));
        var refused = await Assert.ThrowsAsync<RpcException>(() => otherCounty.UpdateEvaluationTextsAsync(
            new UpdateEvaluationTextsRequest { Evaluation = evaluation, RequestId = Guid.NewGuid().ToString(), Texts = new EvaluationTexts { Problems = "x" } },
            deadline: Deadline()).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        var unchanged = await cluster.Reporting.GetEvaluationTextsAsync(new GetEvaluationTextsRequest { Evaluation = evaluation }, deadline: Deadline());
        Assert.Equal(1L, unchanged.TextsVersion);
    }

    [Fact(DisplayName = "An unknown download format is refused naming the field")]
    public async Task AnUnknownFormatIsRefused()
    {
        using var call = cluster.Reporting.DownloadReport(new DownloadReportRequest
        {
            Evaluation = new EvaluationKey { RegionCode = "653129", SubjectCode = "resident-fund", FiscalYear = 2020 },
            Format = ReportFileFormat.Unspecified,
        }, deadline: Deadline());
        var error = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var violations = error.GetRpcStatus()?.GetDetail<BadRequest>()?.FieldViolations;
        Assert.NotNull(violations);
        Assert.Contains(violations, v => v.Field == "format");
    }

    static JournalEntry Entry(string debit, string credit, long fen, string memo) => new()
    {
        EntryId = Guid.NewGuid().ToString(),
        PostingDate = "2020-12-31",
        Memo = memo,
        Lines =
        {
            new JournalLine { AccountCode = debit, Side = Side.Debit, AmountFen = fen },
            new JournalLine { AccountCode = credit, Side = Side.Credit, AmountFen = fen },
        },
    };

    async Task<byte[]> DownloadAsync(EvaluationKey evaluation, long version, ReportFileFormat format)
    {
        using var call = cluster.Reporting.DownloadReport(new DownloadReportRequest { Evaluation = evaluation, ReportVersion = version, Format = format },
            deadline: Deadline());
        using var buffer = new MemoryStream();
        await foreach (var chunk in call.ResponseStream.ReadAllAsync())
            chunk.Chunk.WriteTo(buffer);
        return buffer.ToArray();
    }

    static DateTime Deadline() => DateTime.UtcNow.AddSeconds(30);
}
