using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Events.V1;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Indicator.Domain;
using PerfEval.Indicator.Storage;

namespace PerfEval.Indicator.Application;

/// <summary>The events the indicator publishes (through the outbox, in the transaction of the write).</summary>
public static class IndicatorEvents
{
    /// <summary>The items of an evaluation whose value changed in value version <paramref name="valueVersion"/>.</summary>
    public static IndicatorValuesChanged ValuesChanged(EvaluationKey key, long valueVersion, long ledgerVersion, IndicatorSystem system,
        IEnumerable<ComputedValue> changed)
    {
        var message = new IndicatorValuesChanged
        {
            Evaluation = key,
            ValueVersion = valueVersion,
            LedgerVersion = ledgerVersion,
            SystemCode = system.SystemCode,
            SystemVersion = system.Version,
        };
        message.Values.AddRange(changed.Select(IndicatorStore.ToContract));
        return message;
    }

    /// <summary>No value moves on declared actuals, so no IndicatorValuesChanged: scoring learns of the new findings from this event.</summary>
    public static DeclaredActualsRecorded DeclaredActualsRecorded(RecordDeclaredActualsRequest request) => new()
    {
        Evaluation = request.Evaluation,
        IndicatorCodes = { request.Actuals.Select(a => a.IndicatorCode).Distinct() },
    };
}
