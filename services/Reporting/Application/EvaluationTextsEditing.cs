using Google.Protobuf.WellKnownTypes;
using PerfEval.Contracts.Reporting.V1;
using PerfEval.Hosting.Evaluations;
using PerfEval.Reporting.Storage;

namespace PerfEval.Reporting.Application;

/// <summary>
/// UpdateEvaluationTexts: stores the bureau's change (with history and the request id), then renders
/// a new report version from the latest scorecard so the published report prints the new words.
/// </summary>
public sealed class EvaluationTextsEditing(EvaluationTextsStore texts, ScorecardReporting reporting, ILogger<EvaluationTextsEditing> logger)
{
    public async Task<GetEvaluationTextsResponse> GetAsync(Contracts.Common.V1.EvaluationKey evaluation, CancellationToken ct)
    {
        var stored = await texts.GetAsync(EvaluationKeys.Format(evaluation), ct);
        return new GetEvaluationTextsResponse
        {
            Texts = stored.Texts,
            TextsVersion = stored.Version,
            UpdatedBy = stored.UpdatedBy,
            UpdatedAt = stored.UpdatedAt is { } at ? Timestamp.FromDateTimeOffset(at) : null,
        };
    }

    public async Task<UpdateEvaluationTextsResponse> UpdateAsync(UpdateEvaluationTextsRequest request, CancellationToken ct)
    {
        var key = EvaluationKeys.Format(request.Evaluation);
        var response = await texts.UpdateAsync(key, request, current => Apply(current, request), ct);
        if (response.Replayed)
            return response;
        try
        {
            await reporting.OnTextsChangedAsync(key, ct);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The texts are stored and acknowledged; the next scorecard version prints them. A failed
            // render (an upstream briefly down) must not turn an accepted write into an error.
            logger.LogWarning(exception, "Texts version {TextsVersion} of {EvaluationKey} stored; the report will print them at the next render",
                response.TextsVersion, key);
        }
        return response;
    }

    /// <summary>The fields the mask names (every field when it is empty) taken from the request, the rest kept.</summary>
    public static EvaluationTexts Apply(EvaluationTexts current, UpdateEvaluationTextsRequest request)
    {
        var incoming = request.Texts ?? new EvaluationTexts();
        if (request.UpdateMask is null || request.UpdateMask.Paths.Count == 0)
            return incoming.Clone();
        var next = current.Clone();
        next.Signatories ??= new Signatories();
        request.UpdateMask.Merge(incoming, next, new FieldMask.MergeOptions { ReplaceMessageFields = true, ReplacePrimitiveFields = true });
        return next;
    }
}
