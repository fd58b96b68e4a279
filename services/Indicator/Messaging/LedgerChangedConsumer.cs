using MassTransit;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Events.V1;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Indicator.Domain;
using PerfEval.Indicator.Storage;

namespace PerfEval.Indicator.Messaging;

/// <summary>
/// Recomputes an evaluation's indicators "to latest": it reads the ledger as it is now, so a burst of
/// LedgerChanged events costs one recomputation per version actually seen, and an event whose
/// version was already passed is skipped.
/// </summary>
public sealed class LedgerChangedConsumer(LedgerService.LedgerServiceClient ledger, IndicatorStore store,
    ILogger<LedgerChangedConsumer> logger) : IConsumer<LedgerChanged>
{
    public async Task Consume(ConsumeContext<LedgerChanged> context)
    {
        var message = context.Message;
        using var _ = Serilog.Context.LogContext.PushProperty("EvaluationKey", message.EvaluationKey);
        if (message.LedgerVersion <= await store.ComputedLedgerVersionAsync(message.EvaluationKey, context.CancellationToken))
        {
            logger.LogDebug("Skipping ledger version {LedgerVersion}: already computed", message.LedgerVersion);
            return;
        }

        var key = new EvaluationKey { RegionCode = message.RegionCode, SubjectCode = message.SubjectCode, FiscalYear = message.FiscalYear };
        var balances = await ledger.GetBalancesAsync(new GetBalancesRequest { Evaluation = key },
            deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: context.CancellationToken);

        IndicatorResult[] results = [BudgetExecution.IncomeRate(balances.Balances)];
        var valueVersion = await store.SaveAsync(key, balances.LedgerVersion, results, context.CancellationToken);
        logger.LogInformation("Computed {IndicatorCount} indicators at ledger version {LedgerVersion}: value version {ValueVersion}",
            results.Length, balances.LedgerVersion, valueVersion);
    }
}
