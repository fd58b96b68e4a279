using MassTransit;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Events.V1;
using PerfEval.Indicator.Recompute;

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
        using var _ = Serilog.Context.LogContext.PushProperty("EvaluationKey", message.EvaluationKey);
        var key = new EvaluationKey { RegionCode = message.RegionCode, SubjectCode = message.SubjectCode, FiscalYear = message.FiscalYear };
        await coordinator.RecomputeAsync(key, message.LedgerVersion, 0, force: false, context.CancellationToken);
    }
}
