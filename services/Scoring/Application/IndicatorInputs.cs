using PerfEval.Contracts.Indicator.V1;
using PerfEval.Scoring.Domain;

namespace PerfEval.Scoring.Application;

/// <summary>
/// Maps what the indicator service reports beside the values (reconciliation findings, lineage) onto the
/// scoring inputs and the change explainer. Pure, so the mapping is unit-tested without the services.
/// </summary>
public static class IndicatorInputs
{
    /// <summary>What the indicator service's findings give the scorecard.</summary>
    /// <param name="Declared">The declared (typed) actuals by item code: scored where no value is computed, compared where one is.</param>
    /// <param name="Sources">Where the bureau says each declared actual comes from, by item code.</param>
    /// <param name="Findings">Every other finding as text.</param>
    public sealed record FromIndicator(IReadOnlyDictionary<string, string> Declared, IReadOnlyDictionary<string, string> Sources,
        IReadOnlyList<string> Findings);

    /// <summary>
    /// The declared (typed) actuals, their sources, and every other finding as text. The rules engine
    /// compares a declared actual with its own computed actual again, so the scorecard lists both values
    /// at the version it scored. A declared actual without a computed value for an item of
    /// <paramref name="systemCodes"/> is scored on (shown 填报，未核实 on its row), so it is not listed again.
    /// </summary>
    public static FromIndicator FromFindings(GetFindingsResponse? findings, IReadOnlySet<string>? systemCodes = null)
    {
        var declared = new Dictionary<string, string>(StringComparer.Ordinal);
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        var texts = new List<string>();
        foreach (var f in findings?.Findings ?? [])
        {
            // The indicator service always names a finding's kind. Unspecified ones are the ledger's unbudgeted
            // spending that scoring once merged into its findings snapshots: no longer listed (the report
            // reads them from the ledger), also when an older snapshot is rescored.
            if (f.Kind == FindingKind.Unspecified)
                continue;
            if (f.Kind is FindingKind.DeclaredActualMismatch or FindingKind.DeclaredActualWithoutValue && f.IndicatorCode.Length > 0 && f.DeclaredValue.Length > 0)
            {
                declared[f.IndicatorCode] = f.DeclaredValue;
                if (f.DeclaredSource.Length > 0)
                    sources[f.IndicatorCode] = f.DeclaredSource;
            }
            if (f.Kind == FindingKind.DeclaredActualWithoutValue && systemCodes?.Contains(f.IndicatorCode) == true)
                continue;
            // A declared actual without a computed value may name an item the system lacks, where the
            // scorecard has no row to show it: its text is kept as a finding as well.
            if (f.Kind != FindingKind.DeclaredActualMismatch)
                texts.Add(f.Message.Length > 0 ? f.Message : $"{f.Kind}: {f.IndicatorCode}");
        }
        return new FromIndicator(declared, sources, texts);
    }

    /// <summary>The lineage of each value by indicator code; empty for values stored before lineage existed.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<ChangeExplainer.LineageInput>> Lineage(GetIndicatorValuesResponse? values)
    {
        if (values is null || values.Lineage.Count == 0)
            return ChangeExplainer.NoLineage;
        var lineage = new Dictionary<string, IReadOnlyList<ChangeExplainer.LineageInput>>(StringComparer.Ordinal);
        foreach (var l in values.Lineage)
            lineage[l.IndicatorCode] = [.. l.Inputs.Select(i => new ChangeExplainer.LineageInput(i.Key, i.Value, i.Source))];
        return lineage;
    }
}
