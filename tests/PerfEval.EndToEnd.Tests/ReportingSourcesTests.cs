using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Events.V1;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Contracts.Reporting.V1;
using PerfEval.Contracts.Scoring.V1;
using PerfEval.Hosting.Evaluations;
using PerfEval.EndToEnd.Tests.Infrastructure;

namespace PerfEval.EndToEnd.Tests;

/// <summary>
/// The report takes every figure from its sources: the scorecard's levels and deviation notes, the
/// ledger's fund metrics (同比, 累计结余) and reconciliation findings, and the indicator service's
/// declared-actual findings, all in the appendix.
/// </summary>
[Collection(PerfEvalClusterCollection.Name)]
public sealed class ReportingSourcesTests(PerfEvalCluster cluster)
{
    const string ReportPublishedExchange = "perfeval.reporting.v1.report-published";
    static readonly TimeSpan ChainTimeout = TimeSpan.FromSeconds(90);


    [Fact(DisplayName = "Jiashi 2020 report states levels, notes, ledger metrics and both services' findings")]
    public async Task TheReportShowsEverySource()
    {
        await using var reports = await PlainSubscriber.StartAsync(cluster.Settings, ReportPublishedExchange);
        var (evaluation, key) = await JiashiResidentFund.CreateWithBudgetsAsync(cluster);
        var prior = evaluation.Clone();
        prior.FiscalYear = 2019;
        await cluster.Ledger.PostEntriesAsync(new PostEntriesRequest { Evaluation = prior, Entries = { Entry("1002", "4001", Jiashi2020.Fen(34586.52m), "2019-12-31") } },
            deadline: Deadline());
        var opening = await cluster.Ledger.PostEntriesAsync(new PostEntriesRequest { Evaluation = evaluation, Entries = { Entry("1002", "3001", Jiashi2020.Fen(29014.61m), "2020-01-01") } },
            deadline: Deadline());

        // The indicator service knows the evaluation once it has computed it; then the typed 100% can be filed.
        await Poll.UntilAsync($"the indicator values of {key} at ledger version {opening.LedgerVersion}", ChainTimeout,
            async _ => await cluster.Indicator.GetIndicatorValuesAsync(new GetIndicatorValuesRequest { Evaluation = evaluation }, deadline: Deadline()),
            v => v.LedgerVersion >= opening.LedgerVersion, notYet: e => e is RpcException { StatusCode: StatusCode.NotFound },
            describe: v => $"ledger version {v.LedgerVersion}");
        await cluster.Indicator.RecordDeclaredActualsAsync(new RecordDeclaredActualsRequest
        {
            RequestId = Guid.NewGuid().ToString(), Evaluation = evaluation,
            Actuals = { new DeclaredActual { IndicatorCode = "expenditure-budget-execution-rate", Value = "100", Source = "伽师县 2020 自评表" } },
        }, deadline: Deadline());
        await cluster.Ledger.FileDeclaredFiguresAsync(new FileDeclaredFiguresRequest
        {
            Evaluation = evaluation,
            Figures =
            {
                new DeclaredFigure { FigureId = "summary.expenditure.actual", Measure = FigureMeasure.Actual, AccountCode = "5", AmountFen = Jiashi2020.Fen(66350.45m), PrecisionFen = 10_000 },
                new DeclaredFigure { FigureId = "summary.expenditure.rate", Measure = FigureMeasure.BudgetExecutionRate, AccountCode = "5", Value = "300.39" },
            },
        }, deadline: Deadline());

        var posted = await cluster.Ledger.PostEntriesAsync(new PostEntriesRequest
        {
            Evaluation = evaluation,
            Entries =
            {
                Entry("1002", "4001", Jiashi2020.Fen(38154.63m), "2020-12-31"),
                Entry("5001", "1002", Jiashi2020.Fen(21040.11m), "2020-12-31"),
                Entry("5004", "1002", Jiashi2020.Fen(45310.34m), "2020-12-31"),
            },
        }, deadline: Deadline());
        var first = (await reports.WaitForEventAsync<ReportPublished>(r => EvaluationKeys.Format(r.Evaluation) == key && r.LedgerVersion >= posted.LedgerVersion, ChainTimeout)).Message;

        // 105.91% misses 105%≥x≥95%: its note, once written, is in the next version.
        var noted = await cluster.Scoring.SubmitDeviationNoteAsync(new SubmitDeviationNoteRequest
        {
            RequestId = Guid.NewGuid().ToString(), Evaluation = evaluation, IndicatorCode = "income-budget-execution-rate",
            Note = "财政补助收入高于预算。", Author = "e2e",
        }, deadline: Deadline());
        var report = (await reports.WaitForEventAsync<ReportPublished>(r => EvaluationKeys.Format(r.Evaluation) == key && r.ScorecardVersion >= noted.ScorecardVersion, ChainTimeout)).Message;
        Assert.True(report.ReportVersion > first.ReportVersion);

        var markdown = Encoding.UTF8.GetString(await DownloadAsync(evaluation, report.ReportVersion, ReportFileFormat.Markdown));
        Assert.Contains("| 产出指标 | 数量指标 | 城乡居民医疗保险基金收入预算执行率 | 105%≥x≥95% | 105.91% | 4 |", markdown);
        Assert.Contains("财政补助收入高于预算。", markdown);
        Assert.Contains("（未填写偏差原因分析及改进措施）", markdown);
        Assert.Contains("较上年增加3568.11万元，增幅10.32%", markdown);
        Assert.Contains("累计结余818.79万元", markdown);
        Assert.Contains("执行率口径错误", markdown);
        Assert.Contains("| 300.39% | 95.26% |", markdown);
        Assert.Contains("未列预算的支出：", markdown);
        Assert.Contains("填报实际完成值与计算值不符：城乡居民医疗保险基金支出预算执行率 | 100.00% | 95.26% | 4.74% |", markdown);
        Assert.DoesNotContain("未分级", markdown);
    }

    static JournalEntry Entry(string debit, string credit, long fen, string date) => new()
    {
        EntryId = Guid.NewGuid().ToString(),
        PostingDate = date,
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
