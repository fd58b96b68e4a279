using MassTransit;
using PerfEval.Contracts.Events.V1;
using PerfEval.Hosting.Evaluations;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Scoring.Domain;
using PerfEval.Scoring.Storage;

namespace PerfEval.Scoring.Messaging;

/// <summary>
/// Rescores "to latest": reads the indicator service's current system and values, so events that arrive
/// late, twice or out of order never roll a scorecard back.
/// </summary>
public sealed class IndicatorValuesChangedConsumer(IndicatorService.IndicatorServiceClient indicators, FindingsReader findingsReader, ScoringStore store,
    ILogger<IndicatorValuesChangedConsumer> logger) : IConsumer<IndicatorValuesChanged>
{
    public async Task Consume(ConsumeContext<IndicatorValuesChanged> context)
    {
        var message = context.Message;
        var key = message.Evaluation;
        using var _ = Serilog.Context.LogContext.PushProperty("EvaluationKey", EvaluationKeys.Format(key));
        if (message.ValueVersion <= await store.ScoredValueVersionAsync(EvaluationKeys.Format(key), context.CancellationToken))
            return;

        var system = (await indicators.GetEvaluationSystemAsync(new GetEvaluationSystemRequest { Evaluation = key },
            deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: context.CancellationToken)).System;
        var values = await indicators.GetIndicatorValuesAsync(new GetIndicatorValuesRequest { Evaluation = key },
            deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: context.CancellationToken);
        // Declared (typed) actuals that differ from the computed ones are listed on the scorecard with both values.
        var findings = await findingsReader.ReadAsync(key, context.CancellationToken);

        try
        {
            var version = await store.ScoreAsync(key, system, values, findings, context.CancellationToken);
            logger.LogInformation("Scored value version {ValueVersion} with system {SystemCode} v{SystemVersion}: scorecard version {ScorecardVersion}",
                values.ValueVersion, system.SystemCode, system.Version, version);
        }
        catch (InvalidSystemException ex)
        {
            // Retrying cannot fix a system whose weights do not add up; the indicator service must publish
            // a corrected one, which brings a new event.
            logger.LogError("Refused to score value version {ValueVersion}: {Reason}", values.ValueVersion, ex.Message);
        }
    }
}
