using System.Globalization;

namespace PerfEval.Indicator.Domain;

/// <summary>A formula that does not parse or does not make sense (unknown function, mismatched dimensions).</summary>
public sealed class FormulaException(string message, int position) : Exception(message)
{
    public int Position { get; } = position;
}

/// <summary>
/// The formula language (DOMAIN.md §4). Grammar:
/// <code>
/// expr    := sum (("&lt;" | "&lt;=" | "&gt;" | "&gt;=" | "==" | "!=") sum)?
/// sum     := product (("+" | "-") product)*
/// product := unary (("*" | "/") unary)*
/// unary   := "-" unary | number | string | name | name "(" [expr ("," expr)*] ")" | "(" expr ")"
/// </code>
/// Functions: ledger metrics <c>actual(g)</c>, <c>budget(g)</c>, <c>executed(g)</c> (the actual the
/// budget lines of g cover, by the ledger's coverage rule: a line covers its account and everything under it), <c>prior(g)</c> (prior-year actual), <c>opening(g)</c>, <c>closing(g)</c>, where g
/// is an account class (income, expenditure, asset, liability, net_asset) or a string of code prefixes
/// ("5001", "5001,5004"); <c>obs("metric")</c> and <c>obs("metric", "subject-code")</c> for observations;
/// <c>value("indicator-code")</c> for another indicator; <c>sum</c>, <c>if</c>, <c>coalesce</c>,
/// <c>months_of_payment(balance, expenditure)</c>.
/// </summary>
public abstract record Expr(int Position);
public sealed record NumberExpr(decimal Value, int Position) : Expr(Position);
public sealed record TextExpr(string Text, int Position) : Expr(Position);
public sealed record NameExpr(string Name, int Position) : Expr(Position);
public sealed record NegateExpr(Expr Operand, int Position) : Expr(Position);
public sealed record BinaryExpr(string Op, Expr Left, Expr Right, int Position) : Expr(Position);
public sealed record CallExpr(string Function, IReadOnlyList<Expr> Args, int Position) : Expr(Position);

public static class FormulaParser
{
    sealed record Token(string Kind, string Text, int Position);

    /// <summary>
    /// Parses a formula of at most <see cref="InputLimits.FormulaMaxLength"/> characters nested at most
    /// <see cref="InputLimits.FormulaMaxNesting"/> deep: the parser and every walker of the tree recurse,
    /// so an unbounded formula could overflow the stack and take the process down (issue 14 item 1).
    /// </summary>
    public static Expr Parse(string formula)
    {
        if (formula.Length > InputLimits.FormulaMaxLength)
            throw new FormulaException($"at most {InputLimits.FormulaMaxLength} characters, got {formula.Length}", InputLimits.FormulaMaxLength);
        var tokens = Tokenize(formula);
        var index = 0;
        var expr = Comparison(tokens, ref index, 0);
        if (tokens[index].Kind != "end")
            throw new FormulaException($"unexpected \"{tokens[index].Text}\" at position {tokens[index].Position}: expected an operator or the end", tokens[index].Position);
        return expr;
    }

    static List<Token> Tokenize(string s)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            var start = i;
            if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < s.Length && char.IsAsciiDigit(s[i + 1])))
            {
                while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.')) i++;
                tokens.Add(new Token("number", s[start..i], start));
            }
            else if (char.IsAsciiLetter(c) || c == '_')
            {
                while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || s[i] == '_')) i++;
                tokens.Add(new Token("name", s[start..i], start));
            }
            else if (c == '"')
            {
                var end = s.IndexOf('"', i + 1);
                if (end < 0)
                    throw new FormulaException($"unterminated string at position {start}", start);
                tokens.Add(new Token("string", s[(i + 1)..end], start));
                i = end + 1;
            }
            else if (i + 1 < s.Length && s.Substring(i, 2) is "<=" or ">=" or "==" or "!=")
            {
                tokens.Add(new Token("op", s.Substring(i, 2), start));
                i += 2;
            }
            else if ("+-*/(),<>".Contains(c))
            {
                tokens.Add(new Token("op", c.ToString(), start));
                i++;
            }
            else
                throw new FormulaException($"unexpected character '{c}' at position {start}", start);
        }
        tokens.Add(new Token("end", "end of formula", s.Length));
        return tokens;
    }

    static Expr Comparison(List<Token> t, ref int i, int depth)
    {
        var left = Sum(t, ref i, depth);
        if (t[i].Kind == "op" && t[i].Text is "<" or "<=" or ">" or ">=" or "==" or "!=")
        {
            var op = t[i++];
            return new BinaryExpr(op.Text, left, Sum(t, ref i, depth), op.Position);
        }
        return left;
    }

    static Expr Sum(List<Token> t, ref int i, int depth)
    {
        var left = Product(t, ref i, depth);
        while (t[i].Kind == "op" && t[i].Text is "+" or "-")
        {
            var op = t[i++];
            left = new BinaryExpr(op.Text, left, Product(t, ref i, depth), op.Position);
        }
        return left;
    }

    static Expr Product(List<Token> t, ref int i, int depth)
    {
        var left = Unary(t, ref i, depth);
        while (t[i].Kind == "op" && t[i].Text is "*" or "/")
        {
            var op = t[i++];
            left = new BinaryExpr(op.Text, left, Unary(t, ref i, depth), op.Position);
        }
        return left;
    }

    /// <param name="depth">Levels opened so far (parentheses, calls, signs); refused past <see cref="InputLimits.FormulaMaxNesting"/>.</param>
    static Expr Unary(List<Token> t, ref int i, int depth)
    {
        var token = t[i];
        if (depth > InputLimits.FormulaMaxNesting)
            throw new FormulaException($"nesting deeper than {InputLimits.FormulaMaxNesting} at position {token.Position}", token.Position);
        switch (token.Kind)
        {
            case "op" when token.Text == "-":
                i++;
                return new NegateExpr(Unary(t, ref i, depth + 1), token.Position);
            case "op" when token.Text == "(":
                i++;
                var inner = Comparison(t, ref i, depth + 1);
                Expect(t, ref i, ")");
                return inner;
            case "number":
                i++;
                if (!decimal.TryParse(token.Text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
                    throw new FormulaException($"bad number \"{token.Text}\" at position {token.Position}", token.Position);
                return new NumberExpr(number, token.Position);
            case "string":
                i++;
                return new TextExpr(token.Text, token.Position);
            case "name":
                i++;
                if (!(t[i].Kind == "op" && t[i].Text == "("))
                    return new NameExpr(token.Text, token.Position);
                i++;
                var args = new List<Expr>();
                if (!(t[i].Kind == "op" && t[i].Text == ")"))
                {
                    args.Add(Comparison(t, ref i, depth + 1));
                    while (t[i].Kind == "op" && t[i].Text == ",")
                    {
                        i++;
                        args.Add(Comparison(t, ref i, depth + 1));
                    }
                }
                Expect(t, ref i, ")");
                return new CallExpr(token.Text, args, token.Position);
            default:
                throw new FormulaException($"unexpected \"{token.Text}\" at position {token.Position}: expected a number, a function or \"(\"", token.Position);
        }
    }

    static void Expect(List<Token> t, ref int i, string text)
    {
        if (!(t[i].Kind == "op" && t[i].Text == text))
            throw new FormulaException($"unexpected \"{t[i].Text}\" at position {t[i].Position}: expected \"{text}\"", t[i].Position);
        i++;
    }
}
