using System.Globalization;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Indicator.V1;

namespace PerfEval.Indicator.Domain;

/// <summary>A system refused at definition: every problem, by field path ("indicators[3].target").</summary>
public sealed class SystemValidationException(IReadOnlyList<(string Field, string Description)> problems)
    : Exception(string.Join("; ", problems.Select(p => $"{p.Field}: {p.Description}")))
{
    public IReadOnlyList<(string Field, string Description)> Problems { get; } = problems;
}

/// <summary>One level-3 item ready to evaluate: its parsed formula, unit and the inputs it reads.</summary>
public sealed record CompiledIndicator(IndicatorDefinition Definition, Expr? Formula, Unit Unit, IReadOnlySet<string> Inputs)
{
    public string Code => Definition.Code;
}

/// <summary>
/// A validated indicator system: weights add up to 100, every target parses, every formula parses,
/// has the dimension of its unit and reads only known things, and no indicator depends on itself
/// through others. Items are kept in dependency order so one pass evaluates them.
/// </summary>
public sealed class CompiledSystem
{
    public IndicatorSystem System { get; }
    public IReadOnlyList<CompiledIndicator> InDependencyOrder { get; }
    /// <summary>For each input key, the indicators that read it directly.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<CompiledIndicator>> Readers { get; }
    public IReadOnlySet<string> LeafInputs { get; }
    /// <summary>The observation metrics its formulas may read: the built-in ones and the table's own.</summary>
    public IReadOnlyDictionary<string, ObservationMetrics.Metric> Metrics { get; }

    CompiledSystem(IndicatorSystem system, IReadOnlyList<CompiledIndicator> ordered)
    {
        System = system;
        Metrics = ObservationMetrics.With(system.Metrics.Select(m => new ObservationMetrics.Metric(m.Code, m.Name, m.Unit)));
        InDependencyOrder = ordered;
        Readers = ordered.SelectMany(i => i.Inputs.Select(k => (k, i)))
            .GroupBy(p => p.k, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<CompiledIndicator>)g.Select(p => p.i).ToList(), StringComparer.Ordinal);
        LeafInputs = ordered.SelectMany(i => i.Inputs).Where(k => !k.StartsWith("indicator:", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// Validates a system and completes it: targets are (re)parsed from their text, a missing direction
    /// is the one the target implies, and an item without a formula is assessed by a person.
    /// </summary>
    /// <param name="evaluationTable">An evaluation's own table, stored under "table:&lt;evaluation key&gt;", a code no catalog system may take.</param>
    /// <summary>The code prefix of evaluations' own tables.</summary>
    public const string TableCodePrefix = "table:";

    public static CompiledSystem Compile(IndicatorSystem definition, bool evaluationTable = false)
    {
        // Refused before any per-item work: every item costs parsing, checking and a problem line each.
        if (definition.Indicators.Count > InputLimits.SystemMaxIndicators)
            throw new SystemValidationException([("indicators", $"at most {InputLimits.SystemMaxIndicators} indicators in a system, got {definition.Indicators.Count}")]);
        var system = definition.Clone();
        if (system.ExactScoring == ExactScoring.Unspecified)
            system.ExactScoring = ExactScoring.Symmetric; // PerfEval's default (DOMAIN.md §5); a system says so explicitly
        var problems = new List<(string, string)>();
        if (!(evaluationTable ? system.SystemCode.StartsWith(TableCodePrefix, StringComparison.Ordinal) : Codes.IsValid(system.SystemCode)))
            problems.Add(("system_code", "lower-case letters, digits and '-', 1 to 64 characters"));
        if (system.Version < 1)
            problems.Add(("version", "must be 1 or more"));
        if (string.IsNullOrWhiteSpace(system.Name))
            problems.Add(("name", "must not be empty"));
        if (system.Indicators.Count == 0)
            problems.Add(("indicators", "a system needs at least one level-3 indicator"));

        // The county's own statistics (DOMAIN.md §3): a code no built-in metric has, a name, a known unit.
        var ownMetrics = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < system.Metrics.Count; i++)
        {
            var metric = system.Metrics[i];
            if (!Codes.IsValid(metric.Code))
                problems.Add(($"metrics[{i}].code", "lower-case letters, digits and '-', 1 to 64 characters"));
            else if (ObservationMetrics.All.ContainsKey(metric.Code))
                problems.Add(($"metrics[{i}].code", $"\"{metric.Code}\" is a built-in metric: read it with obs(\"{metric.Code}\") without declaring it"));
            else if (!ownMetrics.Add(metric.Code))
                problems.Add(($"metrics[{i}].code", $"\"{metric.Code}\" is declared twice"));
            if (string.IsNullOrWhiteSpace(metric.Name) || metric.Name.Length > 100)
                problems.Add(($"metrics[{i}].name", "1 to 100 characters"));
            if (!Unit.TryGet(metric.Unit, out _))
                problems.Add(($"metrics[{i}].unit", $"unknown unit \"{metric.Unit}\"; known: {string.Join(" ", Unit.KnownTexts)}"));
        }
        var metrics = ObservationMetrics.With(system.Metrics.Where(m => Unit.TryGet(m.Unit, out _))
            .Select(m => new ObservationMetrics.Metric(m.Code, m.Name, m.Unit)));

        var units = new Dictionary<string, Unit>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var weightSum = 0m;
        for (var i = 0; i < system.Indicators.Count; i++)
        {
            var item = system.Indicators[i];
            var path = $"indicators[{i}]";
            if (!Codes.IsValid(item.Code))
                problems.Add(($"{path}.code", "lower-case letters, digits and '-', 1 to 64 characters"));
            else if (!seen.Add(item.Code))
                problems.Add(($"{path}.code", $"\"{item.Code}\" is used twice"));
            if (string.IsNullOrWhiteSpace(item.Name))
                problems.Add(($"{path}.name", "must not be empty"));
            if (string.IsNullOrWhiteSpace(item.Level1) || string.IsNullOrWhiteSpace(item.Level2))
                problems.Add(($"{path}.level1", "level-1 and level-2 names must not be empty"));
            if (!decimal.TryParse(item.Weight, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var weight) || weight <= 0)
                problems.Add(($"{path}.weight", $"a positive decimal, got \"{item.Weight}\""));
            else
                weightSum += weight;
            try
            {
                item.Target = TargetGrammar.Parse(item.Target?.Text ?? "");
                if (item.Direction == Direction.Unspecified)
                    item.Direction = TargetGrammar.DirectionOf(item.Target);
            }
            catch (TargetSyntaxException e)
            {
                problems.Add(($"{path}.target", e.Message));
            }
            item.AssessedByPerson = item.Formula.Length == 0;
            // Where the actual comes from: a formula is computed; without one, a qualitative target
            // is a person's judgment and a measurable one is the bureau's declared figure (DOMAIN.md §5).
            var qualitative = item.Target?.Parts.Any(p => p.Comparison == Comparison.Qualitative) == true || item.Direction == Direction.Qualitative;
            if (item.Formula.Length > 0)
            {
                if (item.ActualSource is not (ActualSource.Unspecified or ActualSource.Formula))
                    problems.Add(($"{path}.actual_source", "an item with a formula is computed (ACTUAL_SOURCE_FORMULA)"));
                item.ActualSource = ActualSource.Formula;
            }
            else if (item.ActualSource == ActualSource.Formula)
                problems.Add(($"{path}.actual_source", "ACTUAL_SOURCE_FORMULA needs a formula"));
            else if (item.ActualSource == ActualSource.Unspecified)
                item.ActualSource = qualitative ? ActualSource.Assessed : ActualSource.Declared;
            if (item.Formula.Length > 0)
            {
                if (Unit.TryGet(item.Unit, out var unit))
                    units[item.Code] = unit;
                else
                    problems.Add(($"{path}.unit", $"unknown unit \"{item.Unit}\" for a computed item; known: {string.Join(" ", Unit.KnownTexts)}"));
            }
        }
        if (system.Indicators.Count > 0 && weightSum != 100m)
            problems.Add(("indicators", $"weights must add up to 100, they add up to {weightSum.ToString(CultureInfo.InvariantCulture)}"));

        var compiled = new Dictionary<string, CompiledIndicator>(StringComparer.Ordinal);
        for (var i = 0; i < system.Indicators.Count; i++)
        {
            var item = system.Indicators[i];
            if (item.Formula.Length == 0 || !units.TryGetValue(item.Code, out var unit))
            {
                compiled.TryAdd(item.Code, new CompiledIndicator(item, null, Unit.TryGet(item.Unit, out var u) ? u : new Unit(item.Unit, Dimension.None, 1m), new HashSet<string>()));
                continue;
            }
            try
            {
                var expr = FormulaParser.Parse(item.Formula);
                var inputs = new HashSet<string>(StringComparer.Ordinal);
                var dimension = FormulaEvaluator.Check(expr, code => units.GetValueOrDefault(code), inputs, metrics);
                if (dimension != unit.Dimension)
                    problems.Add(($"indicators[{i}].formula", $"gives {dimension}, but the unit \"{item.Unit}\" is {unit.Dimension}"));
                compiled.TryAdd(item.Code, new CompiledIndicator(item, expr, unit, inputs));
            }
            catch (FormulaException e)
            {
                problems.Add(($"indicators[{i}].formula", e.Message));
            }
        }

        var ordered = problems.Count == 0 ? Order(system, compiled, problems) : [];
        if (problems.Count > 0)
            throw new SystemValidationException(problems);
        return new CompiledSystem(system, ordered);
    }

    /// <summary>Depth-first topological order; a back edge is a cycle, reported with its path.</summary>
    static List<CompiledIndicator> Order(IndicatorSystem system, Dictionary<string, CompiledIndicator> items, List<(string, string)> problems)
    {
        var ordered = new List<CompiledIndicator>();
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new List<string>();
        bool Visit(string code)
        {
            switch (state.GetValueOrDefault(code))
            {
                case 2: return true;
                case 1:
                    var cycle = stack.Skip(stack.IndexOf(code)).Append(code);
                    var index = system.Indicators.ToList().FindIndex(d => d.Code == code);
                    problems.Add(($"indicators[{index}].formula", $"cycle between indicators: {string.Join(" → ", cycle)}"));
                    return false;
            }
            state[code] = 1;
            stack.Add(code);
            foreach (var input in items[code].Inputs.Where(k => k.StartsWith("indicator:", StringComparison.Ordinal)))
                if (!Visit(input["indicator:".Length..]))
                    return false;
            stack.RemoveAt(stack.Count - 1);
            state[code] = 2;
            ordered.Add(items[code]);
            return true;
        }
        foreach (var item in system.Indicators)
            if (!Visit(item.Code))
                break;
        return ordered;
    }
}

static class Codes
{
    public static bool IsValid(string code) => code.Length is > 0 and <= 64
        && code.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');
}
