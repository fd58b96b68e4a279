using System.Globalization;
using System.Security.Cryptography;
using Google.Rpc;
using Grpc.Core;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.EndToEnd.Tests.Infrastructure;
using static PerfEval.Testing.Jiashi2020;
using Xunit.Abstractions;

namespace PerfEval.EndToEnd.Tests;

/// <summary>
/// The fund ledger over the real service and PostgreSQL: DOMAIN.md §8's worked figures come out of
/// GetFundMetrics, §7's contradictions out of GetReconciliationFindings, and the journal's rules
/// (reversal, closed years, streaming ingest) hold. Every test has subjects of its own.
/// </summary>
[Collection(PerfEvalClusterCollection.Name)]
public sealed class LedgerFundTests(PerfEvalCluster cluster, ITestOutputHelper output)
{

    static decimal R(string value) => Math.Round(decimal.Parse(value, CultureInfo.InvariantCulture), 2, MidpointRounding.AwayFromZero);

    static string Unique(string prefix) => $"{prefix}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";

    static DateTime Deadline() => DateTime.UtcNow.AddSeconds(30);

    /// <summary>The ledger as seen by a caller whose token names it and the region it may act for.</summary>
    LedgerService.LedgerServiceClient LedgerAs(string subject, string region) =>
        new(cluster.Channel(cluster.LedgerProcess, cluster.Token(subject, region)));

    LedgerService.LedgerServiceClient Ledger => cluster.Ledger;

    async Task<EvaluationKey> SubjectAsync(string region, string prefix, SubjectKind kind, int year)
    {
        var code = Unique(prefix);
        await Ledger.CreateEvaluationSubjectAsync(new CreateEvaluationSubjectRequest
        {
            RequestId = Guid.NewGuid().ToString(), RegionCode = region, SubjectCode = code, Kind = kind, Name = $"{region} {prefix}",
        }, deadline: Deadline());
        return new EvaluationKey { RegionCode = region, SubjectCode = code, FiscalYear = year };
    }

    static JournalEntry Entry(string date, string debit, string credit, long fen, string? id = null) => new()
    {
        EntryId = id ?? Guid.NewGuid().ToString(),
        PostingDate = date,
        Lines =
        {
            new JournalLine { AccountCode = debit, Side = Side.Debit, AmountFen = fen },
            new JournalLine { AccountCode = credit, Side = Side.Credit, AmountFen = fen },
        },
    };

    async Task<PostEntriesResponse> PostAsync(EvaluationKey key, params JournalEntry[] entries) =>
        await Ledger.PostEntriesAsync(new PostEntriesRequest { Evaluation = key, Entries = { entries } }, deadline: Deadline());

    async Task BudgetAsync(EvaluationKey key, string account, decimal wanYuan, BudgetKind kind = BudgetKind.Final) =>
        await Ledger.SetBudgetAsync(new SetBudgetRequest
        {
            RequestId = Guid.NewGuid().ToString(), Evaluation = key, AccountCode = account, BudgetFen = Fen(wanYuan), Kind = kind,
        }, deadline: Deadline());

    static EvaluationKey Year(EvaluationKey key, int year) => new(key) { FiscalYear = year };

    [Fact(DisplayName = "Jiashi 2020: both funds' metrics and the summary table's wrong-scope ratios")]
    public Task Jiashi2020() => WithDiagnosticsAsync(async () =>
    {
        var resident = await SubjectAsync("653129", "resident-fund", SubjectKind.ResidentFund, 2020);
        var employee = await SubjectAsync("653129", "employee-fund", SubjectKind.EmployeeFund, 2020);

        await BudgetAsync(resident, "4001", 36026.78m);
        await BudgetAsync(resident, "5001", 20000m, BudgetKind.Initial);
        var budgeted = await Ledger.SetBudgetAsync(new SetBudgetRequest
        {
            RequestId = Guid.NewGuid().ToString(), Evaluation = resident, AccountCode = "5001", BudgetFen = Fen(22087.64m),
            Kind = BudgetKind.Adjustment, Reason = "追加预算",
        }, deadline: Deadline());
        await BudgetAsync(employee, "4001", 12675.87m);
        await BudgetAsync(employee, "5001", 6261.09m);

        await PostAsync(Year(resident, 2019), Entry("2019-12-31", "1002", "4001", Fen(34586.52m)), Entry("2019-12-31", "5001", "1003", Fen(15823.75m)));
        await PostAsync(Year(employee, 2019), Entry("2019-12-31", "1002", "4001", Fen(12718.32m)), Entry("2019-12-31", "5001", "1003", Fen(28095.71m)));
        await PostAsync(resident,
            Entry("2020-01-01", "1002", "3001", Fen(29014.61m)),
            Entry("2020-12-31", "1002", "4001", Fen(38154.63m)),
            Entry("2020-12-31", "5001", "1003", Fen(21040.11m)),
            Entry("2020-12-31", "5004", "1003", Fen(45310.34m)));
        await PostAsync(employee,
            Entry("2020-01-01", "1002", "3001", Fen(20140.95m)),
            Entry("2020-12-31", "1002", "4001", Fen(12718.32m)),
            Entry("2020-12-31", "5001", "1003", Fen(5527.57m)),
            Entry("2020-12-31", "5004", "1003", Fen(22563.34m)),
            Entry("2020-12-31", "5005", "1003", Fen(4.80m)));

        var own = await Ledger.GetFundMetricsAsync(new GetFundMetricsRequest { Evaluation = resident }, deadline: Deadline());
        var rows = own.Accounts.ToDictionary(a => a.AccountCode);
        Assert.Equal(105.91m, R(own.Summary.IncomeBudgetExecutionRate));
        Assert.Equal(Fen(3568.11m), rows["4"].YearOverYearChangeFen);
        Assert.Equal(10.32m, R(rows["4"].YearOverYearGrowth));
        Assert.Equal(95.26m, R(own.Summary.ExpenditureBudgetExecutionRate));
        Assert.Equal(Fen(45310.34m), own.Summary.UnbudgetedExpenditureFen);
        Assert.Equal(Fen(818.79m), own.Summary.AccumulatedBalanceFen);
        Assert.Equal(Fen(20000m), rows["5001"].InitialBudgetFen);
        Assert.Equal(Fen(22087.64m), rows["5001"].BudgetFen);
        var history = await Ledger.ListBudgetChangesAsync(new ListBudgetChangesRequest { Evaluation = resident, AccountCode = "5001" }, deadline: Deadline());
        Assert.Equal([BudgetKind.Initial, BudgetKind.Adjustment], history.Changes.Select(c => c.Kind));
        Assert.Equal([Fen(20000m), Fen(22087.64m)], history.Changes.Select(c => c.BudgetFen));

        var both = await Ledger.GetFundMetricsAsync(new GetFundMetricsRequest { Evaluation = resident, ConsolidateSubjectCodes = { employee.SubjectCode } },
            deadline: Deadline());
        Assert.Equal(Fen(50872.95m), both.Summary.IncomeFen);
        Assert.Equal(104.46m, R(both.Summary.IncomeBudgetExecutionRate));
        Assert.Equal(93.72m, R(both.Summary.ExpenditureBudgetExecutionRate));
        Assert.Equal(Fen(-43573.21m), both.Summary.PeriodSurplusFen);
        Assert.Equal(Fen(5582.35m), both.Summary.AccumulatedBalanceFen);

        // As of the version right after the 调整 budget nothing was posted to 2020 yet.
        var early = await Ledger.GetFundMetricsAsync(new GetFundMetricsRequest { Evaluation = resident, AsOfLedgerVersion = budgeted.LedgerVersion },
            deadline: Deadline());
        Assert.Equal(0, early.Summary.IncomeFen);
        Assert.Equal(Fen(22087.64m), early.Accounts.Single(a => a.AccountCode == "5001").BudgetFen);

        await Ledger.FileDeclaredFiguresAsync(new FileDeclaredFiguresRequest
        {
            Evaluation = resident,
            Figures =
            {
                new DeclaredFigure { FigureId = "summary.expenditure.rate", Label = "支出 执行预算%", Measure = FigureMeasure.BudgetExecutionRate, AccountCode = "5", Value = "300.39" },
                new DeclaredFigure { FigureId = "summary.both.expenditure.rate", Label = "合计 支出 执行预算%", Measure = FigureMeasure.BudgetExecutionRate, AccountCode = "5",
                    Value = "333.16", ConsolidateSubjectCodes = { employee.SubjectCode } },
            },
        }, deadline: Deadline());
        var findings = (await Ledger.GetReconciliationFindingsAsync(new GetReconciliationFindingsRequest { Evaluation = resident }, deadline: Deadline())).Findings;
        var scope = findings.Where(f => f.Kind == FindingKind.RatioOverWrongScope).ToDictionary(f => f.FigureIds.Single());
        Assert.Equal(95.26m, R(scope["summary.expenditure.rate"].Compared));
        Assert.Equal("300.39", scope["summary.expenditure.rate"].Declared);
        Assert.Equal(93.72m, R(scope["summary.both.expenditure.rate"].Compared));
        Assert.Equal(239.44m, R(scope["summary.both.expenditure.rate"].Difference));
        var unbudgeted = Assert.Single(findings, f => f.Kind == FindingKind.UnbudgetedSpending);
        Assert.Equal("5004", unbudgeted.AccountCode);
        Assert.Equal(Fen(45310.34m).ToString(CultureInfo.InvariantCulture), unbudgeted.Declared);
    });

    [Fact(DisplayName = "Huaibei 2023: shares, months, transfers and the report's contradictions")]
    public Task Huaibei2023() => WithDiagnosticsAsync(async () =>
    {
        var fund = await SubjectAsync("340600", "resident-fund", SubjectKind.ResidentFund, 2023);
        await PostAsync(fund,
            Entry("2023-01-01", "1002", "3001", Fen(76827.00m)),
            Entry("2023-12-31", "1002", "4002", Fen(98205.10m)),
            Entry("2023-12-31", "1002", "4004", Fen(850.53m)),
            Entry("2023-12-31", "1002", "4001", Fen(51582.29m)),
            Entry("2023-12-31", "1002", "4009", Fen(405.22m)),
            Entry("2023-12-31", "5001", "1003", Fen(134265.27m)),
            Entry("2023-12-31", "5009", "1003", Fen(148104.56m) - Fen(134265.27m)));
        async Task Transfer(TransferDocumentKind kind, FundingLevel level, decimal wanYuan, string document) =>
            await Ledger.RecordTransferDocumentAsync(new RecordTransferDocumentRequest
            {
                RequestId = Guid.NewGuid().ToString(), Evaluation = fund, Kind = kind, Level = level, AmountFen = Fen(wanYuan),
                DocumentNumber = document, DocumentDate = "2023-06-30",
            }, deadline: Deadline());
        await Transfer(TransferDocumentKind.Allocation, FundingLevel.Central, 58278m, "皖财社〔2022〕1388号");
        await Transfer(TransferDocumentKind.Clawback, FundingLevel.Central, 707m, "皖财社〔2023〕100号");
        await Transfer(TransferDocumentKind.Allocation, FundingLevel.Provincial, 29288m, "皖财社〔2022〕1389号");
        await Transfer(TransferDocumentKind.Clawback, FundingLevel.Provincial, 807m, "皖财社〔2023〕101号");
        await Transfer(TransferDocumentKind.MatchingDue, FundingLevel.Municipal, 9321.77m, "");
        await Transfer(TransferDocumentKind.MatchingReceived, FundingLevel.Municipal, 9322.70m, "");

        var metrics = await Ledger.GetFundMetricsAsync(new GetFundMetricsRequest { Evaluation = fund }, deadline: Deadline());
        var rows = metrics.Accounts.ToDictionary(a => a.AccountCode);
        Assert.Equal(Fen(151043.14m), metrics.Summary.IncomeFen);
        Assert.Equal([65.02m, 0.56m, 34.15m, 0.27m], new[] { "4002", "4004", "4001", "4009" }.Select(c => R(rows[c].Share)));
        Assert.Equal(Fen(79765.58m), metrics.Summary.AccumulatedBalanceFen);
        Assert.Equal(6.46m, R(metrics.Summary.MonthsOfPaymentCovered));
        var transfers = metrics.Transfers.ToDictionary(t => t.Level);
        Assert.Equal(Fen(57571m), transfers[FundingLevel.Central].ReceivedFen);
        Assert.Equal(Fen(28481m), transfers[FundingLevel.Provincial].ReceivedFen);
        Assert.Equal(Fen(9321.77m), transfers[FundingLevel.Municipal].MatchingDueFen);
        Assert.Equal(Fen(9322.70m), transfers[FundingLevel.Municipal].MatchingReceivedFen);

        DeclaredFigure Money(string id, FigureMeasure measure, string account, decimal wanYuan, string total = "") => new()
        {
            FigureId = id, Measure = measure, AccountCode = account, AmountFen = Fen(wanYuan), PrecisionFen = 10_000, TotalFigureId = total,
        };
        var filing = new FileDeclaredFiguresRequest
        {
            Evaluation = fund,
            Figures =
            {
                Money("income", FigureMeasure.Actual, "4", 150959.39m),
                Money("subsidy", FigureMeasure.Actual, "4002", 98205.10m, "income"),
                Money("interest", FigureMeasure.Actual, "4004", 850.53m, "income"),
                Money("premiums", FigureMeasure.Actual, "4001", 51582.29m, "income"),
                Money("other", FigureMeasure.Actual, "4009", 405.22m, "income"),
                Money("expenditure", FigureMeasure.Actual, "5", 148104.56m),
                Money("balance", FigureMeasure.PeriodSurplus, "", -4244.90m),
                Money("income-text", FigureMeasure.Actual, "4", 143859.66m),
                new DeclaredFigure { FigureId = "months", Measure = FigureMeasure.MonthsOfPaymentCovered, Value = "6.4" },
            },
        };
        Assert.Equal(9, (await Ledger.FileDeclaredFiguresAsync(filing, deadline: Deadline())).Stored);
        Assert.Equal(0, (await Ledger.FileDeclaredFiguresAsync(filing, deadline: Deadline())).Stored);
        var changed = filing.Clone();
        changed.Figures[0].AmountFen++;
        var conflict = await Assert.ThrowsAsync<RpcException>(() => Ledger.FileDeclaredFiguresAsync(changed, deadline: Deadline()).ResponseAsync);
        Assert.Equal(StatusCode.AlreadyExists, conflict.StatusCode);

        var findings = (await Ledger.GetReconciliationFindingsAsync(new GetReconciliationFindingsRequest { Evaluation = fund }, deadline: Deadline())).Findings;
        long Difference(FindingKind kind, string figure) =>
            long.Parse(findings.Single(f => f.Kind == kind && f.FigureIds.Contains(figure)).Difference, CultureInfo.InvariantCulture);
        Assert.Equal(Fen(83.75m), Difference(FindingKind.PartsDoNotSum, "income"));
        Assert.Equal(Fen(-83.75m), Difference(FindingKind.DiffersFromLedger, "income"));
        Assert.Equal(Fen(-7099.73m), findings.Where(f => f.Kind == FindingKind.BalanceContradicts).Select(f => long.Parse(f.Difference)).Single());
        Assert.Equal(Fen(7099.73m), Difference(FindingKind.ConflictingDeclarations, "income-text"));
        Assert.DoesNotContain(findings, f => f.FigureIds.Contains("months"));
    });

    [Fact(DisplayName = "The journal: reversal, caller, closed years carry the balance, bad input refused whole")]
    public Task Journal() => WithDiagnosticsAsync(async () =>
    {
        var fund = await SubjectAsync("653129", "resident-fund", SubjectKind.ResidentFund, 2021);
        var wrong = Entry("2021-03-31", "1002", "4001", 500_00, "journal-wrong-" + fund.SubjectCode);
        await PostAsync(fund, wrong, Entry("2021-03-31", "5001", "1003", 200_00));

        var reversed = await LedgerAs("province-650000", "650000").ReverseEntryAsync(new ReverseEntryRequest
        {
            Evaluation = fund, ReversalEntryId = "rev-" + fund.SubjectCode, ReversedEntryId = wrong.EntryId, PostingDate = "2021-04-01", Memo = "冲销错账",
        }, deadline: Deadline());
        Assert.Equal(wrong.EntryId, reversed.Reversal.ReversesEntryId);
        Assert.Equal("province-650000", reversed.Reversal.Caller);
        Assert.Equal(Side.Credit, reversed.Reversal.Lines[0].Side);
        var twice = await Assert.ThrowsAsync<RpcException>(() => Ledger.ReverseEntryAsync(new ReverseEntryRequest
        {
            Evaluation = fund, ReversalEntryId = "rev2-" + fund.SubjectCode, ReversedEntryId = wrong.EntryId, PostingDate = "2021-04-01",
        }, deadline: Deadline()).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, twice.StatusCode);

        await PostAsync(fund, Entry("2021-06-30", "1002", "4001", 1000_00));
        var closed = await Ledger.CloseYearAsync(new CloseYearRequest { Evaluation = fund }, deadline: Deadline());
        Assert.Equal(800_00, closed.CarriedBalanceFen);
        var refused = await Assert.ThrowsAsync<RpcException>(() => PostAsync(fund, Entry("2021-07-01", "1002", "4001", 1)));
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Equal(closed.LedgerVersion, (await Ledger.CloseYearAsync(new CloseYearRequest { Evaluation = fund }, deadline: Deadline())).LedgerVersion);

        var next = await Ledger.GetFundMetricsAsync(new GetFundMetricsRequest { Evaluation = Year(fund, 2022) }, deadline: Deadline());
        Assert.Equal(800_00, next.Summary.OpeningBalanceFen);
        Assert.Equal(800_00, next.Summary.AccumulatedBalanceFen);
        var last = await Ledger.GetFundMetricsAsync(new GetFundMetricsRequest { Evaluation = fund }, deadline: Deadline());
        Assert.True(last.Summary.YearClosed);
        Assert.Equal(800_00, last.Summary.AccumulatedBalanceFen);

        // An account outside the chart of the subject's kind (a department-budget account) is refused by field.
        var outside = await Assert.ThrowsAsync<RpcException>(() => PostAsync(Year(fund, 2022), Entry("2022-01-05", "510101", "1003", 1)));
        Assert.Equal(StatusCode.InvalidArgument, outside.StatusCode);
        Assert.Equal("entries[0].lines[0].account_code", Violations(outside).Single());
    });

    [Fact(DisplayName = "Streaming ingest acknowledges each committed chunk and refuses a bad one whole")]
    public Task Streaming() => WithDiagnosticsAsync(async () =>
    {
        var fund = await SubjectAsync("653129", "resident-fund", SubjectKind.ResidentFund, 2022);
        using var call = Ledger.StreamPostEntries(deadline: Deadline());
        var acks = new List<StreamPostEntriesResponse>();
        for (var chunk = 0; chunk < 3; chunk++)
        {
            var batch = new PostEntriesRequest { Evaluation = fund };
            for (var i = 0; i < 100; i++)
                batch.Entries.Add(Entry("2022-05-01", "1002", "4001", 1_00, $"{fund.SubjectCode}-{chunk}-{i}"));
            await call.RequestStream.WriteAsync(new StreamPostEntriesRequest { Sequence = chunk, Batch = batch });
        }
        var bad = new PostEntriesRequest { Evaluation = fund, Entries = { Entry("2022-05-01", "1002", "4001", 1_00, $"{fund.SubjectCode}-bad-0") } };
        bad.Entries.Add(Entry("2022-05-01", "1002", "4001", -5, $"{fund.SubjectCode}-bad-1"));
        await call.RequestStream.WriteAsync(new StreamPostEntriesRequest { Sequence = 3, Batch = bad });
        await call.RequestStream.CompleteAsync();
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var ack in call.ResponseStream.ReadAllAsync())
                acks.Add(ack);
        });
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("chunks[3].entries[1].lines[0].amount_fen", Violations(error));
        Assert.Equal([0L, 1L, 2L], acks.Select(a => a.Sequence));
        Assert.All(acks, a => Assert.Equal(100, a.Stored));

        var balances = await Ledger.GetBalancesAsync(new GetBalancesRequest { Evaluation = fund }, deadline: Deadline());
        Assert.Equal(300_00, balances.Balances.Single(b => b.AccountCode == "4001").ActualFen);
        Assert.Equal(acks[^1].LedgerVersion, balances.LedgerVersion);
    });

    [Fact(DisplayName = "Streaming ingest: a full chunk sent again replays, partly new stores the rest, changed content is refused whole")]
    public Task StreamingReplay() => WithDiagnosticsAsync(async () =>
    {
        // Chunks above 50 entries are written optimistically by COPY behind a savepoint; these
        // exercise the fall back to the careful path when the journal already holds some entries.
        var fund = await SubjectAsync("653129", "resident-fund", SubjectKind.ResidentFund, 2022);
        JournalEntry Numbered(int i, long amountFen = 1_00) => Entry("2022-05-01", "1002", "4001", amountFen, $"{fund.SubjectCode}-r-{i}");
        async Task<StreamPostEntriesResponse> StreamAsync(IEnumerable<JournalEntry> entries)
        {
            using var call = Ledger.StreamPostEntries(deadline: Deadline());
            await call.RequestStream.WriteAsync(new StreamPostEntriesRequest { Sequence = 0, Batch = new PostEntriesRequest { Evaluation = fund, Entries = { entries } } });
            await call.RequestStream.CompleteAsync();
            var acks = new List<StreamPostEntriesResponse>();
            await foreach (var ack in call.ResponseStream.ReadAllAsync())
                acks.Add(ack);
            return acks.Single();
        }

        // Full-size chunks (5,000 entries), so the refused COPY is one of several network buffers.
        var first = await StreamAsync(Enumerable.Range(0, 5_000).Select(i => Numbered(i)));
        Assert.Equal((5_000, 0), (first.Stored, first.Replayed));

        var again = await StreamAsync(Enumerable.Range(0, 5_000).Select(i => Numbered(i)));
        Assert.Equal((0, 5_000, first.LedgerVersion), (again.Stored, again.Replayed, again.LedgerVersion));

        var mixed = await StreamAsync(Enumerable.Range(4_000, 2_000).Select(i => Numbered(i)));
        Assert.Equal((1_000, 1_000, first.LedgerVersion + 1), (mixed.Stored, mixed.Replayed, mixed.LedgerVersion));

        var changed = Enumerable.Range(10_000, 80).Select(i => Numbered(i)).Append(Numbered(5, 2_00)).ToList();
        var conflict = await Assert.ThrowsAsync<RpcException>(() => StreamAsync(changed));
        Assert.Equal(StatusCode.AlreadyExists, conflict.StatusCode);

        var balances = await Ledger.GetBalancesAsync(new GetBalancesRequest { Evaluation = fund }, deadline: Deadline());
        Assert.Equal(6_000_00, balances.Balances.Single(b => b.AccountCode == "4001").ActualFen);
        Assert.Equal(mixed.LedgerVersion, balances.LedgerVersion);
        // The balance history written beside the optimistic COPY answers for the earlier version.
        var atFirst = await Ledger.GetFundMetricsAsync(new GetFundMetricsRequest { Evaluation = fund, AsOfLedgerVersion = first.LedgerVersion },
            deadline: Deadline());
        Assert.Equal(first.LedgerVersion, atFirst.LedgerVersion);
        Assert.Equal(5_000_00, atFirst.Accounts.Single(a => a.AccountCode == "4001").ActualFen);
    });

    [Fact(DisplayName = "Reference data: the region tree, charts per kind, a provincial sub-account")]
    public Task ReferenceData() => WithDiagnosticsAsync(async () =>
    {
        var cities = await Ledger.ListRegionsAsync(new ListRegionsRequest { ParentCode = "650000" }, deadline: Deadline());
        Assert.Contains(cities.Regions, r => r.Code == "653100" && r.Level == 2);
        var provinces = await Ledger.ListRegionsAsync(new ListRegionsRequest { PageSize = 1 }, deadline: Deadline());
        Assert.Single(provinces.Regions);
        Assert.NotEmpty(provinces.NextPageToken);

        // Pages of 7 are walked to the end: the whole chart, each account once, in code order.
        var resident = await AllAccountsAsync(new ListAccountsRequest { Kind = SubjectKind.ResidentFund, PageSize = 7 });
        var onePage = await Ledger.ListAccountsAsync(new ListAccountsRequest { Kind = SubjectKind.ResidentFund, PageSize = 1000 }, deadline: Deadline());
        Assert.Empty(onePage.NextPageToken);
        Assert.Equal(onePage.Accounts.Select(a => a.Code), resident.Select(a => a.Code));
        Assert.True(resident.Count > 7);
        Assert.Contains(resident, a => a.Code == "500105" && a.ParentCode == "5001");
        Assert.DoesNotContain(resident, a => a.Code == "510101");
        var department = await AllAccountsAsync(new ListAccountsRequest { Kind = SubjectKind.DepartmentBudget });
        Assert.Contains(department, a => a.Code == "510101");

        // 安徽 adds a sub-account under 财政补贴收入; only its regions see it and can post to it.
        var code = "4002" + RandomNumberGenerator.GetInt32(10, 100).ToString(CultureInfo.InvariantCulture);
        var added = await Ledger.AddAccountAsync(new AddAccountRequest
        {
            RequestId = Unique("add-account"), ProvinceCode = "340000", AccountCode = code, ParentCode = "4002", Name = "困难群众资助参保补贴收入",
        }, deadline: Deadline());
        Assert.Equal(AccountClass.Income, added.Account.AccountClass);
        var anhui = await AllAccountsAsync(new ListAccountsRequest { Kind = SubjectKind.ResidentFund, RegionCode = "340600" });
        Assert.Contains(anhui, a => a.Code == code && a.ProvinceCode == "340000");
        var xinjiang = await AllAccountsAsync(new ListAccountsRequest { Kind = SubjectKind.ResidentFund, RegionCode = "653129" });
        Assert.DoesNotContain(xinjiang, a => a.Code == code);

        var huaibei = await SubjectAsync("340600", "resident-fund", SubjectKind.ResidentFund, 2024);
        await PostAsync(huaibei, Entry("2024-02-01", "1002", code, 100_00));
        var metrics = await Ledger.GetFundMetricsAsync(new GetFundMetricsRequest { Evaluation = huaibei }, deadline: Deadline());
        Assert.Equal(100_00, metrics.Accounts.Single(a => a.AccountCode == "4002").ActualFen);
        var jiashi = await SubjectAsync("653129", "resident-fund", SubjectKind.ResidentFund, 2024);
        var refused = await Assert.ThrowsAsync<RpcException>(() => PostAsync(jiashi, Entry("2024-02-01", "1002", code, 100_00)));
        Assert.Equal("entries[0].lines[1].account_code", Violations(refused).Single());

        var badShape = await Assert.ThrowsAsync<RpcException>(() => Ledger.AddAccountAsync(new AddAccountRequest
        {
            RequestId = Unique("add-account"), ProvinceCode = "340600", AccountCode = "40021", ParentCode = "4002", Name = "x",
        }, deadline: Deadline()).ResponseAsync);
        Assert.Equal(["province_code", "account_code"], Violations(badShape));

        var badToken = await Assert.ThrowsAsync<RpcException>(() => Ledger.ListAccountsAsync(
            new ListAccountsRequest { Kind = SubjectKind.ResidentFund, PageToken = "not a token!" }, deadline: Deadline()).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, badToken.StatusCode);
        Assert.Equal(["page_token"], Violations(badToken));
    });

    /// <summary>Every account of a chart, following next_page_token to the last page.</summary>
    async Task<List<Account>> AllAccountsAsync(ListAccountsRequest request)
    {
        var accounts = new List<Account>();
        do
        {
            var page = await Ledger.ListAccountsAsync(request, deadline: Deadline());
            accounts.AddRange(page.Accounts);
            request = request.Clone();
            request.PageToken = page.NextPageToken;
        } while (request.PageToken.Length > 0);
        return accounts;
    }

    static IEnumerable<string> Violations(RpcException ex) =>
        ex.GetRpcStatus()?.GetDetail<BadRequest>()?.FieldViolations.Select(v => v.Field) ?? [];

    Task WithDiagnosticsAsync(Func<Task> body) => cluster.WithDiagnosticsAsync(output, body);
}
