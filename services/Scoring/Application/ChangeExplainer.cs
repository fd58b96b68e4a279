using System.Globalization;
using PerfEval.Contracts.Events.V1;
using PerfEval.Contracts.Scoring.V1;
using PerfEval.Scoring.Domain;

namespace PerfEval.Scoring.Application;

/// <summary>
/// Explains a change of score between two stored scorecard versions: which items moved, by how much,
/// and why. A changed actual means postings or observations between the two value/ledger versions
/// moved it (both are named in the answer); judgments name themselves.
/// </summary>
public static class ChangeExplainer
{
    /// <summary>One input of an indicator value's lineage: what was read, its value, where it came from.</summary>
    public sealed record LineageInput(string Key, string Value, string Source);

    /// <summary>Lineage per indicator code (empty when the indicator service gives none).</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<LineageInput>> NoLineage =
        new Dictionary<string, IReadOnlyList<LineageInput>>();

    public static ExplainChangeResponse Explain(EvaluationScored from, EvaluationScored to) => Explain(from, to, NoLineage, NoLineage);

    public static ExplainChangeResponse Explain(EvaluationScored from, EvaluationScored to,
        IReadOnlyDictionary<string, IReadOnlyList<LineageInput>> fromLineage, IReadOnlyDictionary<string, IReadOnlyList<LineageInput>> toLineage)
    {
        var response = new ExplainChangeResponse
        {
            FromVersion = from.ScorecardVersion,
            ToVersion = to.ScorecardVersion,
            FromTotal = from.Total,
            ToTotal = to.Total,
            TotalDelta = Delta(from.Total, to.Total),
            FromGrade = from.Grade,
            ToGrade = to.Grade,
            FromValueVersion = from.ValueVersion,
            ToValueVersion = to.ValueVersion,
            FromLedgerVersion = from.LedgerVersion,
            ToLedgerVersion = to.LedgerVersion,
        };
        var before = from.Items.ToDictionary(i => i.IndicatorCode);
        var after = to.Items.ToDictionary(i => i.IndicatorCode);
        var systemChanged = from.SystemCode != to.SystemCode || from.SystemVersion != to.SystemVersion;
        foreach (var code in to.Items.Select(i => i.IndicatorCode).Concat(from.Items.Select(i => i.IndicatorCode)).Distinct())
        {
            var a = before.GetValueOrDefault(code) ?? new ScoredItem { IndicatorCode = code };
            var b = after.GetValueOrDefault(code) ?? new ScoredItem { IndicatorCode = code };
            if (a.Equals(b))
                continue;
            var change = new ItemChange
            {
                IndicatorCode = code,
                Name = b.Name.Length > 0 ? b.Name : a.Name,
                FromActual = a.Actual,
                ToActual = b.Actual,
                FromScore = a.Score,
                ToScore = b.Score,
                ScoreDelta = Delta(a.Score, b.Score),
            };
            if (systemChanged || a.Weight != b.Weight || a.Target != b.Target)
                change.Causes.Add(ChangeCause.System);
            if (a.Actual != b.Actual || string.Join("|", a.PartActuals) != string.Join("|", b.PartActuals))
            {
                change.Causes.Add(ChangeCause.Value);
                change.MovedInputs.AddRange(MovedInputs(fromLineage.GetValueOrDefault(code) ?? [], toLineage.GetValueOrDefault(code) ?? []));
            }
            if (a.AssessmentBand != b.AssessmentBand || a.AssessmentDescription != b.AssessmentDescription
                || (a.ComputedScore != b.ComputedScore && a.AssessmentBand.Length > 0 && a.Actual == b.Actual))
                change.Causes.Add(ChangeCause.Assessment);
            if (a.OverrideScore != b.OverrideScore || a.OverrideReason != b.OverrideReason || a.OverrideAuthor != b.OverrideAuthor)
                change.Causes.Add(ChangeCause.Override);
            if (a.DeductedPoints != b.DeductedPoints || !a.DeductionReasons.SequenceEqual(b.DeductionReasons))
                change.Causes.Add(ChangeCause.Deduction);
            if (a.DeviationNote != b.DeviationNote)
                change.Causes.Add(ChangeCause.DeviationNote);
            response.Items.Add(change);
        }
        return response;
    }

    static IEnumerable<MovedInput> MovedInputs(IReadOnlyList<LineageInput> before, IReadOnlyList<LineageInput> after)
    {
        var old = before.GroupBy(i => i.Key).ToDictionary(g => g.Key, g => g.Last());
        var now = after.GroupBy(i => i.Key).ToDictionary(g => g.Key, g => g.Last());
        foreach (var key in now.Keys.Concat(old.Keys).Distinct())
        {
            var x = old.GetValueOrDefault(key);
            var y = now.GetValueOrDefault(key);
            if (x?.Value != y?.Value)
                yield return new MovedInput { Key = key, FromValue = x?.Value ?? "", ToValue = y?.Value ?? "", Source = y?.Source ?? x?.Source ?? "" };
        }
    }

    /// <summary>A delta beyond decimal's range is not shown rather than failing the whole explanation.</summary>
    static string Delta(decimal to, decimal from)
    {
        try
        {
            return Scorecard.Format(to - from);
        }
        catch (OverflowException)
        {
            return "";
        }
    }

    static string Delta(string from, string to)
    {
        static decimal? P(string s) => decimal.TryParse(s, NumberStyles.Number, CultureInfo.InvariantCulture, out var v) ? v : null;
        return (P(from), P(to)) switch
        {
            (null, null) => "",
            var (x, y) => Delta((y ?? 0m), (x ?? 0m)),
        };
    }
}
