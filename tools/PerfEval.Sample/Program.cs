using System.Text;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Contracts.Reporting.V1;
using PerfEval.Contracts.Scoring.V1;

// The sample fund-year: 伽师县 2020 resident fund (DOMAIN.md §8): income budget 36026.78 万元,
// actual 38154.63 万元 → 收入预算执行率 105.91%, scored 100.00, 优.
// Ids are fixed, so running the sample again replays the same postings and changes nothing.
var ledgerAddress = Setting("PERFEVAL_LEDGER", "http://127.0.0.1:5101");
var indicatorAddress = Setting("PERFEVAL_INDICATOR", "http://127.0.0.1:5102");
var scoringAddress = Setting("PERFEVAL_SCORING", "http://127.0.0.1:5103");
var reportingAddress = Setting("PERFEVAL_REPORTING", "http://127.0.0.1:5104");
var outputFolder = Setting("PERFEVAL_OUTPUT", Path.Combine(Directory.GetCurrentDirectory(), ".local", "out"));
Console.OutputEncoding = Encoding.UTF8;

var deadline = DateTime.UtcNow.AddSeconds(120);
foreach (var address in new[] { ledgerAddress, indicatorAddress, scoringAddress, reportingAddress })
    await WaitServingAsync(address);

var ledger = new LedgerService.LedgerServiceClient(GrpcChannel.ForAddress(ledgerAddress));
var indicator = new IndicatorService.IndicatorServiceClient(GrpcChannel.ForAddress(indicatorAddress));
var scoring = new ScoringService.ScoringServiceClient(GrpcChannel.ForAddress(scoringAddress));
var reporting = new ReportingService.ReportingServiceClient(GrpcChannel.ForAddress(reportingAddress));
var key = new EvaluationKey { RegionCode = "653129", SubjectCode = "resident-fund", FiscalYear = 2020 };

await ledger.CreateEvaluationSubjectAsync(new CreateEvaluationSubjectRequest
{
    RequestId = "sample-653129-resident-fund",
    RegionCode = key.RegionCode,
    SubjectCode = key.SubjectCode,
    Kind = SubjectKind.ResidentFund,
    Name = "伽师县城乡居民基本医疗保险基金",
}, deadline: Soon());

// Scored on the one-item skeleton system for now; binding the same system again changes nothing.
await indicator.BindEvaluationSystemAsync(new BindEvaluationSystemRequest
{
    RequestId = "sample-653129-resident-fund-2020-system",
    Evaluation = key,
    SystemCode = "skeleton",
}, deadline: Soon());

await ledger.SetBudgetAsync(new SetBudgetRequest
{
    RequestId = "sample-653129-resident-fund-2020-budget-4001",
    Evaluation = key,
    AccountCode = "4001",
    BudgetFen = Fen(36026.78m),
    Reason = "全年预算",
}, deadline: Soon());

// 38154.63 万元 received over the year, posted quarter by quarter.
long[] quarters = [Fen(9538.66m), Fen(9538.66m), Fen(9538.66m), Fen(38154.63m) - 3 * Fen(9538.66m)];
string[] quarterEnds = ["2020-03-31", "2020-06-30", "2020-09-30", "2020-12-31"];
var post = new PostEntriesRequest { Evaluation = key };
for (var q = 0; q < 4; q++)
    post.Entries.Add(new JournalEntry
    {
        EntryId = $"sample-653129-resident-fund-2020-income-q{q + 1}",
        PostingDate = quarterEnds[q],
        DocumentNumber = $"伽医保收〔2020〕{q + 1}号",
        Memo = $"第{q + 1}季度城乡居民基本医疗保险费收入",
        Lines =
        {
            new JournalLine { AccountCode = "1002", Side = Side.Debit, AmountFen = quarters[q] },
            new JournalLine { AccountCode = "4001", Side = Side.Credit, AmountFen = quarters[q] },
        },
    });
var posted = await ledger.PostEntriesAsync(post, deadline: Soon());
Console.WriteLine($"posted {posted.Results.Count} entries ({posted.Results.Count(r => r.Replayed)} replayed); ledger version {posted.LedgerVersion}");

// Follow the chain: values computed from this ledger version, scored, reported.
var values = await UntilAsync(async () =>
{
    var v = await Try(() => indicator.GetIndicatorValuesAsync(new GetIndicatorValuesRequest { Evaluation = key }, deadline: Soon()).ResponseAsync);
    return v is not null && v.LedgerVersion >= posted.LedgerVersion ? v : null;
});
var scorecard = await UntilAsync(async () =>
{
    var s = await Try(() => scoring.GetScorecardAsync(new GetScorecardRequest { Evaluation = key }, deadline: Soon()).ResponseAsync);
    return s is not null && s.ValueVersion >= values.ValueVersion ? s : null;
});
var report = await UntilAsync(async () =>
{
    var list = await reporting.ListReportVersionsAsync(new ListReportVersionsRequest { Evaluation = key, PageSize = 1 }, deadline: Soon());
    return list.Versions.FirstOrDefault(r => r.ScorecardVersion >= scorecard.ScorecardVersion);
});

using var download = reporting.DownloadReport(new DownloadReportRequest { Evaluation = key, ReportVersion = report.ReportVersion, Format = "markdown" },
    deadline: Soon());
var bytes = new MemoryStream();
await foreach (var chunk in download.ResponseStream.ReadAllAsync())
    chunk.Chunk.WriteTo(bytes);

Directory.CreateDirectory(outputFolder);
var path = Path.Combine(outputFolder, $"{key.RegionCode}-{key.SubjectCode}-{key.FiscalYear}-v{report.ReportVersion}.md");
await File.WriteAllBytesAsync(path, bytes.ToArray());
Console.WriteLine(Encoding.UTF8.GetString(bytes.ToArray()));
Console.WriteLine($"report version {report.ReportVersion}: total {report.Total} ({report.Grade}), sha256 {report.Formats[0].Sha256}");
Console.WriteLine($"report written to {path}");
return 0;

static long Fen(decimal wanYuan) => (long)(wanYuan * 1_000_000m);

static DateTime Soon() => DateTime.UtcNow.AddSeconds(30);

static string Setting(string name, string fallback) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : fallback;

static async Task<T?> Try<T>(Func<Task<T>> call) where T : class
{
    try { return await call(); }
    catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound) { return null; }
}

async Task<T> UntilAsync<T>(Func<Task<T?>> probe) where T : class
{
    while (true)
    {
        if (await probe() is { } found)
            return found;
        if (DateTime.UtcNow > deadline)
            throw new TimeoutException("the chain did not reach a report in time; see the service logs under .local/logs");
        await Task.Delay(200);
    }
}

async Task WaitServingAsync(string address)
{
    using var channel = GrpcChannel.ForAddress(address);
    var health = new Health.HealthClient(channel);
    while (true)
    {
        try
        {
            if ((await health.CheckAsync(new HealthCheckRequest(), deadline: Soon())).Status == HealthCheckResponse.Types.ServingStatus.Serving)
                return;
        }
        catch (RpcException) when (DateTime.UtcNow < deadline) { }
        if (DateTime.UtcNow > deadline)
            throw new TimeoutException($"{address} is not serving");
        await Task.Delay(200);
    }
}
