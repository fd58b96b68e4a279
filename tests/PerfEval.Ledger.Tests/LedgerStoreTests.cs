using Npgsql;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Ledger.Application;
using PerfEval.Ledger.Storage;
using PerfEval.SharedKernel.Errors;
using PerfEval.Testing;

namespace PerfEval.Ledger.Tests;

/// <summary>
/// The ledger's stores and use cases against the real PostgreSQL (deploy/local/infra.sh), on a test
/// database migrated by the service's own scripts. Every test works on a subject of its own.
/// </summary>
public sealed class LedgerStoreTests : IAsyncLifetime
{
    const string Caller = "store-test";
    NpgsqlDataSource _dataSource = null!;
    Journal _journal = null!;
    Budgets _budgets = null!;
    YearClosing _yearClosing = null!;
    DeclaredFigures _declaredFigures = null!;
    FundFigures _fundFigures = null!;
    ReferenceData _referenceData = null!;

    public async Task InitializeAsync()
    {
        _dataSource = await MigratedDatabases.SharedAsync("ledger", typeof(JournalStore).Assembly, "perfeval_ledger_tests");
        var changes = new LedgerChanges(new LedgerOptions());
        var journal = new JournalStore(_dataSource, changes);
        _journal = new Journal(journal);
        _budgets = new Budgets(new BudgetStore(_dataSource), journal, changes);
        _yearClosing = new YearClosing(journal, changes);
        _declaredFigures = new DeclaredFigures(journal);
        _fundFigures = new FundFigures(_dataSource);
        _referenceData = new ReferenceData(new ReferenceDataStore(_dataSource), journal);
    }

    public async Task DisposeAsync() => await _dataSource.DisposeAsync();

    /// <summary>A resident fund of its own in 伽师县 (seeded by the first migration).</summary>
    async Task<EvaluationKey> NewFundAsync(int fiscalYear = 2020)
    {
        var code = $"st-{Guid.NewGuid():N}"[..20];
        await _referenceData.CreateSubjectAsync(new CreateEvaluationSubjectRequest
        {
            RequestId = Guid.NewGuid().ToString(), RegionCode = "653129", SubjectCode = code, Kind = SubjectKind.ResidentFund, Name = "伽师县城乡居民医保基金",
        }, CancellationToken.None);
        return new EvaluationKey { RegionCode = "653129", SubjectCode = code, FiscalYear = fiscalYear };
    }

    static string NewId(string what) => $"{what}-{Guid.NewGuid():N}";

    static JournalEntry Entry(string id, string date, string debit, string credit, long fen) => new()
    {
        EntryId = id,
        PostingDate = date,
        Lines =
        {
            new JournalLine { AccountCode = debit, Side = Side.Debit, AmountFen = fen },
            new JournalLine { AccountCode = credit, Side = Side.Credit, AmountFen = fen },
        },
    };

    Task<PostEntriesResponse> PostAsync(EvaluationKey key, params JournalEntry[] entries) =>
        _journal.PostAsync(new PostEntriesRequest { Evaluation = key, Entries = { entries } }, Caller, "", null, CancellationToken.None);

    async Task<Dictionary<string, long>> ActualsAsync(EvaluationKey key) =>
        (await _journal.BalancesAsync(key, CancellationToken.None)).Balances.ToDictionary(b => b.AccountCode, b => b.ActualFen);

    [Fact]
    public async Task Posted_entries_move_the_balances_once_and_a_replay_answers_the_first_result()
    {
        var key = await NewFundAsync();
        var income = Entry(NewId("income"), "2020-03-31", "1002", "400101", 9_538_657_500);
        var spending = Entry(NewId("spending"), "2020-06-30", "500101", "1002", 1_000_000);

        var first = await PostAsync(key, income, spending);
        var replay = await PostAsync(key, income, spending);

        Assert.Equal(1, first.LedgerVersion);
        Assert.All(first.Results, r => Assert.False(r.Replayed));
        Assert.Equal(1, replay.LedgerVersion);
        Assert.All(replay.Results, r => Assert.True(r.Replayed));
        var actuals = await ActualsAsync(key);
        Assert.Equal(9_537_657_500, actuals["1002"]); // debit-normal: debits less credits
        Assert.Equal(9_538_657_500, actuals["400101"]); // credit-normal: credits less debits
        Assert.Equal(1_000_000, actuals["500101"]);
        Assert.Equal(1, (await _journal.BalancesAsync(key, CancellationToken.None)).LedgerVersion);
    }

    [Fact]
    public async Task An_entry_id_posted_again_with_other_content_is_a_conflict_on_that_entry_and_stores_nothing()
    {
        var key = await NewFundAsync();
        var id = NewId("income");
        await PostAsync(key, Entry(id, "2020-03-31", "1002", "400101", 100));

        var conflict = await Assert.ThrowsAsync<ConflictException>(() =>
            PostAsync(key, Entry(NewId("other"), "2020-04-30", "1002", "400101", 5), Entry(id, "2020-03-31", "1002", "400101", 101)));

        Assert.Equal("entries[1].entry_id", conflict.Field);
        Assert.Equal("ALREADY_EXISTS", conflict.Reason);
        Assert.Equal(100, (await ActualsAsync(key))["400101"]);
    }

    [Fact]
    public async Task An_account_outside_the_subjects_chart_is_refused_by_its_line()
    {
        var key = await NewFundAsync();

        // 5101 is in the employee fund's chart only.
        var invalid = await Assert.ThrowsAsync<InvalidRequestException>(() => PostAsync(key, Entry(NewId("spending"), "2020-03-31", "5101", "1002", 100)));

        Assert.Equal("entries[0].lines[0].account_code", Assert.Single(invalid.Violations).Field);
    }

    [Theory]
    [InlineData("5101")]    // 基本支出: a department's account
    [InlineData("4101")]    // 财政拨款收入: a department's account
    public async Task A_budget_on_an_account_outside_the_subjects_chart_is_refused_by_account_code_and_moves_nothing(string accountCode)
    {
        var key = await NewFundAsync();
        var request = new SetBudgetRequest { RequestId = Guid.NewGuid().ToString(), Evaluation = key, AccountCode = accountCode, BudgetFen = 100_00, Reason = "年初预算" };

        var invalid = await Assert.ThrowsAsync<InvalidRequestException>(() => _budgets.SetAsync(request, Caller, CancellationToken.None));

        Assert.Equal("account_code", Assert.Single(invalid.Violations).Field);
        Assert.Empty((await _budgets.ChangesAsync(new ListBudgetChangesRequest { Evaluation = key }, CancellationToken.None)).Changes);
        var accepted = await _budgets.SetAsync(new SetBudgetRequest(request) { RequestId = Guid.NewGuid().ToString(), AccountCode = "500101" }, Caller, CancellationToken.None);
        Assert.Equal(1L, accepted.LedgerVersion);
    }

    [Fact]
    public async Task A_subject_that_was_never_created_is_not_found_as_an_evaluation()
    {
        var key = new EvaluationKey { RegionCode = "653129", SubjectCode = $"st-{Guid.NewGuid():N}"[..20], FiscalYear = 2020 };

        var notFound = await Assert.ThrowsAsync<NotFoundException>(() => PostAsync(key, Entry(NewId("income"), "2020-03-31", "1002", "400101", 1)));

        Assert.Equal(NotFoundException.EvaluationNotFound, notFound.Reason);
    }

    [Fact]
    public async Task Budget_steps_are_kept_in_order_and_the_latest_full_year_line_is_what_the_metrics_divide_by()
    {
        var key = await NewFundAsync();
        await PostAsync(key, Entry(NewId("spending"), "2020-05-31", "500101", "1002", 90_00));
        var initial = new SetBudgetRequest
        {
            RequestId = Guid.NewGuid().ToString(), Evaluation = key, AccountCode = "500101", BudgetFen = 100_00, Kind = BudgetKind.Initial,
            Reason = "年初预算", DocumentNumber = "伽财社〔2020〕1号",
        };
        var first = await _budgets.SetAsync(initial, Caller, CancellationToken.None);
        var adjusted = await _budgets.SetAsync(new SetBudgetRequest(initial) { RequestId = Guid.NewGuid().ToString(), BudgetFen = 120_00, Kind = BudgetKind.Unspecified, Reason = "调整" },
            Caller, CancellationToken.None);
        var replayed = await _budgets.SetAsync(initial, Caller, CancellationToken.None);

        Assert.Equal((2L, 3L, 2L), (first.LedgerVersion, adjusted.LedgerVersion, replayed.LedgerVersion));
        var history = await _budgets.ChangesAsync(new ListBudgetChangesRequest { Evaluation = key }, CancellationToken.None);
        Assert.Equal([(BudgetKind.Initial, 100_00L, 2L), (BudgetKind.Final, 120_00L, 3L)],
            history.Changes.Select(c => (c.Kind, c.BudgetFen, c.LedgerVersion)));
        Assert.Equal(Caller, history.Changes[0].Caller);

        var metrics = await _fundFigures.MetricsAsync(new GetFundMetricsRequest { Evaluation = key }, CancellationToken.None);
        var row = metrics.Accounts.Single(a => a.AccountCode == "500101");
        Assert.Equal((120_00L, 100_00L, "75"), (row.BudgetFen, row.InitialBudgetFen, PerfEval.Ledger.Domain.FundMetrics.Round2(row.BudgetExecutionRate).ToString("0.##")));
    }

    [Fact]
    public async Task Declared_figures_are_stored_once_and_a_figure_filed_again_with_other_content_is_a_conflict()
    {
        var key = await NewFundAsync();
        await PostAsync(key, Entry(NewId("income"), "2020-03-31", "1002", "400101", 300_39_00));
        var figure = new DeclaredFigure { FigureId = "income-total", Label = "基金收入", Measure = FigureMeasure.Actual, AccountCode = "4", AmountFen = 300_39_00 };
        var filing = new FileDeclaredFiguresRequest { Evaluation = key, Figures = { figure } };

        Assert.Equal(1, (await _declaredFigures.FileAsync(filing, Caller, CancellationToken.None)).Stored);
        Assert.Equal(0, (await _declaredFigures.FileAsync(filing, Caller, CancellationToken.None)).Stored);
        var changed = new FileDeclaredFiguresRequest { Evaluation = key, Figures = { new DeclaredFigure(figure) { AmountFen = 300_40_00 } } };
        Assert.Equal("figures[0].figure_id",
            (await Assert.ThrowsAsync<ConflictException>(() => _declaredFigures.FileAsync(changed, Caller, CancellationToken.None))).Field);
        var unknownAccount = new FileDeclaredFiguresRequest { Evaluation = key, Figures = { new DeclaredFigure(figure) { FigureId = "x", AccountCode = "9999" } } };
        Assert.Equal("figures[0].account_code",
            Assert.Single((await Assert.ThrowsAsync<InvalidRequestException>(() => _declaredFigures.FileAsync(unknownAccount, Caller, CancellationToken.None))).Violations).Field);

        var findings = await _fundFigures.ReconciliationFindingsAsync(key, CancellationToken.None);
        Assert.Equal(1, findings.LedgerVersion);
        Assert.DoesNotContain(findings.Findings, f => f.FigureIds.Contains("income-total"));
    }

    [Fact]
    public async Task A_reversal_posts_the_mirror_and_an_entry_is_reversed_only_once()
    {
        var key = await NewFundAsync();
        var original = Entry(NewId("income"), "2020-03-31", "1002", "400101", 700);
        await PostAsync(key, original, Entry(NewId("income"), "2020-04-30", "1002", "400102", 50));
        var reverse = new ReverseEntryRequest { Evaluation = key, ReversedEntryId = original.EntryId, ReversalEntryId = NewId("reversal"), PostingDate = "2020-04-02" };

        var reversed = await _journal.ReverseAsync(reverse, Caller, CancellationToken.None);
        var again = await _journal.ReverseAsync(reverse, Caller, CancellationToken.None);

        Assert.Equal((2L, false), (reversed.LedgerVersion, reversed.Replayed));
        Assert.Equal((2L, true), (again.LedgerVersion, again.Replayed));
        Assert.Equal(original.EntryId, reversed.Reversal.ReversesEntryId);
        Assert.Equal($"冲销 {original.EntryId}", reversed.Reversal.Memo);
        Assert.Equal([Side.Credit, Side.Debit], reversed.Reversal.Lines.Select(l => l.Side));
        var actuals = await ActualsAsync(key);
        Assert.Equal((50L, 0L, 50L), (actuals["1002"], actuals["400101"], actuals["400102"]));

        var twice = await Assert.ThrowsAsync<PreconditionFailedException>(() =>
            _journal.ReverseAsync(new ReverseEntryRequest(reverse) { ReversalEntryId = NewId("reversal") }, Caller, CancellationToken.None));
        Assert.Equal("ALREADY_REVERSED", twice.Reason);
        await Assert.ThrowsAsync<NotFoundException>(() =>
            _journal.ReverseAsync(new ReverseEntryRequest(reverse) { ReversedEntryId = NewId("nothing") }, Caller, CancellationToken.None));
    }

    [Fact]
    public async Task Closing_a_year_opens_the_next_with_the_bank_balance_and_the_accumulated_fund_balance_and_shuts_the_closed_year()
    {
        var key = await NewFundAsync();
        await PostAsync(key, Entry(NewId("income"), "2020-03-31", "1002", "400101", 1_000), Entry(NewId("spending"), "2020-06-30", "500101", "1002", 600));

        var close = await _yearClosing.CloseAsync(key, Caller, CancellationToken.None);
        var again = await _yearClosing.CloseAsync(key, Caller, CancellationToken.None);

        Assert.Equal(400, close.CarriedBalanceFen);
        Assert.Equal(2, close.LedgerVersion);
        Assert.Equal(1, close.NextYearLedgerVersion);
        Assert.Equal($"close:653129/{key.SubjectCode}/2020", close.OpeningEntryId);
        Assert.Equal(close, again);
        var next = new EvaluationKey(key) { FiscalYear = 2021 };
        var opening = await ActualsAsync(next);
        Assert.Equal((400L, 400L), (opening["1002"], opening["3001"]));
        Assert.False(opening.ContainsKey("400101")); // income does not roll on its own line

        var closed = await Assert.ThrowsAsync<PreconditionFailedException>(() => PostAsync(key, Entry(NewId("late"), "2020-12-31", "1002", "400101", 1)));
        Assert.Equal("YEAR_CLOSED", closed.Reason);
        Assert.True((await _fundFigures.MetricsAsync(new GetFundMetricsRequest { Evaluation = key }, CancellationToken.None)).Summary.YearClosed);
    }
}
