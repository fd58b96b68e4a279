using System.Text;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Events.V1;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Contracts.Reporting.V1;
using PerfEval.Contracts.Scoring.V1;
using PerfEval.Client;

// The sample fund-year: 伽师县 2020 resident fund (DOMAIN.md §8, seed 001), scored on the county's own
// 14-item target table (samples/evaluations/jiashi-2020-resident-fund.yaml), with income posted by source as
// the text states it: income 38154.63 of a 36026.78 budget → 105.91%; 待遇支出 21040.11 of 22087.64 → 95.26%,
// 上解上级支出 45310.34 unbudgeted; 滚存结余 818.79. Items PerfEval cannot compute are scored on the bureau's
// typed actuals, marked 填报，未核实; the report's own figures are filed as declared figures so the appendix
// lists its contradictions; the report prints the seed's own texts. Writes every format to .local/out/.
// Ids are fixed, so running the sample again replays the same requests and changes nothing.
var ledgerAddress = Setting("PERFEVAL_LEDGER", "http://127.0.0.1:5101");
var indicatorAddress = Setting("PERFEVAL_INDICATOR", "http://127.0.0.1:5102");
var scoringAddress = Setting("PERFEVAL_SCORING", "http://127.0.0.1:5103");
var reportingAddress = Setting("PERFEVAL_REPORTING", "http://127.0.0.1:5104");
var outputFolder = Setting("PERFEVAL_OUTPUT", Path.Combine(Directory.GetCurrentDirectory(), ".local", "out"));
Console.OutputEncoding = Encoding.UTF8;

var deadline = DateTime.UtcNow.AddSeconds(120);
foreach (var address in new[] { ledgerAddress, indicatorAddress, scoringAddress, reportingAddress })
    await WaitServingAsync(address);

// The sample acts as Xinjiang's provincial integration system: its token may act for every region
// under 650000, 伽师县 included. PERFEVAL_TOKEN gives it a token; otherwise it mints one with the
// deployment's signing key (PERFEVAL_AUTH_SIGNING_KEY, written by deploy/local/infra.sh).
var token = Setting("PERFEVAL_TOKEN", "") is { Length: > 0 } given ? given
    : Setting("PERFEVAL_AUTH_SIGNING_KEY", "") is { Length: > 0 } signingKey
        ? AccessTokens.Mint(new AuthOptions { SigningKey = signingKey }, "sample-xinjiang-integration", "650000", TimeSpan.FromHours(1))
        : throw new InvalidOperationException("Set PERFEVAL_TOKEN, or PERFEVAL_AUTH_SIGNING_KEY to mint one (. .local/infra/env.sh)");
var ledger = new LedgerService.LedgerServiceClient(Authenticated(ledgerAddress));
var indicator = new IndicatorService.IndicatorServiceClient(Authenticated(indicatorAddress));
var scoring = new ScoringService.ScoringServiceClient(Authenticated(scoringAddress));
var reporting = new ReportingService.ReportingServiceClient(Authenticated(reportingAddress));
var key = new EvaluationKey { RegionCode = "653129", SubjectCode = "resident-fund", FiscalYear = 2020 };

await ledger.CreateEvaluationSubjectAsync(new CreateEvaluationSubjectRequest
{
    RequestId = "sample-653129-resident-fund",
    RegionCode = key.RegionCode,
    SubjectCode = key.SubjectCode,
    Kind = SubjectKind.ResidentFund,
    Name = "伽师县城乡居民基本医疗保险基金",
}, deadline: Soon());

// The county's own approved target table (绩效目标表), its typed actuals and its texts, exactly as the seed
// prints them: samples/evaluations/jiashi-2020-resident-fund.yaml, checked line by line against the seed.
var seed = SeedEvaluation.Load(SeedFile(Setting("PERFEVAL_SAMPLE_EVALUATION", Path.Combine("samples", "evaluations", "jiashi-2020-resident-fund.yaml"))));
var table = await indicator.SetEvaluationTableAsync(new SetEvaluationTableRequest
{
    RequestId = "sample-653129-resident-fund-2020-table-v1",
    Evaluation = key,
    Reason = "预算批复：伽师县2020年城乡居民医疗保险项目绩效目标表",
    Table = seed.Table(),
}, deadline: Soon());
Console.WriteLine($"target table: {table.Table.SystemCode} version {table.Table.Version}, {table.Table.Indicators.Count} items{(table.Replayed ? " (replayed)" : "")}");

// The summary table's budgets (seed lines 24-25): income 36026.78 for the fund's whole income, 待遇支出
// 22087.64. 上解上级支出 has no budget line and is reported beside the execution rate as unbudgeted spending.
await ledger.SetBudgetAsync(new SetBudgetRequest
{
    RequestId = "sample-653129-resident-fund-2020-budget-income",
    Evaluation = key,
    AccountCode = "4",
    BudgetFen = Fen(36026.78m),
    Reason = "全年预算（收支汇总表）",
}, deadline: Soon());
await ledger.SetBudgetAsync(new SetBudgetRequest
{
    RequestId = "sample-653129-resident-fund-2020-budget-5001",
    Evaluation = key,
    AccountCode = "5001",
    BudgetFen = Fen(22087.64m),
    Reason = "全年预算（收支汇总表）",
}, deadline: Soon());

// Income by source as the text states it (line 56; it adds up to 38154.63 exactly). 基本医疗保险费收入
// 13925.64 is the 个人缴费收入 of line 58, posted once. The seed gives annual amounts only: posted at year end.
// Opening balance, expenditure and the transfer that funds it, in the same batch so the report sees them all:
// 滚存结余 818.79 = opening 29014.61 + 当期结余 (38154.63 − 21040.11 − 45310.34 = −28195.82). 待遇支出 is
// posted on 5001 as one amount: the seed does not split 门诊 4413.45 into 普通门诊统筹 / 门诊慢特病.
var post = new PostEntriesRequest { Evaluation = key };
(string Id, string Date, string Memo, string Debit, string Credit, decimal WanYuan)[] movements =
[
    ("opening", "2020-01-01", "上年滚存结余", "1002", "3001", 29014.61m),
    ("income-personal", "2020-12-31", "个人缴费收入（基本医疗保险费收入）", "1002", "400102", 13925.64m),
    ("income-subsidy", "2020-12-31", "财政补贴收入", "1002", "4002", 23528m),
    ("income-interest", "2020-12-31", "利息收入", "1002", "4004", 200.99m),
    ("income-higher-level", "2020-12-31", "上级补助收入", "1002", "4003", 500m),
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
// 2019 is not posted: the seed gives only its two totals (income 34586.52, expenditure 15823.75, summary
// table), not by account, and posting them on one account would make the report compare each line with a
// year the seed does not break down. They are filed below as declared figures, reconciled against nothing.
var posted = await ledger.PostEntriesAsync(post, deadline: Soon());
Console.WriteLine($"posted {posted.Results.Count} entries ({posted.Results.Count(r => r.Replayed)} replayed); ledger version {posted.LedgerVersion}");

// The statistics the table's formula items read, as the seed states them: 参保人数 and 享受待遇人数 (table,
// lines 144-145), the 个人缴费标准 280元/人/年 (text, line 66). Nothing else: the seed gives no 常住人口 and no
// 财政补助标准, so those items are the bureau's declared figures.
var observations = new RecordObservationsRequest { RequestId = "sample-653129-2020-observations-v2" };
foreach (var (metric, value, unit) in new[]
{
    ("insured-persons", "413449", "人"),
    ("beneficiaries", "55128", "人"),
    ("personal-contribution-standard", "280", "元/人/年"),
})
    observations.Observations.Add(new Observation
    {
        RegionCode = key.RegionCode, SubjectCode = key.SubjectCode, FiscalYear = key.FiscalYear, Metric = metric, Value = value, Unit = unit,
    });
await indicator.RecordObservationsAsync(observations, deadline: Soon());

// What the seed's table typed as 实际完成值, as typed (every one equal to its target; "280%" and "580%" are
// unit slips kept as 280 and 580). Declared-only items are scored on these, marked 填报，未核实.
var declaredActuals = new RecordDeclaredActualsRequest { RequestId = "sample-653129-resident-fund-2020-declared-actuals-v2", Evaluation = key };
foreach (var (code, value, source) in seed.DeclaredActuals())
    declaredActuals.Actuals.Add(new DeclaredActual { IndicatorCode = code, Value = value, Source = source });
await indicator.RecordDeclaredActualsAsync(declaredActuals, deadline: Soon());

// The bureau's own words and signatories, quoted from the seed (年度总体目标, 基本情况, 存在问题, 其他);
// the seed has no 结果应用 section and names no 填报人 or 联系电话: the report says 待填写 there.
var texts = await reporting.UpdateEvaluationTextsAsync(new UpdateEvaluationTextsRequest
{
    Evaluation = key, RequestId = "sample-653129-resident-fund-2020-texts-v1", Texts = seed.ReportTexts(),
}, deadline: Soon());
Console.WriteLine($"bureau texts: version {texts.TextsVersion}{(texts.Replayed ? " (replayed)" : "")}");

// The money figures the report states (summary table, text, the self-evaluation table's header), to be
// reconciled against the ledger: the 300.39% "执行预算", the header's 38155 as 预算数 …
var figures = new FileDeclaredFiguresRequest { Evaluation = key };
void Money(string id, string label, FigureMeasure measure, string account, decimal wanYuan, string source, long precisionFen = 10_000) =>
    figures.Figures.Add(new DeclaredFigure
    {
        FigureId = id, Label = label, Measure = measure, AccountCode = account, AmountFen = Fen(wanYuan), PrecisionFen = precisionFen, Source = source,
    });
void Ratio(string id, string label, FigureMeasure measure, string account, string value, string source) =>
    figures.Figures.Add(new DeclaredFigure { FigureId = id, Label = label, Measure = measure, AccountCode = account, Value = value, Source = source });
const string Summary = "报告 一(一) 收支汇总表 城乡居民列";
Money("summary.income.budget", "预算 基金收入小计", FigureMeasure.Budget, "4", 36026.78m, Summary);
Money("summary.income.actual", "2020年 基金收入小计", FigureMeasure.Actual, "4", 38154.63m, Summary);
Money("summary.income.prior", "2019年 基金收入小计", FigureMeasure.PriorYearActual, "4", 34586.52m, Summary);
Money("summary.income.change", "收入 增长", FigureMeasure.YearOverYearChange, "4", 3568.11m, Summary);
Ratio("summary.income.growth", "收入 增幅%", FigureMeasure.YearOverYearGrowth, "4", "10.32", Summary);
Ratio("summary.income.rate", "收入 执行预算%", FigureMeasure.BudgetExecutionRate, "4", "105.91", Summary);
Money("summary.expenditure.budget", "预算 基金支出小计", FigureMeasure.Budget, "5", 22087.64m, Summary);
Money("summary.expenditure.actual", "2020年 基金支出小计", FigureMeasure.Actual, "5", 66350.45m, Summary);
Money("summary.expenditure.prior", "2019年 基金支出小计", FigureMeasure.PriorYearActual, "5", 15823.75m, Summary);
Money("summary.expenditure.change", "支出 增长", FigureMeasure.YearOverYearChange, "5", 50526.7m, Summary, 100_000);
Ratio("summary.expenditure.growth", "支出 增幅%", FigureMeasure.YearOverYearGrowth, "5", "319.31", Summary);
Ratio("summary.expenditure.rate", "支出 执行预算%", FigureMeasure.BudgetExecutionRate, "5", "300.39", Summary);
const string Text = "报告 二 城乡居民基本医疗保险基金";
Money("text.benefits.actual", "待遇总支出", FigureMeasure.Actual, "5001", 21040.11m, Text);
Money("text.benefits.change", "与上年同期相比增加", FigureMeasure.YearOverYearChange, "5001", 5216.36m, Text);
Ratio("text.benefits.growth", "增长", FigureMeasure.YearOverYearGrowth, "5001", "32.97", Text);
Ratio("text.benefits.rate", "完成年度预算的", FigureMeasure.BudgetExecutionRate, "5001", "95.26", Text);
Money("text.period-surplus", "基金当期结余", FigureMeasure.PeriodSurplus, "", -28195.82m, Text);
Money("text.accumulated-balance", "累计结余", FigureMeasure.AccumulatedBalance, "", 818.79m, Text);
// The self-evaluation table's header writes the income actual, in whole 万元, as 预算数 too (its 执行数
// 38155 agrees with the ledger and is not filed: a second, coarser income figure would only blur the
// balance check).
Money("table.header.budget", "自评表 预算数", FigureMeasure.Budget, "4", 38155m, "附表 自评表 预算执行情况", 1_000_000);
await ledger.FileDeclaredFiguresAsync(figures, deadline: Soon());

// Follow the chain: values computed from this ledger version, scored, reported.
var values = await UntilAsync(async () =>
{
    var v = await Try(() => indicator.GetIndicatorValuesAsync(new GetIndicatorValuesRequest { Evaluation = key }, deadline: Soon()).ResponseAsync);
    // Computed from this ledger version, with the resident-fund system and the observations recorded above.
    return v is not null && v.LedgerVersion >= posted.LedgerVersion && v.SystemCode == table.Table.SystemCode
        && v.Values.Any(i => i.IndicatorCode == "insured-persons" && i.Value.Length > 0) ? v : null;
});
var scored = await UntilAsync(async () =>
{
    var s = await Try(() => scoring.GetScorecardAsync(new GetScorecardRequest { Evaluation = key }, deadline: Soon()).ResponseAsync);
    return s is not null && s.ValueVersion >= values.ValueVersion ? s : null;
});

// The assessor's part: the two qualitative items, judged on what the seed itself states. Its table
// declares both as reached (有效缓解 / 长期, the targets verbatim) and its text (二) describes the
// burden relief; it states nothing more about sustainability. The band follows the seed's own
// declaration; the score inside the band is the band's lowest (80 % of the weight), because the seed
// gives no score and a sample must not invent a better one.
// No deviation note is filed: the seed's table has no 偏差原因分析及改进措施 column and its text gives no
// cause for any miss, so the report shows every missed item without a note rather than with a made-up one.
var lastJudgment = 0L;
foreach (var code in new[] { "burden-relief", "scheme-sustainability" })
{
    var item = table.Table.Indicators.Single(i => i.Code == code);
    var lowestOfBand = 0.8m * decimal.Parse(item.Weight, System.Globalization.CultureInfo.InvariantCulture);
    var r = await scoring.SubmitAssessmentAsync(new SubmitAssessmentRequest
    {
        RequestId = $"sample-653129-resident-fund-2020-assessment-{code}-v3", Evaluation = key, IndicatorCode = code,
        Band = QualitativeBand.Achieved, Score = lowestOfBand.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Description = seed.QualitativeDescription(code), Author = "伽师县医疗保障局（示例评价：取该档最低分）",
    }, deadline: Soon());
    lastJudgment = Math.Max(lastJudgment, r.ScorecardVersion);
}
var judged = await UntilAsync(async () =>
{
    var s = await Try(() => scoring.GetScorecardAsync(new GetScorecardRequest { Evaluation = key }, deadline: Soon()).ResponseAsync);
    return s is not null && s.ScorecardVersion >= Math.Max(lastJudgment, scored.ScorecardVersion) ? s : null;
});
var scorecard = await UntilAsync(async () =>
{
    var s = await Try(() => scoring.GetScorecardAsync(new GetScorecardRequest { Evaluation = key }, deadline: Soon()).ResponseAsync);
    return s is not null && s.ScorecardVersion >= Math.Max(lastJudgment, judged.ScorecardVersion) ? s : null;
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
    var formatName = format.Format.ToString().ToLowerInvariant();
    var extension = format.Format == ReportFileFormat.Markdown ? "md" : formatName;
    var path = Path.Combine(outputFolder, $"{key.RegionCode}-{key.SubjectCode}-{key.FiscalYear}-v{report.ReportVersion}.{extension}");
    await File.WriteAllBytesAsync(path, bytes.ToArray());
    Console.WriteLine($"{formatName,-8} sha256 {format.Sha256}  {path}");
    if (format.Format == ReportFileFormat.Markdown)
    {
        markdownPath = path;
        Console.WriteLine(Encoding.UTF8.GetString(bytes.ToArray()));
    }
}
Console.WriteLine($"report version {report.ReportVersion}: total {report.Total} ({report.Grade}), ledger version {report.LedgerVersion}, content sha256 {report.ContentSha256}");
var declaredItems = scorecard.Items.Where(i => i.ValueOrigin == ScoredValueOrigin.Declared).Select(i => i.Name).ToList();
Console.WriteLine($"of the total, {scorecard.UnverifiedPoints} points rest on {declaredItems.Count} values the bureau declared and nobody verified (填报，未核实): {string.Join("、", declaredItems)}");
if (!scorecard.Complete)
    Console.WriteLine($"incomplete (待定, draft report): no value or judgment yet for {string.Join(", ", scorecard.IncompleteItemCodes)}");
Console.WriteLine($"report written to {markdownPath}");
return 0;

static long Fen(decimal wanYuan) => (long)(wanYuan * 1_000_000m);

static DateTime Soon() => DateTime.UtcNow.AddSeconds(30);

// The seed file, relative to the working directory or to the repository the sample was built in.
static string SeedFile(string path)
{
    if (Path.IsPathRooted(path) || File.Exists(path))
        return path;
    for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        if (File.Exists(Path.Combine(folder.FullName, path)))
            return Path.Combine(folder.FullName, path);
    throw new FileNotFoundException($"seed evaluation {path} not found (set PERFEVAL_SAMPLE_EVALUATION)");
}

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

GrpcChannel Authenticated(string address) => BearerChannels.ForAddress(address, token);

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
