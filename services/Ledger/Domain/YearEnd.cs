using PerfEval.Contracts.Ledger.V1;

namespace PerfEval.Ledger.Domain;

/// <summary>One account's year-end totals, as the balances of the closing year hold them.</summary>
public sealed record ClosingBalance(string AccountCode, AccountClass Class, long DebitFen, long CreditFen);

/// <summary>
/// What closing a year carries into the next: the lines of next year's opening entry and the
/// accumulated balance (累计结余) carried into 基金结余.
/// </summary>
public sealed record YearEndClose(IReadOnlyList<JournalLine> OpeningLines, long CarriedBalanceFen)
{
    /// <summary>An opening entry needs two lines to balance; a year with nothing to carry posts none.</summary>
    public bool HasOpeningEntry => OpeningLines.Count >= 2;
}

/// <summary>
/// Year-end close (年终结转). Balance-sheet accounts (assets, liabilities) roll into the next year as
/// they stand; income, expenditure and net assets do not roll one by one: their net, income less
/// expenditure plus the balance brought forward, becomes next year's 基金结余 (<see cref="FundMetrics.FundBalanceAccount"/>).
/// </summary>
public static class YearEnd
{
    public static YearEndClose Close(IEnumerable<ClosingBalance> balances)
    {
        var lines = new List<JournalLine>();
        long carried = 0;
        foreach (var balance in balances.OrderBy(b => b.AccountCode, StringComparer.Ordinal))
        {
            var net = checked(balance.DebitFen - balance.CreditFen);
            if (net == 0)
                continue;
            if (Rolls(balance.Class))
                lines.Add(Line(balance.AccountCode, net));
            else
                carried = checked(carried - net); // credit-normal net assets and income add, expenditure subtracts
        }
        if (carried != 0)
            lines.Add(Line(FundMetrics.FundBalanceAccount, checked(-carried)));
        return new YearEndClose(lines, carried);
    }

    /// <summary>Whether an account of this class rolls into the next year on its own line.</summary>
    public static bool Rolls(AccountClass accountClass) => accountClass is AccountClass.Asset or AccountClass.Liability;

    /// <summary>The opening entry's id: one per closed evaluation, so closing again finds it.</summary>
    public static string OpeningEntryId(string closedEvaluationKey) => $"close:{closedEvaluationKey}";

    /// <summary>Next year's opening entry, dated 1 January.</summary>
    public static JournalEntry OpeningEntry(int closedFiscalYear, string entryId, YearEndClose close) => new()
    {
        EntryId = entryId,
        PostingDate = $"{closedFiscalYear + 1:D4}-01-01",
        DocumentNumber = "",
        Memo = $"结转{closedFiscalYear}年累计结余",
        Lines = { close.OpeningLines },
    };

    /// <summary>A debit net (debits above credits) opens on the debit side, a credit net on the credit side.</summary>
    static JournalLine Line(string accountCode, long netDebitFen) => new()
    {
        AccountCode = accountCode,
        Side = netDebitFen > 0 ? Side.Debit : Side.Credit,
        AmountFen = Math.Abs(netDebitFen),
    };
}
