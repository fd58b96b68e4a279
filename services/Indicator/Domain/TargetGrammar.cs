using System.Globalization;
using System.Text;
using PerfEval.Contracts.Indicator.V1;

namespace PerfEval.Indicator.Domain;

/// <summary>An unparseable target: where (0-based character position) and what was expected there.</summary>
public sealed class TargetSyntaxException(string text, int position, string expected)
    : Exception($"target \"{(text.Length > InputLimits.TargetMaxLength ? text[..InputLimits.TargetMaxLength] + "…" : text)}\": at position {position} expected {expected}")
{
    public int Position { get; } = position;
    public string Expected { get; } = expected;
}

/// <summary>
/// The target grammar (指标值) of DOMAIN.md §4. A target is one of
/// <list type="bullet">
/// <item>a qualitative level: text without digits or comparison signs (全覆盖, 有所提高, 长期);</item>
/// <item>one or more whitespace-separated quantitative parts, each <c>[label] op number [unit]</c>
/// (≥413449人, =280, 医疗机构≥40%), a bare <c>number [unit]</c> (6.80%, an exact target),
/// or a range <c>upper unit ≥ x ≥ lower unit</c> / <c>lower unit ≤ x ≤ upper unit</c>.</item>
/// </list>
/// Numbers keep their written digits ("6.80", not 6.8), so <see cref="Format"/> gives the text back.
/// Hand-written rather than a combinator library: the grammar is a dozen lines and the error positions
/// it reports are the point.
/// </summary>
public static class TargetGrammar
{
    const string Ops = "≥≤><=";

    public static Target Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw new TargetSyntaxException(text, 0, "a target (e.g. ≥95%, 105%≥x≥95%, 全覆盖)");
        if (text.Length > InputLimits.TargetMaxLength)
            throw new TargetSyntaxException(text, InputLimits.TargetMaxLength, $"the end: a target has at most {InputLimits.TargetMaxLength} characters");
        var target = new Target { Text = text };
        if (!text.Any(c => char.IsAsciiDigit(c) || Ops.Contains(c)))
        {
            if (text != text.Trim())
                throw new TargetSyntaxException(text, char.IsWhiteSpace(text[0]) ? 0 : text.TrimEnd().Length, "no leading or trailing spaces");
            target.Parts.Add(new TargetPart { Comparison = Comparison.Qualitative, QualitativeText = text });
            return target;
        }

        var pos = 0;
        var starts = new List<int>();
        while (pos < text.Length)
        {
            if (char.IsWhiteSpace(text[pos]))
            {
                if (pos == 0 || pos == text.Length - 1 || char.IsWhiteSpace(text[pos + 1]))
                    throw new TargetSyntaxException(text, pos, "a single space between the parts of a compound target");
                pos++;
                continue;
            }
            starts.Add(pos);
            target.Parts.Add(ParsePart(text, ref pos));
        }
        // In a compound target each part must say what it measures, or the parts cannot be told apart.
        if (target.Parts.Count > 1 && target.Parts.Select((p, i) => (p, i)).FirstOrDefault(x => x.p.Label.Length == 0) is { p: not null } unlabelled)
            throw new TargetSyntaxException(text, starts[unlabelled.i], "a label before each part of a compound target (e.g. 医疗机构≥40%)");
        return target;
    }

    static TargetPart ParsePart(string text, ref int pos)
    {
        var start = pos;
        while (pos < text.Length && !char.IsAsciiDigit(text[pos]) && !Ops.Contains(text[pos]) && !char.IsWhiteSpace(text[pos]) && text[pos] != '-')
            pos++;
        var label = text[start..pos];
        if (pos < text.Length && Ops.Contains(text[pos]))
        {
            var comparison = ReadOp(text, ref pos);
            var (number, unit) = ReadQuantity(text, ref pos);
            return new TargetPart { Label = label, Comparison = comparison, Value = number, Unit = unit };
        }
        if (pos >= text.Length || char.IsWhiteSpace(text[pos]))
            throw new TargetSyntaxException(text, pos, label.Length > 0 ? "a comparison (≥, >, ≤, <, =) after the label" : "a number");

        // A number first: a bare (exact) value, or the first bound of a range.
        var (first, firstUnit) = ReadQuantity(text, ref pos);
        if (pos >= text.Length || char.IsWhiteSpace(text[pos]))
            return new TargetPart { Label = label, Comparison = Comparison.Equal, Value = first, Unit = firstUnit, BareValue = true };

        var opPosition = pos;
        var op1 = ReadOp(text, ref pos);
        if (op1 is Comparison.Equal)
            throw new TargetSyntaxException(text, opPosition, "≥, >, ≤ or < in a range");
        if (pos >= text.Length || !char.IsAsciiLetter(text[pos]))
            throw new TargetSyntaxException(text, pos, "the range variable (x)");
        var variable = text[pos++].ToString();
        opPosition = pos;
        if (pos >= text.Length || !Ops.Contains(text[pos]))
            throw new TargetSyntaxException(text, pos, "≥, >, ≤ or < after the range variable");
        var op2 = ReadOp(text, ref pos);
        var upperFirst = op1 is Comparison.GreaterOrEqual or Comparison.Greater;
        if (upperFirst != (op2 is Comparison.GreaterOrEqual or Comparison.Greater) || op2 is Comparison.Equal)
            throw new TargetSyntaxException(text, opPosition, upperFirst ? "≥ or > (both signs point the same way)" : "≤ or < (both signs point the same way)");
        var secondPosition = pos;
        var (second, secondUnit) = ReadQuantity(text, ref pos);
        if (secondUnit != firstUnit)
            throw new TargetSyntaxException(text, secondPosition, $"the unit \"{firstUnit}\" of the other bound");
        if (pos < text.Length && !char.IsWhiteSpace(text[pos]))
            throw new TargetSyntaxException(text, pos, "the end of the range");
        return new TargetPart
        {
            Label = label,
            Comparison = Comparison.Between,
            Lower = upperFirst ? second : first,
            Upper = upperFirst ? first : second,
            LowerInclusive = (upperFirst ? op2 : op1) is Comparison.GreaterOrEqual or Comparison.LessOrEqual,
            UpperInclusive = (upperFirst ? op1 : op2) is Comparison.GreaterOrEqual or Comparison.LessOrEqual,
            Unit = firstUnit,
            UpperFirst = upperFirst,
            RangeVariable = variable,
        };
    }

    static Comparison ReadOp(string text, ref int pos) => text[pos++] switch
    {
        '≥' => Comparison.GreaterOrEqual,
        '>' => Comparison.Greater,
        '≤' => Comparison.LessOrEqual,
        '<' => Comparison.Less,
        _ => Comparison.Equal,
    };

    /// <summary>A decimal number as written, then its unit: everything up to a space, a sign or a range variable.</summary>
    static (string Number, string Unit) ReadQuantity(string text, ref int pos)
    {
        var start = pos;
        if (pos < text.Length && text[pos] == '-')
            pos++;
        var digits = pos;
        while (pos < text.Length && char.IsAsciiDigit(text[pos]))
            pos++;
        if (pos == digits)
            throw new TargetSyntaxException(text, pos, "a number");
        if (pos < text.Length && text[pos] == '.')
        {
            pos++;
            var fraction = pos;
            while (pos < text.Length && char.IsAsciiDigit(text[pos]))
                pos++;
            if (pos == fraction)
                throw new TargetSyntaxException(text, pos, "a digit after the decimal point");
        }
        var number = text[start..pos];
        var unitStart = pos;
        while (pos < text.Length && !char.IsWhiteSpace(text[pos]) && !Ops.Contains(text[pos])
               && !(char.IsAsciiLetter(text[pos]) && pos + 1 < text.Length && Ops.Contains(text[pos + 1])))
        {
            if (char.IsAsciiDigit(text[pos]))
                throw new TargetSyntaxException(text, pos, "a unit (%, 人, 万元, 元/人/年 …) or the end of the part");
            pos++;
        }
        return (number, text[unitStart..pos]);
    }

    /// <summary>Formats a parsed target; for every target <see cref="Parse"/> accepts, this is the original text.</summary>
    public static string Format(Target target) => string.Join(" ", target.Parts.Select(FormatPart));

    static string FormatPart(TargetPart part)
    {
        var sb = new StringBuilder(part.Label);
        switch (part.Comparison)
        {
            case Comparison.Qualitative:
                return part.QualitativeText;
            case Comparison.Between when part.UpperFirst:
                sb.Append(part.Upper).Append(part.Unit).Append(part.UpperInclusive ? '≥' : '>').Append(Variable(part))
                  .Append(part.LowerInclusive ? '≥' : '>').Append(part.Lower).Append(part.Unit);
                break;
            case Comparison.Between:
                sb.Append(part.Lower).Append(part.Unit).Append(part.LowerInclusive ? '≤' : '<').Append(Variable(part))
                  .Append(part.UpperInclusive ? '≤' : '<').Append(part.Upper).Append(part.Unit);
                break;
            default:
                if (!(part.Comparison == Comparison.Equal && part.BareValue))
                    sb.Append(Symbol(part.Comparison));
                sb.Append(part.Value).Append(part.Unit);
                break;
        }
        return sb.ToString();
    }

    static string Variable(TargetPart part) => part.RangeVariable.Length > 0 ? part.RangeVariable : "x";

    public static string Symbol(Comparison comparison) => comparison switch
    {
        Comparison.GreaterOrEqual => "≥",
        Comparison.Greater => ">",
        Comparison.LessOrEqual => "≤",
        Comparison.Less => "<",
        Comparison.Equal => "=",
        _ => "",
    };

    /// <summary>The scoring direction a target implies (正向 / 反向 / 等于 / 区间 / 复合 / 定性).</summary>
    public static Direction DirectionOf(Target target) => target.Parts.Count > 1
        ? Direction.Compound
        : target.Parts[0].Comparison switch
        {
            Comparison.GreaterOrEqual or Comparison.Greater => Direction.HigherIsBetter,
            Comparison.LessOrEqual or Comparison.Less => Direction.LowerIsBetter,
            Comparison.Equal => Direction.Exact,
            Comparison.Between => Direction.Range,
            _ => Direction.Qualitative,
        };

    /// <summary>The unit a quantitative target states (the first part's), or "" for a qualitative one.</summary>
    public static string UnitOf(Target target) => target.Parts.Select(p => p.Unit).FirstOrDefault(u => u.Length > 0) ?? "";

    internal static decimal Number(string text) => decimal.Parse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
}
