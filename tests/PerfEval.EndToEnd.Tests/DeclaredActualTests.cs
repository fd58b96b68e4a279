using System.Security.Cryptography;
using Google.Rpc;
using Grpc.Core;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Events.V1;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Contracts.Scoring.V1;
using PerfEval.EndToEnd.Tests.Infrastructure;
using PerfEval.Testing;

namespace PerfEval.EndToEnd.Tests;

/// <summary>
/// DOMAIN.md §5 over the running chain: a county's own table with a computed, a declared and a qualitative
/// item. Until every item has a value or a judgment the grade is 待定 and the report a draft; a declared
/// value is scored and flagged; a reviewer's refusal scores 0 and can be withdrawn.
/// </summary>
[Collection(PerfEvalClusterCollection.Name)]
public sealed class DeclaredActualTests(PerfEvalCluster cluster)
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    const string Table = """
        name: 测试县2020年城乡居民医保基金绩效目标表
        subject_kind: resident-fund
        levels:
          - name: 产出指标
            children:
              - name: 数量指标
                indicators:
                  - { code: income-rate, name: 基金收入预算执行率, unit: "%", target: "≥95%", weight: "40", formula: "executed(income) / budget(income)" }
              - name: 质量指标
                indicators:
                  - { code: policy-ratio, name: 政策范围内住院费用报销比例, unit: "%", target: "≥70%", weight: "40", source: declared }
          - name: 效益指标
            children:
              - name: 社会效益
                indicators:
                  - { code: burden-relief, name: 减轻参保群众负担, target: 有效缓解, weight: "20" }
        """;

    [Fact(DisplayName = "A declared value is scored and flagged, 待定 until every item has a value, and a reviewer's refusal scores 0")]
    public async Task DeclaredValuesAreScoredFlaggedAndRefusable()
    {
        await using var reports = await PlainSubscriber.StartAsync(cluster.Settings, "perfeval.reporting.v1.report-published");
        var key = new EvaluationKey { RegionCode = "653129", SubjectCode = $"declared-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}", FiscalYear = 2020 };
        await cluster.Ledger.CreateEvaluationSubjectAsync(new CreateEvaluationSubjectRequest
        {
            RequestId = NewId(), RegionCode = key.RegionCode, SubjectCode = key.SubjectCode, Kind = SubjectKind.ResidentFund, Name = "测试县城乡居民医保基金",
        }, deadline: Deadline());
        await cluster.Indicator.SetEvaluationTableAsync(new SetEvaluationTableRequest { RequestId = NewId(), Evaluation = key, Reason = "预算批复", FileText = Table },
            deadline: Deadline());
        await cluster.Ledger.SetBudgetAsync(new SetBudgetRequest { RequestId = NewId(), Evaluation = key, AccountCode = "4", BudgetFen = 1_000_000, Reason = "全年预算" },
            deadline: Deadline());
        await cluster.Ledger.PostEntriesAsync(new PostEntriesRequest
        {
            Evaluation = key,
            Entries =
            {
                new JournalEntry
                {
                    EntryId = NewId(), PostingDate = "2020-12-31", Memo = "个人缴费收入",
                    Lines =
                    {
                        new JournalLine { AccountCode = "1002", Side = Side.Debit, AmountFen = 1_000_000 },
                        new JournalLine { AccountCode = "400102", Side = Side.Credit, AmountFen = 1_000_000 },
                    },
                },
            },
        }, deadline: Deadline());

        // Nothing declared, nothing judged: 待定 with what is computed so far, and a draft report.
        var pending = await ScorecardAsync(key, s => s.Items.Any(i => i.IndicatorCode == "income-rate" && i.Score == "40.00"));
        Assert.Equal(("待定", false, "40.00"), (pending.Grade, pending.Complete, pending.Total));
        Assert.Equal(["burden-relief", "policy-ratio"], pending.IncompleteItemCodes.Order());
        var draft = await reports.WaitForEventAsync<ReportPublished>(r => r.Evaluation.Equals(key) && r.Grade == "待定", Patience);
        Assert.True(draft.Message.Draft);

        // The bureau declares the settlement system's ratio: scored as declared, flagged, counted apart.
        await cluster.Indicator.RecordDeclaredActualsAsync(new RecordDeclaredActualsRequest
        {
            RequestId = NewId(), Evaluation = key,
            Actuals = { new DeclaredActual { IndicatorCode = "policy-ratio", Value = "68", Source = "医保结算系统2020年度统计" } },
        }, deadline: Deadline());
        var declared = await ScorecardAsync(key, s => Item(s, "policy-ratio").ValueOrigin == ScoredValueOrigin.Declared);
        var ratio = Item(declared, "policy-ratio");
        Assert.Equal(("68", "38.86", "医保结算系统2020年度统计"), (ratio.Actual, ratio.Score, ratio.DeclaredSource)); // 40 × 68 ÷ 70
        Assert.Equal(("待定", "38.86"), (declared.Grade, declared.UnverifiedPoints));
        Assert.Equal(["burden-relief"], declared.IncompleteItemCodes);

        // The assessor's judgment completes it.
        var judged = await cluster.Scoring.SubmitAssessmentAsync(new SubmitAssessmentRequest
        {
            RequestId = NewId(), Evaluation = key, IndicatorCode = "burden-relief", Band = QualitativeBand.Achieved, Score = "16",
            Description = "全年无因待遇问题引起的上访", Author = "测试县医疗保障局",
        }, deadline: Deadline());
        Assert.Equal(("94.86", "优"), (judged.Total, judged.Grade)); // 40 + 38.86 + 16

        // A computed value cannot be refused; the declared one can, scoring 0 beside it, and the refusal can be withdrawn.
        var notDeclared = await Assert.ThrowsAsync<RpcException>(() => cluster.Scoring.RefuseDeclaredValueAsync(new RefuseDeclaredValueRequest
        {
            RequestId = NewId(), Evaluation = key, IndicatorCode = "income-rate", Reason = "x", Author = "测试县财政局",
        }, deadline: Deadline()).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, notDeclared.StatusCode);
        Assert.Equal("NOT_A_DECLARED_VALUE", notDeclared.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason);

        var refused = await cluster.Scoring.RefuseDeclaredValueAsync(new RefuseDeclaredValueRequest
        {
            RequestId = NewId(), Evaluation = key, IndicatorCode = "policy-ratio", Reason = "无结算系统统计表佐证", Author = "测试县财政局",
        }, deadline: Deadline());
        Assert.Equal(("56.00", "差"), (refused.Total, refused.Grade));
        var afterRefusal = await cluster.Scoring.GetScorecardAsync(new GetScorecardRequest { Evaluation = key }, deadline: Deadline());
        var refusedItem = Item(afterRefusal, "policy-ratio");
        Assert.Equal(("0.00", "68", "无结算系统统计表佐证", "测试县财政局"), (refusedItem.Score, refusedItem.Actual, refusedItem.RefusalReason, refusedItem.RefusedBy));
        Assert.Equal("0.00", afterRefusal.UnverifiedPoints);

        var withdrawn = await cluster.Scoring.RefuseDeclaredValueAsync(new RefuseDeclaredValueRequest
        {
            RequestId = NewId(), Evaluation = key, IndicatorCode = "policy-ratio", Reason = "补充了结算系统统计表", Author = "测试县财政局", Withdraw = true,
        }, deadline: Deadline());
        Assert.Equal(("94.86", "优"), (withdrawn.Total, withdrawn.Grade));
        var final = await reports.WaitForEventAsync<ReportPublished>(r => r.Evaluation.Equals(key) && r.ScorecardVersion >= withdrawn.ScorecardVersion, Patience);
        Assert.False(final.Message.Draft);
    }

    [Fact(DisplayName = "A statistic the county's table declares for itself is observed and computed like a built-in one")]
    public async Task ATablesOwnMetricIsObservedAndComputed()
    {
        var key = new EvaluationKey { RegionCode = "340600", SubjectCode = $"own-metric-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}", FiscalYear = 2023 };
        await cluster.Ledger.CreateEvaluationSubjectAsync(new CreateEvaluationSubjectRequest
        {
            RequestId = NewId(), RegionCode = key.RegionCode, SubjectCode = key.SubjectCode, Kind = SubjectKind.ResidentFund, Name = "淮北市城乡居民医保补助资金",
        }, deadline: Deadline());
        // Refused before the table declares it.
        var observation = new Observation
        {
            RegionCode = key.RegionCode, SubjectCode = key.SubjectCode, FiscalYear = key.FiscalYear, Metric = "special-insured-persons", Value = "1200", Unit = "人",
        };
        var unknown = await Assert.ThrowsAsync<RpcException>(() => cluster.Indicator.RecordObservationsAsync(
            new RecordObservationsRequest { RequestId = NewId(), Observations = { observation } }, deadline: Deadline()).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, unknown.StatusCode);

        await cluster.Indicator.SetEvaluationTableAsync(new SetEvaluationTableRequest
        {
            RequestId = NewId(), Evaluation = key, Reason = "预算批复",
            FileText = """
                name: 淮北市2023年绩效目标表
                subject_kind: resident-fund
                metrics:
                  - { code: special-insured-persons, name: 特殊人群参保人数, unit: 人 }
                levels:
                  - name: 产出指标
                    children:
                      - name: 数量指标
                        indicators:
                          - { code: special-insured, name: 特殊人群参保人数, unit: 人, target: "≥1000人", weight: "100", formula: 'obs("special-insured-persons")' }
                """,
        }, deadline: Deadline());
        await cluster.Indicator.RecordObservationsAsync(new RecordObservationsRequest { RequestId = NewId(), Observations = { observation } }, deadline: Deadline());

        var card = await ScorecardAsync(key, s => s.Items.Any(i => i.IndicatorCode == "special-insured" && i.Actual.Length > 0));
        Assert.Equal(("1200", "100.00", "优"), (card.Items.Single().Actual, card.Total, card.Grade));

        // A survey result without its respondent count is accepted, and listed as a finding.
        await cluster.Indicator.RecordObservationsAsync(new RecordObservationsRequest
        {
            RequestId = NewId(),
            Observations = { new Observation { RegionCode = key.RegionCode, SubjectCode = key.SubjectCode, FiscalYear = key.FiscalYear, Metric = "satisfaction", Value = "96", Unit = "%" } },
        }, deadline: Deadline());
        var findings = await cluster.Indicator.GetFindingsAsync(new GetFindingsRequest { Evaluation = key }, deadline: Deadline());
        Assert.Contains(findings.Findings, f => f.Kind == Contracts.Indicator.V1.FindingKind.SurveyWithoutRespondents && f.ComputedValue == "96");
    }

    async Task<GetScorecardResponse> ScorecardAsync(EvaluationKey key, Func<GetScorecardResponse, bool> done) =>
        await Poll.UntilAsync($"the scorecard of {key}", Patience,
            async _ => await cluster.Scoring.GetScorecardAsync(new GetScorecardRequest { Evaluation = key }, deadline: Deadline()),
            done, notYet: e => e is RpcException { StatusCode: StatusCode.NotFound });

    static ScoredItem Item(GetScorecardResponse card, string code) => card.Items.Single(i => i.IndicatorCode == code);

    static string NewId() => Guid.NewGuid().ToString();

    static DateTime Deadline() => DateTime.UtcNow.AddSeconds(30);
}
