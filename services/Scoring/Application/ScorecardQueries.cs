using System.Globalization;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Scoring.V1;
using PerfEval.Hosting.Evaluations;
using PerfEval.Scoring.Storage;
using PerfEval.SharedKernel.Errors;

namespace PerfEval.Scoring.Application;

/// <summary>The reads of scoring's API: the latest scorecard, a change between versions, monitoring, the judgments audit trail.</summary>
public sealed class ScorecardQueries(ScoringStore store, ScorecardWriter writer)
{
    public async Task<GetScorecardResponse> GetScorecardAsync(EvaluationKey key, CancellationToken cancellationToken)
    {
        var evaluationKey = EvaluationKeys.Format(key);
        if (await store.RefusedReasonAsync(evaluationKey, cancellationToken) is { } refused)
            throw new PreconditionFailedException($"the latest values of {evaluationKey} could not be scored: {refused}", "SYSTEM_REFUSED");
        var latest = await store.LatestAsync(evaluationKey, cancellationToken)
            ?? throw new NotFoundException($"no scorecard for {evaluationKey} yet", NotFoundException.EvaluationNotFound);
        return ScoringMessages.ScorecardResponse(latest.Scored, latest.System);
    }

    /// <summary>Why the score moved between two stored versions, with the inputs of the values' lineage that moved.</summary>
    public async Task<ExplainChangeResponse> ExplainChangeAsync(EvaluationKey key, long fromVersion, long toVersion, CancellationToken cancellationToken)
    {
        var evaluationKey = EvaluationKeys.Format(key);
        var from = await store.VersionAsync(evaluationKey, fromVersion, cancellationToken)
            ?? throw new NotFoundException($"{evaluationKey} has no scorecard version {fromVersion}");
        var to = await store.VersionAsync(evaluationKey, toVersion, cancellationToken)
            ?? throw new NotFoundException($"{evaluationKey} has no scorecard version {toVersion}");
        return ChangeExplainer.Explain(from.Scored, to.Scored, IndicatorInputs.Lineage(from.Values), IndicatorInputs.Lineage(to.Values));
    }

    /// <summary>The pro-rated monitoring of the latest scored values on <paramref name="asOf"/> (today when null).</summary>
    public async Task<GetMonitoringResponse> GetMonitoringAsync(EvaluationKey key, DateOnly? asOf, CancellationToken cancellationToken)
    {
        var evaluationKey = EvaluationKeys.Format(key);
        if (await store.LatestAsync(evaluationKey, cancellationToken) is not { System: { } system, Values: { } values })
            throw new NotFoundException($"no scorecard for {evaluationKey} yet", NotFoundException.EvaluationNotFound);
        var date = asOf ?? writer.Today();
        return ScoringMessages.MonitoringResponse(writer.Monitor(key, system, values, date), date, key.FiscalYear, values.ValueVersion);
    }

    /// <summary>One page of the audit trail, oldest first, after judgment id <paramref name="afterId"/>.</summary>
    public async Task<ListJudgmentsResponse> ListJudgmentsAsync(EvaluationKey key, string indicatorCode, int pageSize, long afterId,
        CancellationToken cancellationToken)
    {
        // One row more than the page says whether another page follows.
        var rows = await store.ListJudgmentsAsync(EvaluationKeys.Format(key), indicatorCode, afterId, pageSize + 1, cancellationToken);
        var response = new ListJudgmentsResponse { Judgments = { rows.Take(pageSize).Select(ScoringMessages.Record) } };
        if (rows.Count > pageSize)
            response.NextPageToken = response.Judgments[^1].JudgmentId.ToString(CultureInfo.InvariantCulture);
        return response;
    }
}
