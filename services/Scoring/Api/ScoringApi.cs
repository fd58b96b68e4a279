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

    // The four judgment RPCs differ only in their fields; each names them and shares one path (SubmitAsync).

    public override async Task<SubmitAssessmentResponse> SubmitAssessment(SubmitAssessmentRequest request, ServerCallContext context)
    {
        var result = await SubmitAsync(Contracts.Scoring.V1.JudgmentKind.Assessment, request,
            new JudgmentFields(request.RequestId, request.Evaluation, request.IndicatorCode, request.Author, request.Description, request.Score, request.Band),
            context);
        return new SubmitAssessmentResponse { ScorecardVersion = result.ScorecardVersion, Total = result.Total, Grade = result.Grade };
    }

    public override async Task<SubmitOverrideResponse> SubmitOverride(SubmitOverrideRequest request, ServerCallContext context)
    {
        var result = await SubmitAsync(Contracts.Scoring.V1.JudgmentKind.Override, request,
            new JudgmentFields(request.RequestId, request.Evaluation, request.IndicatorCode, request.Author, request.Reason, request.Score), context);
        return new SubmitOverrideResponse { ScorecardVersion = result.ScorecardVersion, Total = result.Total, Grade = result.Grade };
    }

    public override async Task<SubmitDeductionResponse> SubmitDeduction(SubmitDeductionRequest request, ServerCallContext context)
    {
        var result = await SubmitAsync(Contracts.Scoring.V1.JudgmentKind.Deduction, request,
            new JudgmentFields(request.RequestId, request.Evaluation, request.IndicatorCode, request.Author, request.Reason, request.Points), context);
        return new SubmitDeductionResponse { ScorecardVersion = result.ScorecardVersion, Total = result.Total, Grade = result.Grade };
    }

    public override async Task<SubmitDeviationNoteResponse> SubmitDeviationNote(SubmitDeviationNoteRequest request, ServerCallContext context)
    {
        var result = await SubmitAsync(Contracts.Scoring.V1.JudgmentKind.DeviationNote, request,
            new JudgmentFields(request.RequestId, request.Evaluation, request.IndicatorCode, request.Author, request.Note), context);
        return new SubmitDeviationNoteResponse { ScorecardVersion = result.ScorecardVersion, Total = result.Total, Grade = result.Grade };
    }

    public override async Task<RefuseDeclaredValueResponse> RefuseDeclaredValue(RefuseDeclaredValueRequest request, ServerCallContext context)
    {
        var result = await SubmitAsync(request.Withdraw ? Contracts.Scoring.V1.JudgmentKind.RefusalWithdrawal : Contracts.Scoring.V1.JudgmentKind.Refusal,
            request, new JudgmentFields(request.RequestId, request.Evaluation, request.IndicatorCode, request.Author, request.Reason), context);
        return new RefuseDeclaredValueResponse { ScorecardVersion = result.ScorecardVersion, Total = result.Total, Grade = result.Grade };
    }

    /// <summary>The fields every judgment request has, by meaning; <see cref="Amount"/> is the score or points ("" for a note).</summary>
    sealed record JudgmentFields(string RequestId, EvaluationKey? Evaluation, string IndicatorCode, string Author, string Text,
        string Amount = "", Contracts.Scoring.V1.QualitativeBand Band = Contracts.Scoring.V1.QualitativeBand.Unspecified);

    /// <summary>What differs between the kinds: the request's field names and the domain kind.</summary>
    sealed record KindFields(Domain.JudgmentKind Kind, string? AmountField, string TextField);

    static KindFields FieldsOf(Contracts.Scoring.V1.JudgmentKind kind) => kind switch
    {
        Contracts.Scoring.V1.JudgmentKind.Assessment => new(Domain.JudgmentKind.Assessment, "score", "description"),
        Contracts.Scoring.V1.JudgmentKind.Override => new(Domain.JudgmentKind.Override, "score", "reason"),
        Contracts.Scoring.V1.JudgmentKind.Deduction => new(Domain.JudgmentKind.Deduction, "points", "reason"),
        Contracts.Scoring.V1.JudgmentKind.DeviationNote => new(Domain.JudgmentKind.DeviationNote, null, "note"),
        Contracts.Scoring.V1.JudgmentKind.Refusal => new(Domain.JudgmentKind.Refusal, null, "reason"),
        Contracts.Scoring.V1.JudgmentKind.RefusalWithdrawal => new(Domain.JudgmentKind.RefusalWithdrawal, null, "reason"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>Validates a judgment request of <paramref name="kind"/> (every bad field at once) and submits it.</summary>
    async Task<JudgmentResult> SubmitAsync(Contracts.Scoring.V1.JudgmentKind kind, Google.Protobuf.IMessage request, JudgmentFields fields,
        ServerCallContext context)
    {
        var (domainKind, amountField, textField) = FieldsOf(kind);
        var violations = new FieldViolations();
        RequestIdRule.Validate(fields.RequestId, violations);
        EvaluationKeys.Validate(fields.Evaluation, "evaluation", violations);
        if (fields.IndicatorCode.Length is 0 or > 64)
            violations.Add("indicator_code", "must be 1 to 64 characters");
        if (string.IsNullOrWhiteSpace(fields.Author) || fields.Author.Length > 200)
            violations.Add("author", "is required (1 to 200 characters)");
        decimal? amount = amountField is null ? null : Decimal(fields.Amount, amountField, violations);
        switch (domainKind)
        {
            case Domain.JudgmentKind.Assessment when fields.Band == Contracts.Scoring.V1.QualitativeBand.Unspecified || !Enum.IsDefined(fields.Band):
                violations.Add("band", "must be ACHIEVED, PARTLY_ACHIEVED or NOT_ACHIEVED");
                break;
            case Domain.JudgmentKind.Override when amount < 0:
                violations.Add("score", "must not be negative");
                break;
            case Domain.JudgmentKind.Deduction when amount <= 0:
                violations.Add("points", "must be above 0");
                break;
        }
        if (string.IsNullOrWhiteSpace(fields.Text) || fields.Text.Length > MaxTextLength)
            violations.Add(textField, $"is required (1 to {MaxTextLength} characters)");
        violations.ThrowIfAny();

        Domain.QualitativeBand? band = domainKind == Domain.JudgmentKind.Assessment ? (Domain.QualitativeBand)(int)fields.Band : null;
        var judgment = new Judgment(domainKind, fields.IndicatorCode, band, amount, fields.Text.Trim(), fields.Author.Trim());
        return await judgments.SubmitAsync(fields.Evaluation!, fields.RequestId, request, judgment, context.CancellationToken);
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

    static decimal Decimal(string text, string field, FieldViolations violations)
    {
        if (decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            return value;
        violations.Add(field, $"'{text}' is not a decimal number");
        return 0m;
    }
}
