namespace PerfEval.Indicator.Domain;

/// <summary>
/// The bounds every parser of the indicator service holds to (issue 14 items 1 and 4). Each is far above
/// any real input (the built-in systems' longest formula is about 120 characters, nested 3 deep; a
/// 自评表 has a few dozen items) and low enough that one request cannot exhaust the stack, memory or CPU.
/// </summary>
public static class InputLimits
{
    /// <summary>Characters in one formula. Also bounds the depth of an operator chain ("1+1+…") to about half of it.</summary>
    public const int FormulaMaxLength = 2_000;

    /// <summary>Nesting levels in a formula: each parenthesis, function call and leading minus sign is one level.</summary>
    public const int FormulaMaxNesting = 64;

    /// <summary>Characters in one target text (指标值), e.g. "105%≥x≥95%".</summary>
    public const int TargetMaxLength = 200;

    /// <summary>Characters in a YAML or JSON system file (ImportSystem, SetEvaluationTable file_text).</summary>
    public const int SystemFileMaxLength = 1024 * 1024;

    /// <summary>Nesting levels of mappings and sequences in a system file; the file's own shape needs 7.</summary>
    public const int SystemFileMaxNesting = 16;

    /// <summary>Level-3 items (三级指标) in one indicator system or target table.</summary>
    public const int SystemMaxIndicators = 500;
}
