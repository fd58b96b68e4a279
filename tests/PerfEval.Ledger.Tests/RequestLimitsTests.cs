using PerfEval.Hosting.Requests;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Ledger.Api;
using PerfEval.Ledger.Domain;
using PerfEval.SharedKernel.Errors;

namespace PerfEval.Ledger.Tests;

/// <summary>Values range-checked at the door (issue 14): nothing the ledger accepts may fail later as an UNKNOWN.</summary>
public class RequestLimitsTests
{
    static readonly IReadOnlySet<string> Chart = new HashSet<string> { "1002", "4001" };
    static readonly EvaluationKey Key = new() { RegionCode = "653129", SubjectCode = "resident-fund", FiscalYear = 2020 };

    static JournalEntry Entry(string id, long fen, string memo = "", string account = "4001") => new()
    {
        EntryId = id,
        PostingDate = "2020-03-31",
        Memo = memo,
        Lines =
        {
            new JournalLine { AccountCode = "1002", Side = Side.Debit, AmountFen = fen },
            new JournalLine { AccountCode = account, Side = Side.Credit, AmountFen = fen },
        },
    };

    static IReadOnlyList<FieldViolation> Violations(params JournalEntry[] entries) =>
        JournalRules.Validate(new PostEntriesRequest { Evaluation = Key, Entries = { entries } }, Chart).Items;

    [Fact]
    public void An_amount_of_ten_trillion_yuan_is_the_most_a_line_may_carry()
    {
        Assert.Empty(Violations(Entry("max", Amounts.MaxFen)));
        Assert.Equal(["entries[0].lines[0].amount_fen", "entries[0].lines[1].amount_fen"],
            Violations(Entry("huge", Amounts.MaxFen + 1)).Select(v => v.Field));
    }

    [Fact]
    public void Two_balanced_entries_of_5e18_fen_are_refused_before_the_balances_overflow()
    {
        var fields = Violations(Entry("a", 5_000_000_000_000_000_000), Entry("b", 5_000_000_000_000_000_000)).Select(v => v.Field).ToList();

        Assert.Contains("entries[0].lines[0].amount_fen", fields);
        Assert.Contains("entries[1].lines[0].amount_fen", fields);
    }

    [Fact]
    public void A_batch_whose_debits_add_up_beyond_the_batch_limit_is_refused_as_a_whole()
    {
        var entries = Enumerable.Range(0, 1001).Select(i => Entry($"e{i}", Amounts.MaxFen)).ToArray();

        var violation = Assert.Single(Violations(entries));

        Assert.Equal("entries", violation.Field);
        Assert.Contains("entries[1000]", violation.Description);
    }

    [Fact]
    public void A_nul_character_in_a_journal_string_is_refused_by_its_field()
    {
        var fields = Violations(Entry("q1\0", 5), Entry("q2", 5, memo: "一季度\0"), Entry("q3", 5, account: "4001\0")).Select(v => v.Field);

        Assert.Equal(["entries[0].entry_id", "entries[1].memo", "entries[2].lines[1].account_code"], fields);
    }

    [Fact]
    public void A_nul_character_anywhere_in_a_request_is_refused_with_its_path()
    {
        var request = new FileDeclaredFiguresRequest
        {
            Evaluation = Key,
            Figures =
            {
                new DeclaredFigure { FigureId = "ok", Label = "基金收入", Measure = FigureMeasure.Actual, AccountCode = "4" },
                new DeclaredFigure { FigureId = "bad", Label = "基金\0支出", Source = "\0", Measure = FigureMeasure.Actual, AccountCode = "5" },
            },
        };

        var refused = Assert.Throws<InvalidRequestException>(() => NulCharacters.ThrowIfAny(request));

        Assert.Equal(["figures[1].label", "figures[1].source"], refused.Violations.Select(v => v.Field));
        Assert.All(refused.Violations, v => Assert.Equal(NulCharacters.Rule, v.Description));
        NulCharacters.ThrowIfAny(new SetBudgetRequest { Evaluation = Key, AccountCode = "4001", Reason = "年初预算" });
    }

    static FileDeclaredFiguresRequest Figures(params DeclaredFigure[] figures) => new() { Evaluation = Key, Figures = { figures } };

    [Theory]
    [InlineData("300.39")]
    [InlineData("-6.4")]
    [InlineData("999999999999999.999999")]
    [InlineData("0000000000000000001.5")]
    public void A_declared_value_within_fifteen_digits_and_six_decimals_is_accepted(string value) =>
        Assert.Empty(RequestRules.Validate(Figures(new DeclaredFigure { FigureId = "m", Measure = FigureMeasure.MonthsOfPaymentCovered, Value = value })).Items);

    [Theory]
    [InlineData("0.0000000000000000000000000001")]
    [InlineData("1000000000000000")]
    [InlineData("-79228162514264337593543950335")]
    public void A_declared_value_too_precise_or_too_large_is_refused_by_its_field(string value) =>
        Assert.Equal("figures[0].value",
            Assert.Single(RequestRules.Validate(Figures(new DeclaredFigure { FigureId = "m", Measure = FigureMeasure.MonthsOfPaymentCovered, Value = value })).Items).Field);

    [Fact]
    public void Declared_money_transfer_amounts_and_budgets_beyond_ten_trillion_yuan_are_refused()
    {
        var figure = new DeclaredFigure { FigureId = "i", Measure = FigureMeasure.Actual, AccountCode = "4", AmountFen = -Amounts.MaxFen - 1, PrecisionFen = long.MaxValue };
        Assert.Equal(["figures[0].amount_fen", "figures[0].precision_fen"], RequestRules.Validate(Figures(figure)).Items.Select(v => v.Field));

        var transfer = new RecordTransferDocumentRequest
        {
            RequestId = Guid.NewGuid().ToString(), Evaluation = Key, Kind = TransferDocumentKind.Receipt, Level = FundingLevel.Central,
            AmountFen = long.MaxValue, DocumentDate = "2020-05-01",
        };
        Assert.Equal("amount_fen", Assert.Single(RequestRules.Validate(transfer).Items).Field);

        var budget = new SetBudgetRequest { RequestId = Guid.NewGuid().ToString(), Evaluation = Key, AccountCode = "4001", BudgetFen = Amounts.MaxFen + 1 };
        Assert.Equal("budget_fen", Assert.Single(SubjectRules.Validate(budget, Chart).Items).Field);
    }
}
