using System.Globalization;
using Grpc.Core;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Scoring.V1;
using PerfEval.SharedKernel.Errors;
using PerfEval.SharedKernel.Requests;
using PerfEval.Hosting.Evaluations;
using PerfEval.Scoring.Domain;
using PerfEval.Scoring.Application;

namespace PerfEval.Scoring.Api;

public sealed class ScoringApi(JudgmentSubmission judgments, ScorecardQueries queries) : ScoringService.ScoringServiceBase
{
    const int MaxTextLength = 4000;

    public override async Task<GetScorecardResponse> GetScorecard(GetScorecardRequest request, ServerCallContext context)
    {
        var violations = new FieldViolations();
        EvaluationKeys.Validate(request.Evaluation, "evaluation", violations);
        violations.ThrowIfAny();
        return await queries.GetScorecardAsync(request.Evaluation, context.CancellationToken);
    }

    public override async Task<SubmitAssessmentResponse> SubmitAssessment(SubmitAssessmentRequest request, ServerCallContext context)
    {
        var violations = Common(request.RequestId, request.Evaluation, request.IndicatorCode, request.Author);
        var score = Decimal(request.Score, "score", violations);
        if (request.Band == Contracts.Scoring.V1.QualitativeBand.Unspecified || !Enum.IsDefined(request.Band))
            violations.Add("band", "must be ACHIEVED, PARTLY_ACHIEVED or NOT_ACHIEVED");
        Text(request.Description, "description", violations);
        violations.ThrowIfAny();
        var judgment = new Judgment(Domain.JudgmentKind.Assessment, request.IndicatorCode, (Domain.QualitativeBand)(int)request.Band, score,
            request.Description.Trim(), request.Author.Trim());
        var result = await judgments.SubmitAsync(request.Evaluation, request.RequestId, request, judgment, context.CancellationToken);
        return new SubmitAssessmentResponse { ScorecardVersion = result.ScorecardVersion, Total = result.Total, Grade = result.Grade };
    }

    public override async Task<SubmitOverrideResponse> SubmitOverride(SubmitOverrideRequest request, ServerCallContext context)
    {
        var violations = Common(request.RequestId, request.Evaluation, request.IndicatorCode, request.Author);
        var score = Decimal(request.Score, "score", violations);
        if (score < 0)
            violations.Add("score", "must not be negative");
        Text(request.Reason, "reason", violations);
        violations.ThrowIfAny();
        var judgment = new Judgment(Domain.JudgmentKind.Override, request.IndicatorCode, null, score, request.Reason.Trim(), request.Author.Trim());
        var result = await judgments.SubmitAsync(request.Evaluation, request.RequestId, request, judgment, context.CancellationToken);
        return new SubmitOverrideResponse { ScorecardVersion = result.ScorecardVersion, Total = result.Total, Grade = result.Grade };
    }

    public override async Task<SubmitDeductionResponse> SubmitDeduction(SubmitDeductionRequest request, ServerCallContext context)
    {
        var violations = Common(request.RequestId, request.Evaluation, request.IndicatorCode, request.Author);
        var points = Decimal(request.Points, "points", violations);
        if (points <= 0)
            violations.Add("points", "must be above 0");
        Text(request.Reason, "reason", violations);
        violations.ThrowIfAny();
        var judgment = new Judgment(Domain.JudgmentKind.Deduction, request.IndicatorCode, null, points, request.Reason.Trim(), request.Author.Trim());
        var result = await judgments.SubmitAsync(request.Evaluation, request.RequestId, request, judgment, context.CancellationToken);
        return new SubmitDeductionResponse { ScorecardVersion = result.ScorecardVersion, Total = result.Total, Grade = result.Grade };
    }

    public override async Task<SubmitDeviationNoteResponse> SubmitDeviationNote(SubmitDeviationNoteRequest request, ServerCallContext context)
    {
        var violations = Common(request.RequestId, request.Evaluation, request.IndicatorCode, request.Author);
        Text(request.Note, "note", violations);
        violations.ThrowIfAny();
        var judgment = new Judgment(Domain.JudgmentKind.DeviationNote, request.IndicatorCode, null, null, request.Note.Trim(), request.Author.Trim());
        var result = await judgments.SubmitAsync(request.Evaluation, request.RequestId, request, judgment, context.CancellationToken);
        return new SubmitDeviationNoteResponse { ScorecardVersion = result.ScorecardVersion, Total = result.Total, Grade = result.Grade };
    }

    public override async Task<ExplainChangeResponse> ExplainChange(ExplainChangeRequest request, ServerCallContext context)
    {
        var violations = new FieldViolations();
        EvaluationKeys.Validate(request.Evaluation, "evaluation", violations);
        if (request.FromVersion < 1)
            violations.Add("from_version", "must be 1 or more");
        if (request.ToVersion <= request.FromVersion)
            violations.Add("to_version", "must be above from_version");
        violations.ThrowIfAny();
        return await queries.ExplainChangeAsync(request.Evaluation, request.FromVersion, request.ToVersion, context.CancellationToken);
    }

    public override async Task<GetMonitoringResponse> GetMonitoring(GetMonitoringRequest request, ServerCallContext context)
    {
        var violations = new FieldViolations();
        EvaluationKeys.Validate(request.Evaluation, "evaluation", violations);
        DateOnly? asOf = null;
        if (request.AsOf.Length > 0)
        {
            if (DateOnly.TryParseExact(request.AsOf, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                asOf = date;
            else
                violations.Add("as_of", "must be a date yyyy-MM-dd or empty");
        }
        violations.ThrowIfAny();
        return await queries.GetMonitoringAsync(request.Evaluation, asOf, context.CancellationToken);
    }

    public override async Task<ListJudgmentsResponse> ListJudgments(ListJudgmentsRequest request, ServerCallContext context)
    {
        var violations = new FieldViolations();
        EvaluationKeys.Validate(request.Evaluation, "evaluation", violations);
        if (request.PageSize is < 0 or > 500)
            violations.Add("page_size", "must be 0 to 500");
        long afterId = 0;
        if (request.PageToken.Length > 0 && (!long.TryParse(request.PageToken, NumberStyles.None, CultureInfo.InvariantCulture, out afterId) || afterId < 1))
            violations.Add("page_token", "is not a token this service gave out");
        violations.ThrowIfAny();
        return await queries.ListJudgmentsAsync(request.Evaluation, request.IndicatorCode,
            request.PageSize == 0 ? 100 : request.PageSize, afterId, context.CancellationToken);
    }

    static FieldViolations Common(string requestId, EvaluationKey? evaluation, string indicatorCode, string author)
    {
        var violations = new FieldViolations();
        RequestIdRule.Validate(requestId, violations);
        EvaluationKeys.Validate(evaluation, "evaluation", violations);
        if (indicatorCode.Length is 0 or > 64)
            violations.Add("indicator_code", "must be 1 to 64 characters");
        if (string.IsNullOrWhiteSpace(author) || author.Length > 200)
            violations.Add("author", "is required (1 to 200 characters)");
        return violations;
    }

    static decimal Decimal(string text, string field, FieldViolations violations)
    {
        if (decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            return value;
        violations.Add(field, $"'{text}' is not a decimal number");
        return 0m;
    }

    static void Text(string text, string field, FieldViolations violations)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > MaxTextLength)
            violations.Add(field, $"is required (1 to {MaxTextLength} characters)");
    }
}
