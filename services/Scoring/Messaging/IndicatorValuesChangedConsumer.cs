using MassTransit;
using PerfEval.Contracts.Events.V1;
using PerfEval.Hosting.Evaluations;
using PerfEval.Scoring.Application;
using PerfEval.Scoring.Domain;

namespace PerfEval.Scoring.Messaging;

/// <summary>New indicator values: rescores "to latest" (see <see cref="Rescoring.OnValuesChangedAsync"/>).</summary>
public sealed class IndicatorValuesChangedConsumer(Rescoring rescoring, ILogger<IndicatorValuesChangedConsumer> logger)
    : IConsumer<IndicatorValuesChanged>
{
    public async Task Consume(ConsumeContext<IndicatorValuesChanged> context)
    {
        var message = context.Message;
        using var _ = Serilog.Context.LogContext.PushProperty("EvaluationKey", EvaluationKeys.Format(message.Evaluation));
        try
        {
            await rescoring.OnValuesChangedAsync(message.Evaluation, message.ValueVersion, context.CancellationToken);
        }
        catch (InvalidSystemException ex)
        {
            // Retrying cannot fix a system whose weights do not add up; the indicator service must publish
            // a corrected one, which brings a new event.
            logger.LogError("Refused to score value version {ValueVersion}: {Reason}", message.ValueVersion, ex.Message);
        }
    }
}
