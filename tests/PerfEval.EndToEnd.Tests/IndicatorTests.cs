using System.Globalization;
using System.Security.Cryptography;
using Google.Rpc;
using Grpc.Core;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.EndToEnd.Tests.Infrastructure;
using PerfEval.Hosting.Evaluations;

namespace PerfEval.EndToEnd.Tests;

/// <summary>The indicator service over gRPC with the real ledger: systems, observations, declared actuals, lineage.</summary>
[Collection(PerfEvalClusterCollection.Name)]
public sealed class IndicatorTests(PerfEvalCluster cluster)
{
    const string Region = "653129"; // 伽师县
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    static DateTime Deadline() => DateTime.UtcNow.AddSeconds(30);
    static string NewId() => Guid.NewGuid().ToString();

    async Task<EvaluationKey> NewResidentEvaluationAsync()
    {
        var key = new EvaluationKey { RegionCode = Region, SubjectCode = $"resident-fund-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}", FiscalYear = 2020 };
        await cluster.Ledger.CreateEvaluationSubjectAsync(new CreateEvaluationSubjectRequest
        {
            RequestId = NewId(), RegionCode = key.RegionCode, SubjectCode = key.SubjectCode, Kind = SubjectKind.ResidentFund, Name = "伽师县城乡居民基本医疗保险基金",
        }, deadline: Deadline());
        await cluster.AdoptTemplateAsync(key, "resident-fund");
        return key;
    }

    static JournalEntry Entry(string debit, string credit, long fen, string memo) => new()
    {
        EntryId = NewId(), PostingDate = "2020-12-31", Memo = memo,
        Lines =
        {
            new JournalLine { AccountCode = debit, Side = Side.Debit, AmountFen = fen },
            new JournalLine { AccountCode = credit, Side = Side.Credit, AmountFen = fen },
        },
    };

    Task<GetIndicatorValuesResponse> WaitForValuesAsync(EvaluationKey key, Func<GetIndicatorValuesResponse, bool> done) =>
        Poll.UntilAsync($"indicator values of {key}", Patience,
            async _ => await cluster.Indicator.GetIndicatorValuesAsync(new GetIndicatorValuesRequest { Evaluation = key }, deadline: Deadline()),
            done, notYet: e => e is RpcException { StatusCode: StatusCode.NotFound });

    static string? ValueOf(GetIndicatorValuesResponse values, string code) => values.Values.FirstOrDefault(v => v.IndicatorCode == code)?.Value;

    [Fact(DisplayName = "Jiashi 2020: the typed 100% 基金支出预算执行率 against the computed 95.26% is a finding")]
    public async Task JiashiDeclaredExpenditureRateIsAFinding()
    {
        var key = await NewResidentEvaluationAsync();
        foreach (var (account, budget) in new[] { ("4001", 36026.78m), ("5001", 22087.64m) })
            await cluster.Ledger.SetBudgetAsync(new SetBudgetRequest { RequestId = NewId(), Evaluation = key, AccountCode = account, BudgetFen = Jiashi2020.Fen(budget), Reason = "全年预算" }, deadline: Deadline());
        var post = new PostEntriesRequest { Evaluation = key };
        post.Entries.Add(Entry("1002", "4001", Jiashi2020.Fen(38154.63m), "基本医疗保险费收入"));
        post.Entries.Add(Entry("5001", "1003", Jiashi2020.Fen(21040.11m), "基本医疗保险待遇支出"));
        post.Entries.Add(Entry("5004", "1003", Jiashi2020.Fen(45310.34m), "上解上级支出（未列预算）"));
        var posted = await cluster.Ledger.PostEntriesAsync(post, deadline: Deadline());

        var values = await WaitForValuesAsync(key, v => v.LedgerVersion >= posted.LedgerVersion && ValueOf(v, "expenditure-budget-execution-rate") is { Length: > 0 });
        Assert.Equal($"table:{EvaluationKeys.Format(key)}", values.SystemCode); // its own table, adopted from the template
        Assert.Equal(95.26m, Round2(ValueOf(values, "expenditure-budget-execution-rate")!));
        Assert.Equal(105.91m, Round2(ValueOf(values, "income-budget-execution-rate")!));
        var lineage = values.Lineage.Single(l => l.IndicatorCode == "expenditure-budget-execution-rate");
        Assert.Equal("executed(expenditure) / budget(expenditure)", lineage.Formula);
        Assert.Contains(lineage.Inputs, i => i.Key == "ledger:executed:expenditure" && i.Value == "210401100" && i.Source == $"ledger version {values.LedgerVersion}");
        var coverage = values.Values.Single(v => v.IndicatorCode == "coverage-rate-registered");
        Assert.Equal("", coverage.Value);
        Assert.Contains("missing observation", coverage.NoValueReason);

        var system = await cluster.Indicator.GetEvaluationSystemAsync(new GetEvaluationSystemRequest { Evaluation = key }, deadline: Deadline());
        // The evaluation's own table, copied from the template it adopted.
        Assert.Equal(($"table:{key.RegionCode}/{key.SubjectCode}/{key.FiscalYear}", values.SystemVersion), (system.System.SystemCode, system.System.Version));

        var declared = new RecordDeclaredActualsRequest { RequestId = NewId(), Evaluation = key };
        declared.Actuals.Add(new DeclaredActual { IndicatorCode = "expenditure-budget-execution-rate", Value = "100", Source = "伽师县 2020 自评表" });
        declared.Actuals.Add(new DeclaredActual { IndicatorCode = "income-budget-execution-rate", Value = "105.91", Source = "伽师县 2020 汇总表" });
        await cluster.Indicator.RecordDeclaredActualsAsync(declared, deadline: Deadline());
        var findings = await cluster.Indicator.GetFindingsAsync(new GetFindingsRequest { Evaluation = key }, deadline: Deadline());
        var finding = Assert.Single(findings.Findings);
        Assert.Equal((Contracts.Indicator.V1.FindingKind.DeclaredActualMismatch, "expenditure-budget-execution-rate", "100"), (finding.Kind, finding.IndicatorCode, finding.DeclaredValue));
        Assert.Equal(4.74m, Round2(finding.Difference));
    }

    [Fact(DisplayName = "Observations are idempotent, corrections supersede, and both schemes count in 综合参保率")]
    public async Task ObservationsAreIdempotentAndCorrectionsSupersede()
    {
        var key = await NewResidentEvaluationAsync();
        Observation Obs(string subject, string metric, string value, string unit) =>
            new() { RegionCode = Region, SubjectCode = subject, FiscalYear = 2020, Metric = metric, Value = value, Unit = unit };
        var request = new RecordObservationsRequest { RequestId = NewId() };
        request.Observations.Add(Obs(key.SubjectCode, "insured-persons", "406124", "人"));
        request.Observations.Add(Obs("employee-fund", "insured-persons", "24243", "人"));
        request.Observations.Add(Obs(key.SubjectCode, "registered-population", "500000", "人"));
        var first = await cluster.Indicator.RecordObservationsAsync(request, deadline: Deadline());
        var replay = await cluster.Indicator.RecordObservationsAsync(request, deadline: Deadline());
        Assert.True(replay.Replayed);
        Assert.Equal(first.Revisions, replay.Revisions);

        var values = await WaitForValuesAsync(key, v => ValueOf(v, "coverage-rate-registered") is { Length: > 0 });
        Assert.Equal(86.07m, Round2(ValueOf(values, "coverage-rate-registered")!)); // 430367 ÷ 500000

        // A correction of 户籍人口 supersedes the first figure: 430367 ÷ 444202 = 96.89%.
        var correction = new RecordObservationsRequest { RequestId = NewId() };
        correction.Observations.Add(Obs(key.SubjectCode, "registered-population", "444202", "人"));
        await cluster.Indicator.RecordObservationsAsync(correction, deadline: Deadline());
        values = await WaitForValuesAsync(key, v => ValueOf(v, "coverage-rate-registered") is { } s && s.StartsWith("96.88", StringComparison.Ordinal));
        var lineage = values.Lineage.Single(l => l.IndicatorCode == "coverage-rate-registered");
        Assert.Contains(lineage.Inputs, i => i.Key == "obs:insured-persons@employee-fund" && i.Value == "24243");

        // The same request id with other content is refused; a unit slip (常住人口 in 万元) is refused by field.
        request.Observations[0].Value = "1";
        var reused = await Assert.ThrowsAsync<RpcException>(() => cluster.Indicator.RecordObservationsAsync(request, deadline: Deadline()).ResponseAsync);
        Assert.Equal(StatusCode.AlreadyExists, reused.StatusCode);
        var slip = new RecordObservationsRequest { RequestId = NewId() };
        slip.Observations.Add(Obs("", "resident-population", "195.03", "万元"));
        var refused = await Assert.ThrowsAsync<RpcException>(() => cluster.Indicator.RecordObservationsAsync(slip, deadline: Deadline()).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains(Violations(refused), v => v.Field == "observations[0].unit");
    }

    [Fact(DisplayName = "An evaluation without its own target table is not scored and says so; the bureau sets it, with history")]
    public async Task EvaluationTablesAreTheCountysOwn()
    {
        var key = new EvaluationKey { RegionCode = Region, SubjectCode = $"table-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}", FiscalYear = 2020 };
        await cluster.Ledger.CreateEvaluationSubjectAsync(new CreateEvaluationSubjectRequest
        {
            RequestId = NewId(), RegionCode = key.RegionCode, SubjectCode = key.SubjectCode, Kind = SubjectKind.ResidentFund, Name = "伽师县城乡居民基本医疗保险基金",
        }, deadline: Deadline());

        var none = await Assert.ThrowsAsync<RpcException>(() =>
            cluster.Indicator.GetEvaluationSystemAsync(new GetEvaluationSystemRequest { Evaluation = key }, deadline: Deadline()).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, none.StatusCode);
        Assert.Equal("NO_TARGET_TABLE", none.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason);

        // Weights that miss 100 are refused with their sum, and nothing is stored.
        var table = """
            system_code: ignored
            version: 1
            name: 伽师县2020年城乡居民医保基金绩效目标表
            subject_kind: resident-fund
            levels:
              - name: 产出指标
                children:
                  - name: 数量指标
                    indicators:
                      - { code: insured-persons, name: 参保人数, unit: 人, target: "≥413449人", weight: "50", source: declared }
              - name: 效益指标
                children:
                  - name: 社会效益
                    indicators:
                      - { code: burden-relief, name: 减轻参保群众负担, target: 有效缓解, weight: "40" }
            """;
        var refused = await Assert.ThrowsAsync<RpcException>(() => cluster.Indicator.SetEvaluationTableAsync(new SetEvaluationTableRequest
        {
            RequestId = NewId(), Evaluation = key, Reason = "预算批复", FileText = table,
        }, deadline: Deadline()).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains(Violations(refused), v => v.Field == "file_text.indicators" && v.Description.Contains("add up to 90", StringComparison.Ordinal));
        Assert.Empty((await cluster.Indicator.GetEvaluationTableHistoryAsync(new GetEvaluationTableHistoryRequest { Evaluation = key }, deadline: Deadline())).Versions);

        // Another county's bureau cannot set it.
        var kashgar = new IndicatorService.IndicatorServiceClient(cluster.Channel(cluster.IndicatorProcess, cluster.Token("bureau-653101", "653101")));
        var foreign = await Assert.ThrowsAsync<RpcException>(() => kashgar.SetEvaluationTableAsync(new SetEvaluationTableRequest
        {
            RequestId = NewId(), Evaluation = key, Reason = "预算批复", Template = new TemplateReference { SystemCode = "resident-fund" },
        }, deadline: Deadline()).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, foreign.StatusCode);

        var request = new SetEvaluationTableRequest
        {
            RequestId = NewId(), Evaluation = key, Reason = "预算批复", FileText = table.Replace("weight: \"40\"", "weight: \"50\"", StringComparison.Ordinal),
        };
        var set = await cluster.Indicator.SetEvaluationTableAsync(request, deadline: Deadline());
        var retry = await cluster.Indicator.SetEvaluationTableAsync(request, deadline: Deadline());
        Assert.Equal((1, false), (set.Table.Version, set.Replayed));
        Assert.Equal((1, true), (retry.Table.Version, retry.Replayed));
        Assert.Equal(["insured-persons", "burden-relief"], set.Table.Indicators.Select(i => i.Code));
        Assert.Equal([ActualSource.Declared, ActualSource.Assessed], set.Table.Indicators.Select(i => i.ActualSource));
        Assert.Equal(ExactScoring.AsHigherIsBetter, set.Table.ExactScoring);

        var adjusted = await cluster.Indicator.SetEvaluationTableAsync(new SetEvaluationTableRequest
        {
            RequestId = NewId(), Evaluation = key, Reason = "年中调整：采用省级模板", Template = new TemplateReference { SystemCode = "resident-fund" },
        }, deadline: Deadline());
        Assert.Equal(2, adjusted.Table.Version);
        var history = await cluster.Indicator.GetEvaluationTableHistoryAsync(new GetEvaluationTableHistoryRequest { Evaluation = key }, deadline: Deadline());
        Assert.Equal([(2, "年中调整：采用省级模板"), (1, "预算批复")], history.Versions.Select(v => (v.Version, v.Reason)));
        Assert.Equal(PerfEvalCluster.TestCaller, history.Versions[0].SetBy);
        var bound = await cluster.Indicator.GetEvaluationSystemAsync(new GetEvaluationSystemRequest { Evaluation = key }, deadline: Deadline());
        Assert.Equal(2, bound.System.Version);
        // A county's table is not a catalog entry other regions could list.
        var catalog = await AllSystemsAsync(new ListSystemsRequest { SubjectKind = "resident-fund" });
        Assert.DoesNotContain(catalog, s => s.SystemCode.StartsWith("table:", StringComparison.Ordinal));
    }

    [Fact(DisplayName = "Systems import and export as files; weights that miss 100 are refused with the sum")]
    public async Task SystemsImportAndExport()
    {
        var exported = await cluster.Indicator.ExportSystemAsync(new ExportSystemRequest { SystemCode = "resident-fund" }, deadline: Deadline());
        Assert.Contains("105%≥x≥95%", exported.FileText);
        var code = $"imported-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        var imported = await cluster.Indicator.ImportSystemAsync(new ImportSystemRequest
        {
            RequestId = NewId(),
            FileText = exported.FileText.Replace("system_code: resident-fund", $"system_code: {code}"),
        }, deadline: Deadline());
        Assert.Equal(exported.System.Indicators, imported.System.Indicators);
        // Pages of 2 are walked to the end: each system version once, by code, newest version first.
        var list = await AllSystemsAsync(new ListSystemsRequest { SubjectKind = "resident-fund", PageSize = 2 });
        Assert.Contains(list, s => s.SystemCode == code && !s.BuiltIn);
        Assert.Contains(list, s => s.SystemCode == "resident-fund" && s.BuiltIn);
        Assert.Equal(list.Select(s => (s.SystemCode, s.Version)).Distinct().Count(), list.Count);
        Assert.Equal(list.OrderBy(s => s.SystemCode, StringComparer.Ordinal).ThenByDescending(s => s.Version).Select(s => (s.SystemCode, s.Version)),
            list.Select(s => (s.SystemCode, s.Version)));
        var badToken = await Assert.ThrowsAsync<RpcException>(() =>
            cluster.Indicator.ListSystemsAsync(new ListSystemsRequest { PageToken = "bm90LWEta2V5" }, deadline: Deadline()).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, badToken.StatusCode);
        Assert.Equal(["page_token"], Violations(badToken).Select(v => v.Field));

        var system = imported.System.Clone();
        system.SystemCode = $"{code}-bad";
        system.Indicators[0].Weight = "0.5";
        system.Indicators[1].Target = new Target { Text = "105%≥x" };
        var refused = await Assert.ThrowsAsync<RpcException>(() =>
            cluster.Indicator.DefineSystemAsync(new DefineSystemRequest { RequestId = NewId(), System = system }, deadline: Deadline()).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        var violations = Violations(refused);
        Assert.Contains(violations, v => v.Field == "system.indicators" && v.Description.Contains("add up to 90.5", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Field == "system.indicators[1].target" && v.Description.Contains("position 6", StringComparison.Ordinal));
    }

    /// <summary>Every system version, following next_page_token to the last page.</summary>
    async Task<List<SystemSummary>> AllSystemsAsync(ListSystemsRequest request)
    {
        var systems = new List<SystemSummary>();
        do
        {
            var page = await cluster.Indicator.ListSystemsAsync(request, deadline: Deadline());
            systems.AddRange(page.Systems);
            request = request.Clone();
            request.PageToken = page.NextPageToken;
        } while (request.PageToken.Length > 0);
        return systems;
    }

    static IReadOnlyList<BadRequest.Types.FieldViolation> Violations(RpcException e) =>
        e.GetRpcStatus()?.GetDetail<BadRequest>()?.FieldViolations.ToList() ?? [];

    static decimal Round2(string value) =>
        Math.Round(decimal.Parse(value, NumberStyles.Number | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture), 2, MidpointRounding.AwayFromZero);
}
