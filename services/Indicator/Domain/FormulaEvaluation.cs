namespace PerfEval.Indicator.Domain;

/// <summary>
/// A value in base units, or "no value" with the reason. A zero denominator is flagged: it is a finding.
/// Evaluation stops at the first operand without a value, so a missing value has at most one
/// <see cref="MissingInput"/>: the input whose absence it carries up (a record, so leaves still compare by value).
/// </summary>
public readonly record struct Quantity(decimal? Value, string Reason, bool ZeroDenominator = false, MissingInput? MissingInput = null)
{
    public static Quantity Of(decimal value) => new(value, "");
    public static Quantity Missing(string reason) => new(null, reason);
    public static Quantity Missing(MissingInput input, string reason) => new(null, reason, MissingInput: input);
    public bool HasValue => Value.HasValue;
}

/// <summary>Non-money statistics (统计数) a formula can read with obs("code"), with the unit they are recorded in.</summary>
public static class ObservationMetrics
{
    public sealed record Metric(string Code, string Name, string Unit);

    public static readonly IReadOnlyDictionary<string, Metric> All = new Metric[]
    {
        new("insured-persons", "参保人数", "人"),
        new("insured-target", "参保目标任务", "人"),
        new("registered-population", "户籍人口", "人"),
        new("resident-population", "常住人口", "人"),
        new("ineligible-persons", "不符合参保条件人数", "人"),
        new("beneficiaries", "享受待遇人数", "人"),
        new("benefit-visits", "享受待遇人次", "人次"),
        new("inpatient-total-cost", "住院总费用", "分"),
        new("inpatient-policy-cost", "政策范围内住院费用", "分"),
        new("inpatient-fund-paid", "住院统筹基金支付", "分"),
        new("drg-dip-paid-cost", "DRG/DIP付费费用", "分"),
        new("instant-settlement-visits", "即时结算人次", "人次"),
        new("settlement-visits", "结算人次", "人次"),
        new("designated-institutions", "定点医药机构数", "家"),
        new("inspected-institutions", "检查覆盖的定点医药机构数", "家"),
        new("recovered-amount", "追回/拒付金额", "分"),
        new("fine-amount", "罚款金额", "分"),
        new("subsidy-standard", "财政补助标准", "元/人/年"),
        new("personal-contribution-standard", "个人缴费标准", "元/人/年"),
        new("employer-contribution-rate", "单位缴费比例", "%"),
        new("personal-contribution-rate", "个人缴费比例", "%"),
        new("satisfaction", "满意度", "%"),
    }.ToDictionary(m => m.Code, StringComparer.Ordinal);

    /// <summary>The built-in metrics and those a table declares for itself (validated by CompiledSystem).</summary>
    public static IReadOnlyDictionary<string, Metric> With(IEnumerable<Metric> own)
    {
        var all = new Dictionary<string, Metric>(All, StringComparer.Ordinal);
        foreach (var metric in own)
            all.TryAdd(metric.Code, metric);
        return all;
    }
}

/// <summary>
/// Static checks and evaluation of a parsed formula. Checking gives the result's dimension and the
/// inputs it reads (ledger metrics, observations, other indicators): the dependency graph is built
/// from them, so a change recomputes only what reads it.
/// </summary>
public static class FormulaEvaluator
{
    static readonly string[] Classes = ["income", "expenditure", "asset", "liability", "net_asset"];
    static readonly string[] LedgerMeasures = ["actual", "budget", "executed", "prior", "opening", "closing"];

    /// <summary>Checks a formula; returns its dimension and the input keys it reads.</summary>
    public static Dimension Check(Expr expr, Func<string, Unit?> indicatorUnit, ISet<string> inputs,
        IReadOnlyDictionary<string, ObservationMetrics.Metric>? metrics = null)
    {
        metrics ??= ObservationMetrics.All;
        switch (expr)
        {
            case NumberExpr:
                return Dimension.None;
            case NegateExpr n:
                return Check(n.Operand, indicatorUnit, inputs, metrics);
            case BinaryExpr b:
            {
                var left = Check(b.Left, indicatorUnit, inputs, metrics);
                var right = Check(b.Right, indicatorUnit, inputs, metrics);
                switch (b.Op)
                {
                    case "*": return left * right;
                    case "/": return left / right;
                    default:
                        if (left != right)
                            throw new FormulaException($"\"{b.Op}\" at position {b.Position} mixes {left} with {right}", b.Position);
                        return b.Op is "+" or "-" ? left : Dimension.None;
                }
            }
            case CallExpr c:
                return CheckCall(c, indicatorUnit, inputs, metrics);
            case NameExpr n:
                throw new FormulaException($"unknown name \"{n.Name}\" at position {n.Position}: account groups go inside a ledger function, e.g. actual({n.Name})", n.Position);
            case TextExpr t:
                throw new FormulaException($"a string at position {t.Position} is only allowed as a function argument", t.Position);
            default:
                throw new InvalidOperationException(expr.GetType().Name);
        }
    }

    static Dimension CheckCall(CallExpr c, Func<string, Unit?> indicatorUnit, ISet<string> inputs,
        IReadOnlyDictionary<string, ObservationMetrics.Metric> metrics)
    {
        void Arity(int min, int max)
        {
            if (c.Args.Count < min || c.Args.Count > max)
                throw new FormulaException($"{c.Function}() at position {c.Position} takes {(min == max ? min.ToString() : $"{min} to {max}")} arguments, got {c.Args.Count}", c.Position);
        }
        if (LedgerMeasures.Contains(c.Function))
        {
            Arity(1, 1);
            inputs.Add(LedgerKey(c.Function, c.Args[0]));
            return Dimension.OfMoney;
        }
        switch (c.Function)
        {
            case "obs":
            {
                Arity(1, 2);
                var metric = Text(c, 0);
                if (!metrics.TryGetValue(metric, out var m))
                    throw new FormulaException($"unknown observation \"{metric}\" at position {c.Args[0].Position}; known: {string.Join(", ", metrics.Keys)} (a table may declare its own under metrics)", c.Args[0].Position);
                inputs.Add(ObservationKey(metric, c.Args.Count == 2 ? Text(c, 1) : ""));
                Unit.TryGet(m.Unit, out var unit);
                return unit!.Dimension;
            }
            case "value":
            {
                Arity(1, 1);
                var code = Text(c, 0);
                var unit = indicatorUnit(code)
                    ?? throw new FormulaException($"value(\"{code}\") at position {c.Position}: no quantitative indicator with that code in the system", c.Position);
                inputs.Add(IndicatorKey(code));
                return unit.Dimension;
            }
            case "if":
            {
                Arity(3, 3);
                Check(c.Args[0], indicatorUnit, inputs, metrics);
                return Same(c, c.Args.Skip(1), indicatorUnit, inputs, metrics);
            }
            case "sum" or "coalesce":
                Arity(1, 64);
                return Same(c, c.Args, indicatorUnit, inputs, metrics);
            case "months_of_payment":
            {
                Arity(2, 2);
                var balance = Check(c.Args[0], indicatorUnit, inputs, metrics);
                var spending = Check(c.Args[1], indicatorUnit, inputs, metrics);
                if (balance != Dimension.OfMoney || spending != Dimension.OfMoney)
                    throw new FormulaException($"months_of_payment at position {c.Position} needs two amounts of money", c.Position);
                return Dimension.OfMonths;
            }
            default:
                throw new FormulaException($"unknown function \"{c.Function}\" at position {c.Position}", c.Position);
        }
    }

    static Dimension Same(CallExpr c, IEnumerable<Expr> args, Func<string, Unit?> indicatorUnit, ISet<string> inputs,
        IReadOnlyDictionary<string, ObservationMetrics.Metric> metrics)
    {
        var dims = args.Select(a => Check(a, indicatorUnit, inputs, metrics)).Distinct().ToList();
        if (dims.Count > 1)
            throw new FormulaException($"{c.Function}() at position {c.Position} mixes {string.Join(" with ", dims)}", c.Position);
        return dims[0];
    }

    static string Text(CallExpr c, int index) => c.Args[index] is TextExpr t
        ? t.Text
        : throw new FormulaException($"{c.Function}() at position {c.Position}: argument {index + 1} must be a quoted string", c.Args[index].Position);

    static string LedgerKey(string measure, Expr group) => group switch
    {
        NameExpr n when Classes.Contains(n.Name) => $"ledger:{measure}:{n.Name}",
        TextExpr t when t.Text.Split(',').All(p => p.Trim().Length > 0 && p.Trim().All(char.IsAsciiDigit)) =>
            $"ledger:{measure}:{string.Join(",", t.Text.Split(',').Select(p => p.Trim()))}",
        _ => throw new FormulaException(
            $"{measure}() at position {group.Position}: expected an account class ({string.Join(", ", Classes)}) or a quoted list of code prefixes such as \"5001,5004\"", group.Position),
    };

    public static string ObservationKey(string metric, string subject) => subject.Length == 0 ? $"obs:{metric}" : $"obs:{metric}@{subject}";
    public static string IndicatorKey(string code) => $"indicator:{code}";

    /// <summary>
    /// The largest magnitude a computed value may have: .NET's decimal ends near 7.9 × 10^28, and a value
    /// is still multiplied by its unit (× 100 for %, × 1000 for ‰) after evaluation, so beyond this it is
    /// "no value" rather than an overflow later (issue 14 item 2).
    /// </summary>
    public const decimal MaxMagnitude = 1e24m;

    /// <summary>
    /// Evaluates a checked formula; <paramref name="input"/> gives each input key's value in base units.
    /// Arithmetic that leaves decimal's range gives no value with the reason, never an exception: one odd
    /// input (a divisor of 10^-28) must not stop an evaluation's values from moving.
    /// </summary>
    public static Quantity Evaluate(Expr expr, Func<string, Quantity> input)
    {
        var result = EvaluateNode(expr, input);
        return result.Value is { } value && Math.Abs(value) > MaxMagnitude
            ? Quantity.Missing($"overflow: the result is beyond ±10^24 ({Shorten(Describe(expr))})")
            : result;
    }

    static Quantity Overflow(Expr at) => Quantity.Missing($"overflow: {Shorten(Describe(at))} is beyond the range of a decimal number");

    static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "…";

    static Quantity EvaluateNode(Expr expr, Func<string, Quantity> input)
    {
        switch (expr)
        {
            case NumberExpr n:
                return Quantity.Of(n.Value);
            case NegateExpr n:
                var operand = EvaluateNode(n.Operand, input);
                return operand.HasValue ? Quantity.Of(-operand.Value!.Value) : operand;
            case BinaryExpr b:
            {
                var left = EvaluateNode(b.Left, input);
                if (!left.HasValue)
                    return left;
                var right = EvaluateNode(b.Right, input);
                if (!right.HasValue)
                    return right;
                var (l, r) = (left.Value!.Value, right.Value!.Value);
                try
                {
                    return b.Op switch
                    {
                        "+" => Quantity.Of(l + r),
                        "-" => Quantity.Of(l - r),
                        "*" => Quantity.Of(l * r),
                        "/" => r == 0 ? new Quantity(null, $"zero denominator: {Describe(b.Right)} is 0", true) : Quantity.Of(l / r),
                        "<" => Bool(l < r),
                        "<=" => Bool(l <= r),
                        ">" => Bool(l > r),
                        ">=" => Bool(l >= r),
                        "==" => Bool(l == r),
                        _ => Bool(l != r),
                    };
                }
                catch (OverflowException)
                {
                    return Overflow(b);
                }
            }
            case CallExpr c:
                return EvaluateCall(c, input);
            default:
                throw new InvalidOperationException(expr.GetType().Name);
        }
    }

    static Quantity Bool(bool b) => Quantity.Of(b ? 1 : 0);

    static Quantity EvaluateCall(CallExpr c, Func<string, Quantity> input)
    {
        if (LedgerMeasures.Contains(c.Function))
            return input(LedgerKey(c.Function, c.Args[0]));
        switch (c.Function)
        {
            case "obs":
                return input(ObservationKey(((TextExpr)c.Args[0]).Text, c.Args.Count == 2 ? ((TextExpr)c.Args[1]).Text : ""));
            case "value":
                return input(IndicatorKey(((TextExpr)c.Args[0]).Text));
            case "if":
            {
                var condition = EvaluateNode(c.Args[0], input);
                if (!condition.HasValue)
                    return condition;
                return EvaluateNode(condition.Value != 0 ? c.Args[1] : c.Args[2], input);
            }
            case "coalesce":
            {
                var last = Quantity.Missing("no argument has a value");
                foreach (var arg in c.Args)
                {
                    last = EvaluateNode(arg, input);
                    if (last.HasValue)
                        return last;
                }
                return last;
            }
            case "sum":
            {
                var total = 0m;
                foreach (var arg in c.Args)
                {
                    var q = EvaluateNode(arg, input);
                    if (!q.HasValue)
                        return q;
                    try
                    {
                        total += q.Value!.Value;
                    }
                    catch (OverflowException)
                    {
                        return Overflow(c);
                    }
                }
                return Quantity.Of(total);
            }
            case "months_of_payment":
            {
                var balance = EvaluateNode(c.Args[0], input);
                if (!balance.HasValue)
                    return balance;
                var spending = EvaluateNode(c.Args[1], input);
                if (!spending.HasValue)
                    return spending;
                if (spending.Value == 0)
                    return new Quantity(null, $"zero denominator: {Describe(c.Args[1])} is 0", true);
                try
                {
                    return Quantity.Of(balance.Value!.Value / (spending.Value!.Value / 12m));
                }
                catch (Exception e) when (e is OverflowException or DivideByZeroException) // a month of 10^-28 rounds to 0
                {
                    return Overflow(c);
                }
            }
            default:
                throw new InvalidOperationException(c.Function);
        }
    }

    /// <summary>A short rendering of a sub-expression for messages ("budget(income)").</summary>
    public static string Describe(Expr expr) => expr switch
    {
        NumberExpr n => n.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        TextExpr t => $"\"{t.Text}\"",
        NameExpr n => n.Name,
        NegateExpr n => $"-{Describe(n.Operand)}",
        BinaryExpr b => $"({Describe(b.Left)} {b.Op} {Describe(b.Right)})",
        CallExpr c => $"{c.Function}({string.Join(", ", c.Args.Select(Describe))})",
        _ => "?",
    };
}
