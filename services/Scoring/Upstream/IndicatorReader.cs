using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Indicator.V1;

namespace PerfEval.Scoring.Upstream;

/// <summary>What scoring reads of an evaluation: the bound system and its values, and the findings listed beside the scores.</summary>
public sealed record IndicatorSnapshot(IndicatorSystem System, GetIndicatorValuesResponse Values, GetFindingsResponse Findings);

/// <summary>
/// The gRPC reads of the indicator service, scoring's one upstream. An upstream NOT_FOUND
/// passes through as its RpcException: the consumers' UnknownEvaluationFilter acknowledges it when its
/// reason is EVALUATION_NOT_FOUND.
/// </summary>
public sealed class IndicatorReader(IndicatorService.IndicatorServiceClient indicators)
{
    /// <summary>The current system, values and findings ("to latest").</summary>
    public async Task<IndicatorSnapshot> ReadAsync(EvaluationKey key, CancellationToken cancellationToken)
    {
        var system = (await indicators.GetEvaluationSystemAsync(new GetEvaluationSystemRequest { Evaluation = key },
            deadline: Soon(), cancellationToken: cancellationToken)).System;
        var values = await indicators.GetIndicatorValuesAsync(new GetIndicatorValuesRequest { Evaluation = key },
            deadline: Soon(), cancellationToken: cancellationToken);
        // Declared (typed) actuals that differ from the computed ones are listed on the scorecard with both values.
        return new IndicatorSnapshot(system, values, await ReadFindingsAsync(key, cancellationToken));
    }

    /// <summary>
    /// The indicator service's reconciliation findings. The ledger's own findings (unbudgeted spending and
    /// the declared figures' contradictions) are not scoring's: the report reads them from the ledger.
    /// </summary>
    public async Task<GetFindingsResponse> ReadFindingsAsync(EvaluationKey key, CancellationToken cancellationToken) =>
        await indicators.GetFindingsAsync(new GetFindingsRequest { Evaluation = key }, deadline: Soon(), cancellationToken: cancellationToken);

    static DateTime Soon() => DateTime.UtcNow.AddSeconds(30);
}
