using System.Globalization;
using PerfEval.Contracts.Events.V1;
using PerfEval.Contracts.Indicator.V1;

namespace PerfEval.Scoring.Domain;

public enum JudgmentKind
{
    Assessment,
    Override,
    Deduction,
    DeviationNote,
    /// <summary>A reviewer's 不予认可 of a declared value (the item scores 0).</summary>
    Refusal,
    /// <summary>The reviewer lifts the refusal.</summary>
    RefusalWithdrawal,
}

/// <summary>One stored judgment of an assessor, in the order it was made.</summary>
public sealed record Judgment(JudgmentKind Kind, string IndicatorCode, QualitativeBand? Band, decimal? Score, string Text, string Author)
{
    /// <summary>Whether a new judgment of this kind replaces the item's previous one (deductions add up instead).</summary>
    public static bool Replaces(JudgmentKind kind) => kind != JudgmentKind.Deduction;

    /// <summary>The refusals in force after these judgments, by item code (a withdrawal lifts the latest).</summary>
    public static IReadOnlyDictionary<string, Refusal> RefusalsIn(IEnumerable<Judgment> judgments)
    {
        var refusals = new Dictionary<string, Refusal>(StringComparer.Ordinal);
        foreach (var j in judgments)
            if (j.Kind == JudgmentKind.Refusal)
                refusals[j.IndicatorCode] = new Refusal(j.Text, j.Author);
            else if (j.Kind == JudgmentKind.RefusalWithdrawal)
                refusals.Remove(j.IndicatorCode);
        return refusals;
    }
}

/// <summary>Builds the rules engine's inputs from indicator values and the judgments made so far.</summary>
public static class ScoringInputsBuilder
{
    public static ScoringInputs Build(IEnumerable<IndicatorValue> values, IEnumerable<Judgment> judgments,
        IReadOnlyDictionary<string, string>? declaredActuals = null, IReadOnlyList<string>? findings = null,
        IReadOnlyDictionary<string, string>? declaredSources = null)
    {
        judgments = judgments as IReadOnlyList<Judgment> ?? [.. judgments];
        var actuals = new Dictionary<string, decimal?>(StringComparer.Ordinal);
        var reasons = new Dictionary<string, string>(StringComparer.Ordinal);
        var missing = new Dictionary<string, IReadOnlyList<MissingInput>>(StringComparer.Ordinal);
        foreach (var v in values)
        {
            // A value beyond decimal's range (only from before the indicator bounded its values) scores as
            // no value with the reason rather than failing the scorecard.
            var parsed = decimal.TryParse(v.Value, NumberStyles.Number | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var value);
            actuals[v.IndicatorCode] = parsed ? value : null;
            if (v.NoValueReason.Length > 0)
                reasons[v.IndicatorCode] = v.NoValueReason;
            else if (!parsed && v.Value.Length > 0)
                reasons[v.IndicatorCode] = "the value is not a decimal number within range";
            if (v.MissingInputs.Count > 0)
                missing[v.IndicatorCode] = [.. v.MissingInputs];
        }

        var assessments = new Dictionary<string, QualitativeAssessment>(StringComparer.Ordinal);
        var overrides = new Dictionary<string, ScoreOverride>(StringComparer.Ordinal);
        var deductions = new Dictionary<string, List<Deduction>>(StringComparer.Ordinal);
        var notes = new Dictionary<string, DeviationNote>(StringComparer.Ordinal);
        foreach (var j in judgments)
        {
            switch (j.Kind)
            {
                case JudgmentKind.Assessment:
                    assessments[j.IndicatorCode] = new QualitativeAssessment(j.Band!.Value, j.Score!.Value, j.Text, j.Author);
                    break;
                case JudgmentKind.Override:
                    overrides[j.IndicatorCode] = new ScoreOverride(j.Score!.Value, j.Author, j.Text);
                    break;
                case JudgmentKind.Deduction:
                    if (!deductions.TryGetValue(j.IndicatorCode, out var list))
                        deductions[j.IndicatorCode] = list = [];
                    list.Add(new Deduction(j.Score!.Value, j.Text, j.Author));
                    break;
                case JudgmentKind.DeviationNote:
                    notes[j.IndicatorCode] = new DeviationNote(j.Text, j.Author);
                    break;
            }
        }

        return new ScoringInputs
        {
            Actuals = actuals,
            NoValueReasons = reasons,
            MissingInputs = missing,
            Assessments = assessments,
            Overrides = overrides,
            Deductions = deductions.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<Deduction>)kv.Value, StringComparer.Ordinal),
            Notes = notes,
            DeclaredActuals = declaredActuals ?? new Dictionary<string, string>(),
            DeclaredSources = declaredSources ?? new Dictionary<string, string>(),
            Refusals = Judgment.RefusalsIn(judgments),
            Findings = findings ?? [],
        };
    }

    /// <summary>Checks a judgment against the item it is for; null when acceptable, otherwise (field, why).</summary>
    public static (string Field, string Description)? Check(IndicatorSystem system, Judgment judgment)
    {
        var definition = system.Indicators.FirstOrDefault(d => d.Code == judgment.IndicatorCode);
        if (definition is null)
            return ("indicator_code", $"system {system.SystemCode} v{system.Version} has no item {judgment.IndicatorCode}");
        var weight = RulesEngine.TryParse(definition.Weight, out var w) ? w : 0m;
        switch (judgment.Kind)
        {
            case JudgmentKind.Assessment:
                if (RulesEngine.RuleOf(definition) != ItemRule.Qualitative)
                    return ("indicator_code", $"{definition.Code} is not a qualitative item; override its score instead");
                return QualitativeBands.Check(judgment.Band!.Value, judgment.Score!.Value, weight) is { } why ? ("score", why) : null;
            case JudgmentKind.Override:
                return judgment.Score is { } s && (s < 0 || s > weight)
                    ? ("score", $"must be between 0 and the item's weight {weight.ToString(CultureInfo.InvariantCulture)}") : null;
            case JudgmentKind.Deduction:
                return judgment.Score is { } p && p > weight
                    ? ("points", $"must not exceed the item's weight {weight.ToString(CultureInfo.InvariantCulture)}") : null;
            case JudgmentKind.Refusal or JudgmentKind.RefusalWithdrawal:
                return RulesEngine.RuleOf(definition) is ItemRule.Qualitative or ItemRule.BudgetExecution or ItemRule.Compound
                    ? ("indicator_code", $"{definition.Code} is never scored on a declared value") : null;
            default:
                return null;
        }
    }
}
