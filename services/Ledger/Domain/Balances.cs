using PerfEval.Contracts.Ledger.V1;

namespace PerfEval.Ledger.Domain;

/// <summary>Which way an account's balance counts: the journal keeps debits and credits apart, reports read one signed figure.</summary>
public static class Balances
{
    /// <summary>
    /// The balance on the account's normal side: debits less credits for a debit-normal account
    /// (assets, expenditure), credits less debits for a credit-normal one (liabilities, net assets,
    /// income). Positive means the account holds what its kind normally holds.
    /// </summary>
    public static long Signed(Side normalSide, long debitFen, long creditFen) =>
        normalSide == Side.Debit ? checked(debitFen - creditFen) : checked(creditFen - debitFen);
}
