using PerfEval.Contracts.Events.V1;
using System.Security.Cryptography;
using Grpc.Core;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Contracts.Reporting.V1;
using PerfEval.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace PerfEval.EndToEnd.Tests;

/// <summary>
/// The walking skeleton's evaluation and steps: a Jiashi 2020 resident fund scored on the one-item
/// "skeleton" system, its income budget, and the year's income posted in four quarters. Shared by the
/// tests on the common cluster and the durability tests on a cluster of their own.
/// </summary>
public abstract class WalkingSkeletonScenario(PerfEvalCluster cluster, ITestOutputHelper output)
{
    protected const string Region = Jiashi2020.RegionCode;
    protected const int FiscalYear = Jiashi2020.FiscalYear;
    protected const string SubjectName = Jiashi2020.ResidentFundName;
    protected const string BankAccount = "1002";   // 收入户存款
    protected const string IncomeAccount = "4001"; // 基本医疗保险费收入

    protected static readonly long BudgetFen = Jiashi2020.Fen(Jiashi2020.IncomeBudgetWanYuan);
    /// <summary>Posted as four equal quarters.</summary>
    protected static readonly long ActualFen = Jiashi2020.Fen(Jiashi2020.IncomeActualWanYuan);
    protected static readonly long QuarterFen = ActualFen / 4;

    protected static readonly TimeSpan ChainTimeout = TimeSpan.FromSeconds(60);
    static readonly string[] QuarterEnds = ["2020-03-31", "2020-06-30", "2020-09-30", "2020-12-31"];

    protected PerfEvalCluster Cluster { get; } = cluster;
    protected ITestOutputHelper Output { get; } = output;

    protected async Task CreateSubjectAsync(EvaluationKey evaluation)
    {
        var response = await Cluster.Ledger.CreateEvaluationSubjectAsync(new CreateEvaluationSubjectRequest
        {
            RequestId = NewId(),
            RegionCode = evaluation.RegionCode,
            SubjectCode = evaluation.SubjectCode,
            Kind = SubjectKind.ResidentFund,
            Name = SubjectName,
        }, deadline: Deadline());
        Assert.Equal(evaluation.SubjectCode, response.Subject.SubjectCode);

        // The walking skeleton is scored on the one-item "skeleton" system, not the subject kind's full built-in one.
        var bound = await Cluster.Indicator.BindEvaluationSystemAsync(new BindEvaluationSystemRequest
        {
            RequestId = NewId(),
            Evaluation = evaluation,
            SystemCode = "skeleton",
        }, deadline: Deadline());
        Assert.Equal("skeleton", bound.System.SystemCode);
    }

    protected async Task SetBudgetAsync(EvaluationKey evaluation) =>
        await Cluster.Ledger.SetBudgetAsync(new SetBudgetRequest
        {
            RequestId = NewId(),
            Evaluation = evaluation,
            AccountCode = IncomeAccount,
            BudgetFen = BudgetFen,
            Reason = "年初预算",
        }, deadline: Deadline());

    protected async Task<byte[]> DownloadAsync(EvaluationKey evaluation, long version, ReportFileFormat format)
    {
        using var call = Cluster.Reporting.DownloadReport(new DownloadReportRequest
        {
            Evaluation = evaluation,
            ReportVersion = version,
            Format = format,
        }, deadline: Deadline());
        using var buffer = new MemoryStream();
        await foreach (var chunk in call.ResponseStream.ReadAllAsync())
        {
            if (chunk.ReportVersion != 0)
                Assert.Equal(version, chunk.ReportVersion);
            chunk.Chunk.WriteTo(buffer);
        }
        return buffer.ToArray();
    }

    protected static List<JournalEntry> QuarterlyIncome() =>
        QuarterEnds.Select((date, i) => Income(NewId(), date, QuarterFen, $"基本医疗保险费收入 第{i + 1}季度")).ToList();

    /// <summary>借 1002 收入户存款 / 贷 4001 基本医疗保险费收入.</summary>
    protected static JournalEntry Income(string id, string date, long fen, string memo) => new()
    {
        EntryId = id,
        PostingDate = date,
        Memo = memo,
        Lines =
        {
            new JournalLine { AccountCode = BankAccount, Side = Side.Debit, AmountFen = fen },
            new JournalLine { AccountCode = IncomeAccount, Side = Side.Credit, AmountFen = fen },
        },
    };

    protected static PostEntriesRequest Batch(EvaluationKey evaluation, IEnumerable<JournalEntry> entries)
    {
        var request = new PostEntriesRequest { Evaluation = evaluation.Clone() };
        request.Entries.AddRange(entries);
        return request;
    }

    /// <summary>An account with no postings may be absent from the balances: it counts as zero.</summary>
    protected static long ActualOf(GetBalancesResponse balances, string account) =>
        balances.Balances.FirstOrDefault(b => b.AccountCode == account)?.ActualFen ?? 0;

    protected static EvaluationKey NewEvaluation() => new() { RegionCode = Region, SubjectCode = NewSubjectCode(), FiscalYear = FiscalYear };

    protected static string KeyText(EvaluationKey key) => $"{key.RegionCode}/{key.SubjectCode}/{key.FiscalYear}";

    protected static string NewSubjectCode() => $"resident-fund-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";

    protected static string NewId() => Guid.NewGuid().ToString();

    protected static DateTime Deadline() => DateTime.UtcNow.AddSeconds(30);

    /// <summary>Runs a test body; on failure the services' log tails go to the test output and into the message.</summary>
    protected Task WithDiagnosticsAsync(Func<Task> body) => Cluster.WithDiagnosticsAsync(Output, body);
}
