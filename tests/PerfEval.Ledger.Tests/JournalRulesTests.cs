using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Ledger.Domain;

namespace PerfEval.Ledger.Tests;

public class JournalRulesTests
{
    static readonly IReadOnlySet<string> Chart = new HashSet<string> { "1002", "4001", "5001" };

    static JournalEntry Entry(string id, long debit, long credit, string creditAccount = "4001", string date = "2020-03-31") => new()
    {
        EntryId = id,
        PostingDate = date,
        Lines =
        {
            new JournalLine { AccountCode = "1002", Side = Side.Debit, AmountFen = debit },
            new JournalLine { AccountCode = creditAccount, Side = Side.Credit, AmountFen = credit },
        },
    };

    static PostEntriesRequest Batch(params JournalEntry[] entries) => new()
    {
        Evaluation = new EvaluationKey { RegionCode = "653129", SubjectCode = "resident-fund", FiscalYear = 2020 },
        Entries = { entries },
    };

    static IEnumerable<string> Fields(PostEntriesRequest request) => JournalRules.Validate(request, Chart).Items.Select(v => v.Field);

    [Fact]
    public void A_balanced_income_entry_is_valid() =>
        Assert.Empty(Fields(Batch(Entry("q1", 9_538_657_500, 9_538_657_500))));

    [Fact]
    public void An_unbalanced_entry_is_named_with_both_totals()
    {
        var violation = Assert.Single(JournalRules.Validate(Batch(Entry("ok", 5, 5), Entry("bad", 100, 90)), Chart).Items);
        Assert.Equal("entries[1]", violation.Field);
        Assert.Contains("100", violation.Description);
        Assert.Contains("90", violation.Description);
    }

    [Fact]
    public void An_unknown_account_names_the_line() =>
        Assert.Equal(["entries[0].lines[1].account_code"], Fields(Batch(Entry("x", 5, 5, creditAccount: "9999"))));

    [Theory]
    [InlineData(0)]
    [InlineData(-100)]
    public void A_non_positive_amount_is_refused(long amount) =>
        Assert.Contains("entries[0].lines[0].amount_fen", Fields(Batch(Entry("x", amount, 100))));

    [Fact]
    public void A_posting_date_outside_the_fiscal_year_is_refused() =>
        Assert.Equal(["entries[0].posting_date"], Fields(Batch(Entry("x", 5, 5, date: "2021-01-01"))));

    [Fact]
    public void The_same_id_twice_in_one_batch_is_refused() =>
        Assert.Equal(["entries[1].entry_id"], Fields(Batch(Entry("x", 5, 5), Entry("x", 5, 5))));

    [Fact]
    public void An_entry_needs_two_lines()
    {
        var entry = Entry("x", 5, 5);
        entry.Lines.RemoveAt(1);
        Assert.Contains("entries[0].lines", Fields(Batch(entry)));
    }

    [Fact]
    public void A_bad_region_code_is_named() =>
        Assert.Contains("evaluation.region_code", Fields(new PostEntriesRequest
        {
            Evaluation = new EvaluationKey { RegionCode = "65312", SubjectCode = "resident-fund", FiscalYear = 2020 },
            Entries = { Entry("x", 5, 5) },
        }));

    [Fact]
    public void Every_bad_field_is_reported_at_once() =>
        Assert.Equal(3, Fields(Batch(Entry("", -1, 5, creditAccount: "9999"))).Count());

    [Fact]
    public void The_content_hash_tells_a_replay_from_a_conflict()
    {
        Assert.Equal(JournalRules.ContentHash(Entry("x", 5, 5)), JournalRules.ContentHash(Entry("x", 5, 5)));
        Assert.NotEqual(JournalRules.ContentHash(Entry("x", 5, 5)), JournalRules.ContentHash(Entry("x", 6, 6)));
    }
}
