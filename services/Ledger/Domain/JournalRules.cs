using System.Globalization;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.SharedKernel.Errors;
using PerfEval.Hosting.Evaluations;

namespace PerfEval.Ledger.Domain;

/// <summary>
/// What a batch of journal entries must satisfy before anything of it is stored. Pure: the chart
/// of accounts is passed in, every violation is collected with its field path.
/// </summary>
public static class JournalRules
{
    public const int MaxEntriesPerBatch = 10_000;
    public const int MaxIdLength = 128;
    public const int MaxDocumentNumberLength = 200;
    public const int MaxMemoLength = 500;

    public static FieldViolations Validate(PostEntriesRequest request, IReadOnlySet<string> accountCodes)
    {
        var violations = new FieldViolations();
        EvaluationKeys.Validate(request.Evaluation, "evaluation", violations);
        var fiscalYear = request.Evaluation?.FiscalYear ?? 0;

        if (request.Entries.Count == 0)
            violations.Add("entries", "at least one entry is required");
        if (request.Entries.Count > MaxEntriesPerBatch)
            violations.Add("entries", $"at most {MaxEntriesPerBatch} entries per batch; use the streaming RPC for more");

        var seenIds = new HashSet<string>(StringComparer.Ordinal);
        long batchDebits = 0;
        for (var i = 0; i < request.Entries.Count; i++)
        {
            var debits = ValidateEntry(request.Entries[i], i, fiscalYear, accountCodes, seenIds, violations);
            // The balances add a whole batch at once: its total must stay far from 64-bit overflow.
            if (batchDebits <= Amounts.MaxBatchTotalFen)
            {
                batchDebits = debits > Amounts.MaxBatchTotalFen - batchDebits ? long.MaxValue : batchDebits + debits;
                if (batchDebits > Amounts.MaxBatchTotalFen)
                    violations.Add("entries", $"the batch's debits exceed {Amounts.MaxBatchTotalFen} fen from entries[{i}] on; split it");
            }
        }
        return violations;
    }

    /// <summary>PostgreSQL cannot store NUL in text: refused here, by field, rather than failing the transaction.</summary>
    public const string NulRule = "must not contain the NUL character (\\0)";

    /// <returns>The entry's debit total, 0 when its amounts are invalid.</returns>
    static long ValidateEntry(JournalEntry entry, int index, int fiscalYear, IReadOnlySet<string> accountCodes,
        HashSet<string> seenIds, FieldViolations violations)
    {
        // Paths are only formatted for a violation: a valid 10,000-entry batch allocates none.
        var path = new EntryPath(index);
        if (entry.EntryId.Length is 0 or > MaxIdLength)
            violations.Add($"{path}.entry_id", $"must be 1 to {MaxIdLength} characters");
        else if (entry.EntryId.Contains('\0'))
            violations.Add($"{path}.entry_id", NulRule);
        else if (!seenIds.Add(entry.EntryId))
            violations.Add($"{path}.entry_id", "appears twice in the batch");

        if (!IsoDates.TryParse(entry.PostingDate, out var date))
            violations.Add($"{path}.posting_date", "must be a date written YYYY-MM-DD");
        else if (date.Year != fiscalYear)
            violations.Add($"{path}.posting_date", $"{entry.PostingDate} is outside fiscal year {fiscalYear}");

        if (entry.DocumentNumber.Length > MaxDocumentNumberLength)
            violations.Add($"{path}.document_number", $"at most {MaxDocumentNumberLength} characters");
        else if (entry.DocumentNumber.Contains('\0'))
            violations.Add($"{path}.document_number", NulRule);
        if (entry.Memo.Length > MaxMemoLength)
            violations.Add($"{path}.memo", $"at most {MaxMemoLength} characters");
        else if (entry.Memo.Contains('\0'))
            violations.Add($"{path}.memo", NulRule);

        if (entry.Lines.Count < 2)
            violations.Add($"{path}.lines", "a journal entry needs at least two lines");

        long debits = 0, credits = 0;
        var amountsValid = true;
        for (var j = 0; j < entry.Lines.Count; j++)
        {
            var line = entry.Lines[j];
            var linePath = new LinePath(index, j);
            if (line.AccountCode.Contains('\0'))
                violations.Add($"{linePath}.account_code", NulRule);
            else if (!accountCodes.Contains(line.AccountCode))
                violations.Add($"{linePath}.account_code", $"unknown account \"{line.AccountCode}\"");
            if (line.Side is not (Side.Debit or Side.Credit))
                violations.Add($"{linePath}.side", "must be SIDE_DEBIT or SIDE_CREDIT");
            if (line.AmountFen <= 0)
            {
                violations.Add($"{linePath}.amount_fen", "must be a positive amount in fen; the side gives the direction");
                amountsValid = false;
                continue;
            }
            if (Amounts.CheckFen(line.AmountFen) is { } tooLarge)
            {
                violations.Add($"{linePath}.amount_fen", tooLarge);
                amountsValid = false;
                continue;
            }
            try
            {
                checked
                {
                    if (line.Side == Side.Debit) debits += line.AmountFen;
                    else if (line.Side == Side.Credit) credits += line.AmountFen;
                }
            }
            catch (OverflowException)
            {
                violations.Add($"{linePath}.amount_fen", "the entry's total overflows 64-bit fen");
                amountsValid = false;
            }
        }

        if (amountsValid && entry.Lines.Count >= 2 && debits != credits)
            violations.Add(path.ToString(), $"unbalanced: debits {debits} fen ≠ credits {credits} fen (difference {debits - credits} fen)");
        return amountsValid ? debits : 0;
    }

    readonly record struct EntryPath(int Index)
    {
        public override string ToString() => $"entries[{Index}]";
    }

    readonly record struct LinePath(int Index, int Line)
    {
        public override string ToString() => $"entries[{Index}].lines[{Line}]";
    }

    /// <summary>The entry's content fingerprint: same id and same fingerprint is a replay.</summary>
    public static byte[] ContentHash(JournalEntry entry)
    {
        // caller and reverses_entry_id are set by the ledger, not by the content a client sends.
        if (entry.Caller.Length > 0 || entry.ReversesEntryId.Length > 0)
            entry = new JournalEntry(entry) { Caller = "", ReversesEntryId = "" };
        // Same bytes as hashing ToByteArray(), without the per-entry array: ingest hashes every entry.
        var size = entry.CalculateSize();
        if (size > 1024)
            return System.Security.Cryptography.SHA256.HashData(Google.Protobuf.MessageExtensions.ToByteArray(entry));
        Span<byte> buffer = stackalloc byte[size];
        Google.Protobuf.MessageExtensions.WriteTo(entry, buffer);
        return System.Security.Cryptography.SHA256.HashData(buffer);
    }

    /// <summary>The content hashes of a batch, in entry order.</summary>
    public static byte[][] ContentHashes(PostEntriesRequest request)
    {
        var hashes = new byte[request.Entries.Count][];
        for (var i = 0; i < hashes.Length; i++)
            hashes[i] = ContentHash(request.Entries[i]);
        return hashes;
    }
}
