using System.Globalization;

namespace PerfEval.Indicator.Domain;

/// <summary>
/// One account's actual for a year, as the ledger reports it (class: income, expenditure, asset, liability,
/// net_asset). Budgets are not here: which spending a budget covers is the ledger's rule (<see cref="BudgetCoverage"/>).
/// </summary>
public sealed record AccountFact(string Code, string Name, string AccountClass, long ActualFen);

/// <summary>The current revision of one observation (value in the metric's unit); SubjectCode "" is region-wide.</summary>
public sealed record ObservationFact(string Metric, string SubjectCode, decimal Value, long Revision);

/// <summary>
/// The ledger's budget coverage of one account or account group (GetFundMetrics): the budget lines
/// covering the row (its own, or else those of its children) and the actual they cover. The ledger
/// owns this rule (a budget line covers its account and everything under it); formulas only add rows up.
/// ParentCode is "" at the top of the chart.
/// </summary>
public sealed record BudgetCoverage(string Code, string ParentCode, string AccountClass, long? BudgetFen, long BudgetedActualFen);

/// <summary>Everything an evaluation's formulas can read, with the versions it was read at.</summary>
public sealed record EvaluationFacts(
    string SubjectCode,
    long LedgerVersion,
    IReadOnlyList<AccountFact> Accounts,
    long PriorLedgerVersion,
    IReadOnlyList<AccountFact>? PriorAccounts,
    IReadOnlyList<ObservationFact> Observations)
{
    /// <summary>Budget coverage at <see cref="LedgerVersion"/>: what budget() and executed() read.</summary>
    public IReadOnlyList<BudgetCoverage> Budgets { get; init; } = [];
}

/// <summary>One input of a computed value, for lineage: what was read, its value and the version it came from.</summary>
public sealed record LineageInput(string Key, string Value, string Source);

/// <summary>A computed value (in the indicator's unit), or why there is none; with the inputs it came from.</summary>
public sealed record ComputedValue(string Code, string Name, string Unit, decimal? Value, string NoValueReason, bool ZeroDenominator,
    IReadOnlyList<LineageInput> Inputs)
{
    public string ValueText => Value?.ToString(CultureInfo.InvariantCulture) ?? "";

    /// <summary>The inputs whose absence left the value empty; empty when there is a value.</summary>
    public IReadOnlyList<MissingInput> MissingInputs { get; init; } = [];

    public bool SameOutcome(ComputedValue other) => Value == other.Value && NoValueReason == other.NoValueReason && Unit == other.Unit && Name == other.Name
        && MissingInputs.SequenceEqual(other.MissingInputs);
}

/// <summary>What one evaluation last computed: input values by key and each item's value. Kept between recomputations.</summary>
public sealed class EvaluationState
{
    public required string SystemCode { get; init; }
    public required int SystemVersion { get; init; }
    public required Dictionary<string, Quantity> Leaves { get; init; }
    public required Dictionary<string, ComputedValue> Values { get; init; }
    public required Dictionary<string, Quantity> BaseValues { get; init; }
}

/// <summary>
/// Evaluates a system over facts, incrementally: the leaf inputs (ledger metrics, observations) are
/// read afresh, compared with the previous state, and only the items that read a changed leaf, or an
/// item whose value changed, are recomputed — in dependency order, in one pass.
/// </summary>
public static class IndicatorEngine
{
    public sealed record Result(EvaluationState State, IReadOnlyList<ComputedValue> Changed, int ItemsRecomputed);

    public static Result Evaluate(CompiledSystem system, EvaluationFacts facts, EvaluationState? previous)
    {
        var full = previous is null || previous.SystemCode != system.System.SystemCode || previous.SystemVersion != system.System.Version;
        var leaves = new Dictionary<string, Quantity>(system.LeafInputs.Count, StringComparer.Ordinal);
        var sources = new Dictionary<string, string>(system.LeafInputs.Count, StringComparer.Ordinal);
        var dirty = new HashSet<string>(StringComparer.Ordinal);
        var ledger = new LedgerView(facts, system.Metrics);
        var names = system.InDependencyOrder.ToDictionary(i => i.Code, i => i.Definition.Name, StringComparer.Ordinal);
        foreach (var key in system.LeafInputs)
        {
            var (quantity, source) = ledger.Read(key);
            leaves[key] = quantity;
            sources[key] = source;
            if (full || !previous!.Leaves.TryGetValue(key, out var before) || before != quantity)
                dirty.Add(key);
        }

        var values = full ? new Dictionary<string, ComputedValue>(StringComparer.Ordinal) : new Dictionary<string, ComputedValue>(previous!.Values, StringComparer.Ordinal);
        var baseValues = full ? new Dictionary<string, Quantity>(StringComparer.Ordinal) : new Dictionary<string, Quantity>(previous!.BaseValues, StringComparer.Ordinal);
        var changed = new List<ComputedValue>();
        var recomputed = 0;
        foreach (var item in system.InDependencyOrder)
        {
            if (!full && !item.Inputs.Any(dirty.Contains))
                continue;
            recomputed++;
            ComputedValue value;
            if (item.Formula is null)
            {
                value = new ComputedValue(item.Code, item.Definition.Name, item.Definition.Unit, null, "assessed by a person (定性)", false, []);
                baseValues[item.Code] = Quantity.Missing(value.NoValueReason);
            }
            else
            {
                Quantity Input(string key) => key.StartsWith("indicator:", StringComparison.Ordinal)
                    ? baseValues.GetValueOrDefault(key["indicator:".Length..], NotComputed(key["indicator:".Length..], names))
                    : leaves[key];
                var quantity = FormulaEvaluator.Evaluate(item.Formula, Input);
                baseValues[item.Code] = quantity;
                var lineage = item.Inputs.Order(StringComparer.Ordinal).Select(key =>
                {
                    var q = Input(key);
                    var source = key.StartsWith("indicator:", StringComparison.Ordinal) ? "computed in the same pass" : sources[key];
                    return new LineageInput(key, q.Value?.ToString(CultureInfo.InvariantCulture) ?? $"no value: {q.Reason}", source);
                }).ToList();
                value = new ComputedValue(item.Code, item.Definition.Name, item.Definition.Unit,
                    quantity.Value is { } v ? item.Unit.FromBase(v) : null,
                    quantity.Reason, quantity.ZeroDenominator, lineage)
                {
                    MissingInputs = quantity is { HasValue: false, MissingInput: { } missing } ? [missing] : [],
                };
            }
            if (!values.TryGetValue(item.Code, out var before) || !before.SameOutcome(value))
            {
                changed.Add(value);
                dirty.Add(FormulaEvaluator.IndicatorKey(item.Code));
            }
            values[item.Code] = value;
        }

        var state = new EvaluationState
        {
            SystemCode = system.System.SystemCode,
            SystemVersion = system.System.Version,
            Leaves = leaves,
            Values = values,
            BaseValues = baseValues,
        };
        return new Result(state, changed, recomputed);
    }

    static Quantity NotComputed(string code, Dictionary<string, string> names)
    {
        var name = names.GetValueOrDefault(code, code);
        return Quantity.Missing(new MissingInput(MissingInputKind.IndicatorValue, code, name), $"缺少指标值：{name}（indicator:{code} not computed）");
    }

    /// <summary>Reads one leaf input key from the facts, in base units, with the version it came from.</summary>
    sealed class LedgerView(EvaluationFacts facts, IReadOnlyDictionary<string, ObservationMetrics.Metric> metrics)
    {
        // Sorted by code once per evaluation, so a code-prefix group is a binary search, not a scan:
        // evaluation time then grows linearly with the number of items.
        readonly AccountFact[] _current = [.. facts.Accounts.OrderBy(a => a.Code, StringComparer.Ordinal)];
        readonly AccountFact[]? _prior = facts.PriorAccounts is null ? null : [.. facts.PriorAccounts.OrderBy(a => a.Code, StringComparer.Ordinal)];
        readonly BudgetCoverage[] _coverage = [.. facts.Budgets.OrderBy(r => r.Code, StringComparer.Ordinal)];

        readonly Dictionary<(string Metric, string Subject), ObservationFact> _observations = facts.Observations
            .GroupBy(o => (o.Metric, o.SubjectCode)).ToDictionary(g => g.Key, g => g.First());

        public (Quantity, string Source) Read(string key)
        {
            var parts = key.Split(':', 3);
            if (parts[0] == "obs")
                return ReadObservation(parts[1]);
            var (measure, group) = (parts[1], parts[2]);
            var prior = measure is "prior" or "opening";
            var accounts = prior ? _prior : _current;
            var source = prior ? $"prior-year ledger version {facts.PriorLedgerVersion}" : $"ledger version {facts.LedgerVersion}";
            var name = LedgerInputNames.Of(measure, group);
            if (accounts is null)
                return (Quantity.Missing(new MissingInput(MissingInputKind.PriorYearLedgerFigure, group, name),
                    $"缺少上年账簿数据：{name}（no prior-year ledger for {group}）"), source);
            if (measure is "budget" or "executed")
                return (ReadBudget(measure, group), source);
            var count = 0;
            var fen = 0m;
            foreach (var account in Members(accounts, group))
            {
                count++;
                fen += account.ActualFen;
            }
            if (count == 0)
                return (Quantity.Missing(new MissingInput(MissingInputKind.LedgerFigure, group, name),
                    $"缺少账簿数据：{name}（no ledger account in {group}{(prior ? " in the prior year" : "")}）"), source);
            return (Quantity.Of(fen / 100m), source);
        }

        /// <summary>
        /// budget(g) and executed(g) add up the ledger's coverage of the topmost rows of g (a row whose
        /// parent is outside g), so a budget line on a group counts once, with the spending under it,
        /// exactly as the ledger's own 预算执行率 counts it.
        /// </summary>
        Quantity ReadBudget(string measure, string group)
        {
            long? budget = null;
            long budgetedActual = 0;
            foreach (var row in TopmostCoverage(group))
            {
                if (row.BudgetFen is not { } b)
                    continue;
                budget = (budget ?? 0) + b;
                budgetedActual += row.BudgetedActualFen;
            }
            // What is missing is the budget line, whichever of its two figures was asked for.
            var missing = LedgerInputNames.Of("budget", group);
            if (budget is null)
                return Quantity.Missing(new MissingInput(MissingInputKind.BudgetLine, group, missing), $"缺少预算数：{missing}（no budget line for {group}）");
            return Quantity.Of((measure == "budget" ? budget.Value : budgetedActual) / 100m);
        }

        IEnumerable<BudgetCoverage> TopmostCoverage(string group)
        {
            if (!(group.Contains(',') || group.All(char.IsAsciiDigit)))
            {
                foreach (var row in _coverage)
                    if (row.AccountClass == group && row.ParentCode.Length == 0)
                        yield return row;
                yield break;
            }
            var prefixes = group.Split(',');
            bool InGroup(string code) => code.Length > 0 && prefixes.Any(p => code.StartsWith(p, StringComparison.Ordinal));
            foreach (var prefix in prefixes)
                for (var i = FirstAtOrAfter(_coverage, prefix, r => r.Code); i < _coverage.Length && _coverage[i].Code.StartsWith(prefix, StringComparison.Ordinal); i++)
                    if (!InGroup(_coverage[i].ParentCode))
                        yield return _coverage[i];
        }

        /// <summary>Index of the first element whose code sorts at or after <paramref name="prefix"/> (binary search).</summary>
        static int FirstAtOrAfter<T>(T[] sorted, string prefix, Func<T, string> code)
        {
            int lo = 0, hi = sorted.Length;
            while (lo < hi)
            {
                var mid = (lo + hi) / 2;
                if (string.CompareOrdinal(code(sorted[mid]), prefix) < 0) lo = mid + 1; else hi = mid;
            }
            return lo;
        }

        static IEnumerable<AccountFact> Members(AccountFact[] sorted, string group)
        {
            if (!(group.Contains(',') || group.All(char.IsAsciiDigit)))
            {
                foreach (var account in sorted)
                    if (account.AccountClass == group)
                        yield return account;
                yield break;
            }
            foreach (var prefix in group.Split(','))
                for (var i = FirstAtOrAfter(sorted, prefix, a => a.Code); i < sorted.Length && sorted[i].Code.StartsWith(prefix, StringComparison.Ordinal); i++)
                    yield return sorted[i];
        }

        (Quantity, string) ReadObservation(string spec)
        {
            var at = spec.IndexOf('@');
            var metric = at < 0 ? spec : spec[..at];
            var subject = at < 0 ? null : spec[(at + 1)..];
            var observation = subject is not null
                ? _observations.GetValueOrDefault((metric, subject))
                : _observations.GetValueOrDefault((metric, facts.SubjectCode)) ?? _observations.GetValueOrDefault((metric, ""));
            var name = metrics[metric].Name;
            if (observation is null)
                return (Quantity.Missing(new MissingInput(MissingInputKind.Observation, metric, name, subject ?? ""),
                    $"缺少统计数据：{name}（missing observation {metric}{(subject is null ? "" : $" of {subject}")}）"), "observation: none recorded");
            Unit.TryGet(metrics[metric].Unit, out var unit);
            return (Quantity.Of(unit!.ToBase(observation.Value)), $"observation revision {observation.Revision}");
        }
    }
}
