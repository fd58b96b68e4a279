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
// actual 38154.63 万元 → 收入预算执行率 105.91%, scored 100.00, 优; 待遇支出 21040.11 of 22087.64 → 95.26%,
// 上解上级支出 45310.34 unbudgeted; 滚存结余 818.79. Writes every report format to .local/out/.
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

// The worked example's expenditure side (seed, DOMAIN.md §8): 待遇支出 has a budget line, 上解上级支出 has none
// and is reported beside the execution rate as unbudgeted spending.
await ledger.SetBudgetAsync(new SetBudgetRequest
{
    RequestId = "sample-653129-resident-fund-2020-budget-5001",
    Evaluation = key,
    AccountCode = "5001",
    BudgetFen = Fen(22087.64m),
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
// Opening balance, expenditure and the transfer that funds it, in the same batch so the report sees them all:
// 滚存结余 818.79 = opening 29014.61 + 当期结余 (38154.63 − 21040.11 − 45310.34 = −28195.82).
(string Id, string Date, string Memo, string Debit, string Credit, decimal WanYuan)[] movements =
[
    ("opening", "2020-01-01", "上年滚存结余", "1002", "3001", 29014.61m),
    ("transfer", "2020-12-31", "收入户划转支出户", "1003", "1002", 66350.45m),
    ("benefits", "2020-12-31", "基本医疗保险待遇支出（住院16626.66万元、门诊4413.45万元）", "5001", "1003", 21040.11m),
    ("remittance", "2020-12-31", "上解上级支出", "5004", "1003", 45310.34m),
];
foreach (var m in movements)
    post.Entries.Add(new JournalEntry
    {
        EntryId = $"sample-653129-resident-fund-2020-{m.Id}",
        PostingDate = m.Date,
        Memo = m.Memo,
        Lines =
        {
            new JournalLine { AccountCode = m.Debit, Side = Side.Debit, AmountFen = Fen(m.WanYuan) },
            new JournalLine { AccountCode = m.Credit, Side = Side.Credit, AmountFen = Fen(m.WanYuan) },
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

// Every stored format: 绩效自评表 (xlsx) and 绩效自评报告 (docx, html, markdown).
Directory.CreateDirectory(outputFolder);
var markdownPath = "";
foreach (var format in report.Formats)
{
    using var download = reporting.DownloadReport(new DownloadReportRequest { Evaluation = key, ReportVersion = report.ReportVersion, Format = format.Format },
        deadline: Soon());
    var bytes = new MemoryStream();
    await foreach (var chunk in download.ResponseStream.ReadAllAsync())
        chunk.Chunk.WriteTo(bytes);
    var extension = format.Format == "markdown" ? "md" : format.Format;
    var path = Path.Combine(outputFolder, $"{key.RegionCode}-{key.SubjectCode}-{key.FiscalYear}-v{report.ReportVersion}.{extension}");
    await File.WriteAllBytesAsync(path, bytes.ToArray());
    Console.WriteLine($"{format.Format,-8} sha256 {format.Sha256}  {path}");
    if (format.Format == "markdown")
    {
        markdownPath = path;
        Console.WriteLine(Encoding.UTF8.GetString(bytes.ToArray()));
    }
}
Console.WriteLine($"report version {report.ReportVersion}: total {report.Total} ({report.Grade}), ledger version {report.LedgerVersion}, content sha256 {report.ContentSha256}");
Console.WriteLine($"report written to {markdownPath}");
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
