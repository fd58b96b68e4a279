using MassTransit;
using PerfEval.Hosting.Evaluations;
using PerfEval.Contracts.Events.V1;
using PerfEval.Indicator.Application;

namespace PerfEval.Indicator.Messaging;

/// <summary>
/// A ledger change recomputes the evaluation to latest; an event whose version was already passed
/// is skipped by the coordinator, so a burst of LedgerChanged events costs a few recomputations.
/// </summary>
public sealed class LedgerChangedConsumer(RecomputeCoordinator coordinator) : IConsumer<LedgerChanged>
{
    public async Task Consume(ConsumeContext<LedgerChanged> context)
    {
        var message = context.Message;
        var key = message.Evaluation;
        using var _ = Serilog.Context.LogContext.PushProperty("EvaluationKey", EvaluationKeys.Format(key));
        await coordinator.RecomputeAsync(key, message.LedgerVersion, 0, force: false, context.CancellationToken);
    }
}
