using MassTransit;
using PerfEval.Contracts.Events.V1;
using PerfEval.Hosting.Evaluations;
using PerfEval.Scoring.Application;

namespace PerfEval.Scoring.Messaging;

/// <summary>
/// A bureau's typed actuals were recorded: the values did not move, but the scorecard's list of declared
/// differences may have. Reads the current findings ("to latest"), so a late or repeated event is harmless.
/// </summary>
public sealed class DeclaredActualsRecordedConsumer(Rescoring rescoring) : IConsumer<DeclaredActualsRecorded>
{
    public async Task Consume(ConsumeContext<DeclaredActualsRecorded> context)
    {
        using var _ = Serilog.Context.LogContext.PushProperty("EvaluationKey", EvaluationKeys.Format(context.Message.Evaluation));
        await rescoring.OnFindingsChangedAsync(context.Message.Evaluation, context.CancellationToken);
    }
}
