using PerfEval.Contracts.Ledger.V1;

namespace PerfEval.Ledger.Domain;

/// <summary>One recorded transfer document (转移支付文件): what kind, from which level, for how much.</summary>
public sealed record TransferDocumentAmount(TransferDocumentKind Kind, FundingLevel Level, string DocumentNumber, long AmountFen);

/// <summary>Transfer-fund arithmetic: documents add up per funding level; what arrived is allocated less clawed back.</summary>
public static class TransferFunds
{
    /// <summary>The totals of every level that has a document, from the central level down.</summary>
    public static List<TransferTotals> Totals(IEnumerable<TransferDocumentAmount> documents) =>
        documents.GroupBy(d => d.Level).OrderBy(g => g.Key).Select(g => Totals(g.Key, g.ToList())).ToList();

    static TransferTotals Totals(FundingLevel level, List<TransferDocumentAmount> documents)
    {
        long Sum(TransferDocumentKind kind) => documents.Where(d => d.Kind == kind).Aggregate(0L, (sum, d) => checked(sum + d.AmountFen));
        // A receipt is only stated when one was recorded: no receipt is "not recorded", not "0 received".
        var receipts = documents.Any(d => d.Kind == TransferDocumentKind.Receipt) ? Sum(TransferDocumentKind.Receipt) : (long?)null;
        return new TransferTotals(level, Sum(TransferDocumentKind.Allocation), Sum(TransferDocumentKind.Clawback), receipts,
            Sum(TransferDocumentKind.MatchingDue), Sum(TransferDocumentKind.MatchingReceived),
            documents.Select(d => d.DocumentNumber).Where(n => n.Length > 0).Distinct().ToList());
    }

    /// <summary>实际到账 = 下达 − 清算退库.</summary>
    public static long ReceivedFen(TransferTotals totals) => checked(totals.AllocatedFen - totals.ClawbackFen);
}
