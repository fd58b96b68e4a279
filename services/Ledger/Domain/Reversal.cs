using PerfEval.Contracts.Ledger.V1;

namespace PerfEval.Ledger.Domain;

/// <summary>
/// A posted entry is never changed: it is undone by a new entry (冲销) with the same lines on the
/// opposite sides, so the journal keeps both and the balances return to where they were.
/// </summary>
public static class Reversal
{
    /// <summary>The entry that reverses <paramref name="original"/>; without a memo it says what it reverses.</summary>
    public static JournalEntry Of(JournalEntry original, string reversalEntryId, string postingDate, string documentNumber, string memo) => new()
    {
        EntryId = reversalEntryId,
        PostingDate = postingDate,
        DocumentNumber = documentNumber,
        Memo = memo.Length > 0 ? memo : DefaultMemo(original.EntryId),
        Lines = { original.Lines.Select(Mirror) },
    };

    /// <summary>The same account and amount on the other side.</summary>
    public static JournalLine Mirror(JournalLine line) => new()
    {
        AccountCode = line.AccountCode,
        Side = line.Side == Side.Debit ? Side.Credit : Side.Debit,
        AmountFen = line.AmountFen,
    };

    public static string DefaultMemo(string reversedEntryId) => $"冲销 {reversedEntryId}";
}
