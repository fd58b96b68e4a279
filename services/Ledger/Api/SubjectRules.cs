using PerfEval.Contracts.Ledger.V1;
using PerfEval.SharedKernel.Errors;
using PerfEval.SharedKernel.Requests;
using PerfEval.Hosting.Evaluations;
using PerfEval.Ledger.Domain;

namespace PerfEval.Ledger.Api;

/// <summary>Request validation of CreateEvaluationSubject and SetBudget: the wire messages field by field (pure; every violation collected).</summary>
public static class SubjectRules
{
    public const int MaxNameLength = 200;

    public static FieldViolations Validate(CreateEvaluationSubjectRequest request)
    {
        var violations = new FieldViolations();
        RequestIdRule.Validate(request.RequestId, violations);
        if (EvaluationKeys.CheckRegionCode(request.RegionCode) is { } region)
            violations.Add("region_code", region);
        if (EvaluationKeys.CheckSubjectCode(request.SubjectCode) is { } subject)
            violations.Add("subject_code", subject);
        if (request.Kind == SubjectKind.Unspecified || !Enum.IsDefined(request.Kind))
            violations.Add("kind", "must name a subject kind");
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > MaxNameLength)
            violations.Add("name", $"must be 1 to {MaxNameLength} characters");
        return violations;
    }

    public static FieldViolations Validate(SetBudgetRequest request, IReadOnlySet<string> accountCodes)
    {
        var violations = new FieldViolations();
        RequestIdRule.Validate(request.RequestId, violations);
        EvaluationKeys.Validate(request.Evaluation, "evaluation", violations);
        if (!accountCodes.Contains(request.AccountCode))
            violations.Add("account_code", $"unknown account \"{request.AccountCode}\"");
        if (request.BudgetFen < 0)
            violations.Add("budget_fen", "must be zero or a positive amount in fen");
        else if (Amounts.CheckFen(request.BudgetFen) is { } tooLarge)
            violations.Add("budget_fen", tooLarge);
        if (!Enum.IsDefined(request.Kind))
            violations.Add("kind", "must be a budget kind (or unspecified for 全年)");
        if (request.DocumentNumber.Length > JournalRules.MaxDocumentNumberLength)
            violations.Add("document_number", $"at most {JournalRules.MaxDocumentNumberLength} characters");
        if (request.Reason.Length > JournalRules.MaxMemoLength)
            violations.Add("reason", $"at most {JournalRules.MaxMemoLength} characters");
        return violations;
    }
}
