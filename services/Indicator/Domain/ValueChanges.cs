namespace PerfEval.Indicator.Domain;

/// <summary>What an evaluation was last computed from.</summary>
public sealed record ComputedState(long LedgerVersion, long ObservationRevision, string SystemCode, int SystemVersion, long ValueVersion);

/// <summary>Which computations are stored, and which of their values are news.</summary>
public static class ValueChanges
{
    /// <summary>
    /// The no-value reason given to an item of a previous system that the bound one no longer has; such
    /// a value stays in the history but is no longer reported.
    /// </summary>
    public const string NotInBoundSystem = "not in the bound system";

    /// <summary>
    /// True when a computation from these inputs adds nothing to <paramref name="stored"/>: newer inputs
    /// were stored meanwhile, or the same inputs with the same system already were.
    /// </summary>
    public static bool IsPassed(ComputedState stored, long ledgerVersion, long observationRevision, string systemCode, int systemVersion) =>
        ledgerVersion < stored.LedgerVersion || observationRevision < stored.ObservationRevision
        || (ledgerVersion == stored.LedgerVersion && observationRevision == stored.ObservationRevision
            && stored.SystemCode == systemCode && stored.SystemVersion == systemVersion && stored.ValueVersion > 0);

    /// <summary>
    /// The values that differ from the latest stored ones, plus an explicit "no value" for every stored
    /// item the bound system (<paramref name="codesInSystem"/>) no longer has.
    /// </summary>
    public static List<ComputedValue> Changed(IReadOnlyDictionary<string, ComputedValue> latest, IReadOnlyCollection<ComputedValue> values,
        IReadOnlySet<string> codesInSystem)
    {
        var changed = values.Where(v => !latest.TryGetValue(v.Code, out var before) || !before.SameOutcome(v)).ToList();
        changed.AddRange(latest.Values.Where(v => !codesInSystem.Contains(v.Code) && v.NoValueReason != NotInBoundSystem)
            .Select(v => v with { Value = null, NoValueReason = NotInBoundSystem, Inputs = [], MissingInputs = [] }));
        return changed;
    }
}
