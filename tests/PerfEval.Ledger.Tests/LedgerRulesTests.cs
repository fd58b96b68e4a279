using PerfEval.Contracts.Ledger.V1;
using PerfEval.Ledger.Domain;

namespace PerfEval.Ledger.Tests;

/// <summary>The ledger's arithmetic rules that used to live in the store's SQL code: balance sign, reversal, year-end close, transfer totals.</summary>
public class LedgerRulesTests
{
    static JournalLine Line(string account, Side side, long fen) => new() { AccountCode = account, Side = side, AmountFen = fen };

    [Fact]
    public void A_debit_normal_account_holds_debits_less_credits() =>
        Assert.Equal(700, Balances.Signed(Side.Debit, 1_000, 300));

    [Fact]
    public void A_credit_normal_account_holds_credits_less_debits() =>
        Assert.Equal(-700, Balances.Signed(Side.Credit, 1_000, 300));

    [Fact]
    public void A_balance_that_does_not_fit_64_bit_fen_is_an_overflow_not_a_wrong_number() =>
        Assert.Throws<OverflowException>(() => Balances.Signed(Side.Credit, long.MinValue + 1, long.MaxValue));

    [Fact]
    public void A_reversal_mirrors_every_line_and_names_what_it_reverses()
    {
        var original = new JournalEntry
        {
            EntryId = "q1", PostingDate = "2020-03-31", Memo = "一季度征缴",
            Lines = { Line("1002", Side.Debit, 500), Line("400101", Side.Credit, 300), Line("400102", Side.Credit, 200) },
        };

        var reversal = Reversal.Of(original, "q1-r", "2020-04-02", "冲字1号", "");

        Assert.Equal(("q1-r", "2020-04-02", "冲字1号", "冲销 q1"), (reversal.EntryId, reversal.PostingDate, reversal.DocumentNumber, reversal.Memo));
        Assert.Equal([Line("1002", Side.Credit, 500), Line("400101", Side.Debit, 300), Line("400102", Side.Debit, 200)], reversal.Lines);
        Assert.Equal(Side.Debit, original.Lines[0].Side); // the original is not touched
    }

    [Fact]
    public void A_reversal_keeps_the_memo_it_was_given() =>
        Assert.Equal("错记科目", Reversal.Of(new JournalEntry { EntryId = "q1" }, "q1-r", "2020-04-02", "", "错记科目").Memo);

    [Fact]
    public void Year_end_rolls_balance_sheet_accounts_and_carries_income_less_expenditure_into_the_fund_balance()
    {
        // 收入 1,000 and 支出 600 in the year, on top of 基金结余 brought forward 2,000: the bank holds 2,400.
        var close = YearEnd.Close([
            new ClosingBalance("1002", AccountClass.Asset, 3_000, 600),
            new ClosingBalance("2001", AccountClass.Liability, 0, 0),
            new ClosingBalance("3001", AccountClass.NetAsset, 0, 2_000),
            new ClosingBalance("4001", AccountClass.Income, 0, 1_000),
            new ClosingBalance("5001", AccountClass.Expenditure, 600, 0),
        ]);

        Assert.Equal(2_400, close.CarriedBalanceFen);
        Assert.Equal([Line("1002", Side.Debit, 2_400), Line("3001", Side.Credit, 2_400)], close.OpeningLines);
        Assert.True(close.HasOpeningEntry);
    }

    [Fact]
    public void A_year_that_spent_more_than_it_had_carries_a_deficit_on_the_debit_side()
    {
        var close = YearEnd.Close([
            new ClosingBalance("5001", AccountClass.Expenditure, 900, 0),
            new ClosingBalance("4001", AccountClass.Income, 0, 400),
            new ClosingBalance("2001", AccountClass.Liability, 0, 500),
        ]);

        Assert.Equal(-500, close.CarriedBalanceFen);
        Assert.Equal([Line("2001", Side.Credit, 500), Line("3001", Side.Debit, 500)], close.OpeningLines);
    }

    [Fact]
    public void A_year_with_nothing_to_carry_has_no_opening_entry()
    {
        var close = YearEnd.Close([new ClosingBalance("4001", AccountClass.Income, 700, 700)]);

        Assert.Equal(0, close.CarriedBalanceFen);
        Assert.Empty(close.OpeningLines);
        Assert.False(close.HasOpeningEntry);
    }

    [Fact]
    public void The_opening_entry_is_dated_the_first_of_january_of_the_next_year()
    {
        var close = YearEnd.Close([new ClosingBalance("1002", AccountClass.Asset, 10, 0), new ClosingBalance("4001", AccountClass.Income, 0, 10)]);

        var opening = YearEnd.OpeningEntry(2020, YearEnd.OpeningEntryId("653129/resident-fund/2020"), close);

        Assert.Equal(("close:653129/resident-fund/2020", "2021-01-01", "结转2020年累计结余"), (opening.EntryId, opening.PostingDate, opening.Memo));
        Assert.Equal(close.OpeningLines, opening.Lines);
    }

    [Fact]
    public void Transfer_documents_add_up_per_level_from_the_central_level_down()
    {
        var totals = TransferFunds.Totals([
            new TransferDocumentAmount(TransferDocumentKind.Allocation, FundingLevel.Provincial, "皖财社〔2022〕9号", 29_288_00),
            new TransferDocumentAmount(TransferDocumentKind.Allocation, FundingLevel.Central, "皖财社〔2022〕1388号", 50_000_00),
            new TransferDocumentAmount(TransferDocumentKind.Allocation, FundingLevel.Central, "皖财社〔2022〕1389号", 8_278_00),
            new TransferDocumentAmount(TransferDocumentKind.Clawback, FundingLevel.Central, "皖财社〔2022〕1388号", 707_00),
            new TransferDocumentAmount(TransferDocumentKind.MatchingDue, FundingLevel.Central, "", 100),
            new TransferDocumentAmount(TransferDocumentKind.MatchingReceived, FundingLevel.Central, "", 90),
        ]);

        Assert.Equal([FundingLevel.Central, FundingLevel.Provincial], totals.Select(t => t.Level));
        var central = totals[0];
        Assert.Equal((58_278_00L, 707_00L, 100L, 90L), (central.AllocatedFen, central.ClawbackFen, central.MatchingDueFen, central.MatchingReceivedFen));
        Assert.Equal(["皖财社〔2022〕1388号", "皖财社〔2022〕1389号"], central.DocumentNumbers);
        Assert.Equal(57_571_00, TransferFunds.ReceivedFen(central));
    }

    [Fact]
    public void A_level_without_a_recorded_receipt_states_none_rather_than_zero()
    {
        var totals = TransferFunds.Totals([
            new TransferDocumentAmount(TransferDocumentKind.Allocation, FundingLevel.Municipal, "市财〔2022〕1号", 500),
            new TransferDocumentAmount(TransferDocumentKind.Allocation, FundingLevel.County, "县财〔2022〕1号", 300),
            new TransferDocumentAmount(TransferDocumentKind.Receipt, FundingLevel.County, "", 0),
        ]);

        Assert.Null(totals.Single(t => t.Level == FundingLevel.Municipal).RecordedReceiptFen);
        Assert.Equal(0, totals.Single(t => t.Level == FundingLevel.County).RecordedReceiptFen);
    }
}
