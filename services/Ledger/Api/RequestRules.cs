using PerfEval.Hosting.Paging;
using System.Globalization;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.SharedKernel.Errors;
using PerfEval.SharedKernel.Requests;
using PerfEval.Hosting.Evaluations;
using PerfEval.Ledger.Domain;

namespace PerfEval.Ledger.Api;

/// <summary>Request validation of the ledger's newer RPCs: the wire messages field by field (pure; every violation collected, by its path).</summary>
public static class RequestRules
{
    public const int MaxFiguresPerCall = 1000;
    public const int MaxLabelLength = 200;

    public static FieldViolations Validate(GetFundMetricsRequest request)
    {
        var violations = new FieldViolations();
        EvaluationKeys.Validate(request.Evaluation, "evaluation", violations);
        if (request.AsOfLedgerVersion < 0)
            violations.Add("as_of_ledger_version", "must be 0 (latest) or a positive version");
        if (request.AsOfLedgerVersion > 0 && request.ConsolidateSubjectCodes.Count > 0)
            violations.Add("as_of_ledger_version", "versions are per evaluation: read a consolidation at the latest versions (0)");
        for (var i = 0; i < request.ConsolidateSubjectCodes.Count; i++)
            if (EvaluationKeys.CheckSubjectCode(request.ConsolidateSubjectCodes[i]) is { } bad)
                violations.Add($"consolidate_subject_codes[{i}]", bad);
        return violations;
    }

    public static FieldViolations Validate(ReverseEntryRequest request)
    {
        var violations = new FieldViolations();
        EvaluationKeys.Validate(request.Evaluation, "evaluation", violations);
        if (request.ReversalEntryId.Length is 0 or > JournalRules.MaxIdLength)
            violations.Add("reversal_entry_id", $"must be 1 to {JournalRules.MaxIdLength} characters");
        if (request.ReversedEntryId.Length is 0 or > JournalRules.MaxIdLength)
            violations.Add("reversed_entry_id", $"must be 1 to {JournalRules.MaxIdLength} characters");
        else if (request.ReversedEntryId == request.ReversalEntryId)
            violations.Add("reversal_entry_id", "must differ from reversed_entry_id");
        CheckDate(request.PostingDate, "posting_date", request.Evaluation?.FiscalYear, violations);
        if (request.Memo.Length > JournalRules.MaxMemoLength)
            violations.Add("memo", $"at most {JournalRules.MaxMemoLength} characters");
        if (request.DocumentNumber.Length > JournalRules.MaxDocumentNumberLength)
            violations.Add("document_number", $"at most {JournalRules.MaxDocumentNumberLength} characters");
        return violations;
    }

    public static FieldViolations Validate(CloseYearRequest request)
    {
        var violations = new FieldViolations();
        EvaluationKeys.Validate(request.Evaluation, "evaluation", violations);
        return violations;
    }

    public static FieldViolations Validate(RecordTransferDocumentRequest request)
    {
        var violations = new FieldViolations();
        RequestIdRule.Validate(request.RequestId, violations);
        EvaluationKeys.Validate(request.Evaluation, "evaluation", violations);
        if (request.Kind == TransferDocumentKind.Unspecified || !Enum.IsDefined(request.Kind))
            violations.Add("kind", "must name a transfer document kind");
        if (request.Level == FundingLevel.Unspecified || !Enum.IsDefined(request.Level))
            violations.Add("level", "must name a funding level (中央/省/市/县)");
        if (request.Kind is TransferDocumentKind.Allocation or TransferDocumentKind.Clawback && request.DocumentNumber.Trim().Length == 0)
            violations.Add("document_number", "an allocation or clawback needs its 文号");
        if (request.DocumentNumber.Length > JournalRules.MaxDocumentNumberLength)
            violations.Add("document_number", $"at most {JournalRules.MaxDocumentNumberLength} characters");
        if (request.AmountFen <= 0)
            violations.Add("amount_fen", "must be a positive amount in fen");
        else if (Amounts.CheckFen(request.AmountFen) is { } tooLarge)
            violations.Add("amount_fen", tooLarge);
        CheckDate(request.DocumentDate, "document_date", null, violations);
        if (request.Memo.Length > JournalRules.MaxMemoLength)
            violations.Add("memo", $"at most {JournalRules.MaxMemoLength} characters");
        return violations;
    }

    public static FieldViolations Validate(FileDeclaredFiguresRequest request)
    {
        var violations = new FieldViolations();
        EvaluationKeys.Validate(request.Evaluation, "evaluation", violations);
        if (request.Figures.Count is 0 or > MaxFiguresPerCall)
            violations.Add("figures", $"one to {MaxFiguresPerCall} figures per call");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < request.Figures.Count; i++)
        {
            var f = request.Figures[i];
            var path = $"figures[{i}]";
            if (f.FigureId.Length is 0 or > JournalRules.MaxIdLength)
                violations.Add($"{path}.figure_id", $"must be 1 to {JournalRules.MaxIdLength} characters");
            else if (!seen.Add(f.FigureId))
                violations.Add($"{path}.figure_id", "appears twice in the call");
            if (f.Measure == FigureMeasure.Unspecified || !Enum.IsDefined(f.Measure))
                violations.Add($"{path}.measure", "must name what the figure states");
            else if (Reconciliation.NeedsAccount(f.Measure) && f.AccountCode.Length == 0)
                violations.Add($"{path}.account_code", "this measure is about an account or group (\"4\" all income, \"5\" all expenditure)");
            if (Reconciliation.IsMoney(f.Measure))
            {
                if (f.Value.Length > 0)
                    violations.Add($"{path}.value", "a money figure goes in amount_fen");
                if (Amounts.CheckFen(f.AmountFen) is { } tooLarge)
                    violations.Add($"{path}.amount_fen", tooLarge);
                if (f.PrecisionFen < 0)
                    violations.Add($"{path}.precision_fen", "must be 0 (exact) or positive");
                else if (Amounts.CheckFen(f.PrecisionFen) is { } tooCoarse)
                    violations.Add($"{path}.precision_fen", tooCoarse);
            }
            else if (f.Measure != FigureMeasure.Unspecified)
            {
                if (!Reconciliation.TryParse(f.Value, out _))
                    violations.Add($"{path}.value", "must be a decimal number as written, e.g. \"300.39\"");
                else if (Amounts.CheckDecimal(f.Value) is { } tooPrecise)
                    violations.Add($"{path}.value", tooPrecise);
                if (f.TotalFigureId.Length > 0)
                    violations.Add($"{path}.total_figure_id", "only money figures are parts of a total");
            }
            if (f.TotalFigureId == f.FigureId && f.FigureId.Length > 0)
                violations.Add($"{path}.total_figure_id", "a figure cannot be a part of itself");
            if (f.Label.Length > MaxLabelLength)
                violations.Add($"{path}.label", $"at most {MaxLabelLength} characters");
            if (f.Source.Length > MaxLabelLength)
                violations.Add($"{path}.source", $"at most {MaxLabelLength} characters");
            for (var j = 0; j < f.ConsolidateSubjectCodes.Count; j++)
                if (EvaluationKeys.CheckSubjectCode(f.ConsolidateSubjectCodes[j]) is { } bad)
                    violations.Add($"{path}.consolidate_subject_codes[{j}]", bad);
        }
        return violations;
    }

    public static FieldViolations Validate(ListRegionsRequest request)
    {
        var violations = new FieldViolations();
        if (request.ParentCode.Length > 0 && RegionCodes.CheckShape(request.ParentCode) is { } bad)
            violations.Add("parent_code", bad);
        if (request.PageSize is < 0 or > 1000)
            violations.Add("page_size", "must be 0 (default 100) to 1000");
        if (request.PageToken.Length > 0 && RegionCodes.CheckShape(request.PageToken) is not null)
            violations.Add("page_token", "not a token this service issued");
        return violations;
    }

    public static FieldViolations Validate(ListAccountsRequest request)
    {
        var violations = new FieldViolations();
        if (request.Kind == SubjectKind.Unspecified || !Enum.IsDefined(request.Kind))
            violations.Add("kind", "must name a subject kind");
        if (request.RegionCode.Length > 0 && RegionCodes.CheckShape(request.RegionCode) is { } bad)
            violations.Add("region_code", bad);
        if (!PageTokens.IsValidPageSize(request.PageSize))
            violations.Add("page_size", PageTokens.PageSizeRule);
        if (PageTokens.Decode(request.PageToken) is null)
            violations.Add("page_token", PageTokens.PageTokenRule);
        return violations;
    }

    public static FieldViolations Validate(AddAccountRequest request)
    {
        var violations = new FieldViolations();
        RequestIdRule.Validate(request.RequestId, violations);
        if (RegionCodes.CheckShape(request.ProvinceCode) is { } bad)
            violations.Add("province_code", bad);
        else if (RegionCodes.Level(request.ProvinceCode) != 1)
            violations.Add("province_code", "must be a province code ending in 0000, e.g. \"340000\"");
        if (request.ParentCode.Length == 0)
            violations.Add("parent_code", "is required");
        if (request.AccountCode.Length != request.ParentCode.Length + 2 || !request.AccountCode.StartsWith(request.ParentCode, StringComparison.Ordinal)
            || !request.AccountCode[^2..].All(char.IsAsciiDigit))
            violations.Add("account_code", "must be the parent's code followed by two digits, e.g. \"400205\" under \"4002\"");
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > SubjectRules.MaxNameLength)
            violations.Add("name", $"must be 1 to {SubjectRules.MaxNameLength} characters");
        return violations;
    }

    public static FieldViolations Validate(ListBudgetChangesRequest request)
    {
        var violations = new FieldViolations();
        EvaluationKeys.Validate(request.Evaluation, "evaluation", violations);
        if (request.PageSize is < 0 or > 1000)
            violations.Add("page_size", "must be 0 (default 100) to 1000");
        if (request.PageToken.Length > 0 && !long.TryParse(request.PageToken, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            violations.Add("page_token", "not a token this service issued");
        if (request.AccountCode.Length > JournalRules.MaxIdLength)
            violations.Add("account_code", "too long");
        return violations;
    }

    static void CheckDate(string value, string field, int? fiscalYear, FieldViolations violations)
    {
        if (!IsoDates.TryParse(value, out var date))
            violations.Add(field, "must be a date written YYYY-MM-DD");
        else if (fiscalYear is { } year && date.Year != year)
            violations.Add(field, $"{value} is outside fiscal year {year}");
    }
}
