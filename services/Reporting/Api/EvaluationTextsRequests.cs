using System.Globalization;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using PerfEval.Contracts.Reporting.V1;
using PerfEval.Hosting.Evaluations;
using PerfEval.SharedKernel.Errors;
using PerfEval.SharedKernel.Requests;

namespace PerfEval.Reporting.Api;

/// <summary>Shape checks of GetEvaluationTexts / UpdateEvaluationTexts, each naming its field.</summary>
public static class EvaluationTextsRequests
{
    /// <summary>A report section: long enough for a page of prose, short enough to keep rows and errors small.</summary>
    public const int MaxTextLength = 4000;
    /// <summary>A name, a unit or a phone number.</summary>
    public const int MaxNameLength = 100;

    public static void Validate(GetEvaluationTextsRequest request)
    {
        var violations = new FieldViolations();
        EvaluationKeys.Validate(request.Evaluation, "evaluation", violations);
        violations.ThrowIfAny();
    }

    public static void Validate(UpdateEvaluationTextsRequest request)
    {
        var violations = new FieldViolations();
        EvaluationKeys.Validate(request.Evaluation, "evaluation", violations);
        RequestIdRule.Validate(request.RequestId, violations);
        if (request.UpdateMask is { } mask)
            foreach (var path in mask.Paths.Where(p => !IsTextsPath(p)))
                violations.Add("update_mask", $"\"{path}\" is not a field of EvaluationTexts (e.g. overall_goal_expected, signatories.preparer)");
        var texts = request.Texts ?? new EvaluationTexts();
        Text(texts.OverallGoalExpected, "texts.overall_goal_expected", MaxTextLength, violations);
        Text(texts.OverallGoalAchieved, "texts.overall_goal_achieved", MaxTextLength, violations);
        Text(texts.BasicSituation, "texts.basic_situation", MaxTextLength, violations);
        Text(texts.Problems, "texts.problems", MaxTextLength, violations);
        Text(texts.ResultApplication, "texts.result_application", MaxTextLength, violations);
        Text(texts.OtherMatters, "texts.other_matters", MaxTextLength, violations);
        if (texts.Signatories is { } s)
        {
            Text(s.FilingUnit, "texts.signatories.filing_unit", MaxNameLength, violations);
            Text(s.UnitHead, "texts.signatories.unit_head", MaxNameLength, violations);
            Text(s.Preparer, "texts.signatories.preparer", MaxNameLength, violations);
            Text(s.Phone, "texts.signatories.phone", MaxNameLength, violations);
            if (s.Phone.Any(c => !(char.IsAsciiDigit(c) || c is ' ' or '+' or '-' or '(' or ')')))
                violations.Add("texts.signatories.phone", "may hold digits, spaces, \"+\", \"-\", \"(\" and \")\" only");
            if (s.FilingDate.Length > 0
                && !DateOnly.TryParseExact(s.FilingDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                violations.Add("texts.signatories.filing_date", $"\"{s.FilingDate}\" is not an ISO date YYYY-MM-DD");
        }
        violations.ThrowIfAny();
    }

    static void Text(string value, string field, int maxLength, FieldViolations violations)
    {
        if (value.Length > maxLength)
            violations.Add(field, $"is {value.Length} characters long; at most {maxLength}");
        // PostgreSQL cannot store NUL in text, and no report should print control characters.
        if (value.Any(c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t'))
            violations.Add(field, "contains a control character");
    }

    static bool IsTextsPath(string path)
    {
        MessageDescriptor descriptor = EvaluationTexts.Descriptor;
        var parts = path.Split('.');
        for (var i = 0; i < parts.Length; i++)
        {
            var field = descriptor.FindFieldByName(parts[i]);
            if (field is null)
                return false;
            if (i < parts.Length - 1)
            {
                if (field.FieldType != FieldType.Message)
                    return false;
                descriptor = field.MessageType;
            }
        }
        return true;
    }
}
