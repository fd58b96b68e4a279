namespace PerfEval.SharedKernel.Errors;

/// <summary>
/// A rule of the domain refused the operation. Domain and Application code throw these; the
/// Hosting interceptor maps each kind to one gRPC status with rich details, so no layer below the
/// API knows about status codes. <see cref="Reason"/> becomes ErrorInfo.reason (UPPER_SNAKE).
/// </summary>
public abstract class DomainException(string message, string reason) : Exception(message)
{
    public string Reason { get; } = reason;
}

/// <summary>The request names something that does not exist (NOT_FOUND).</summary>
public sealed class NotFoundException(string message, string reason = NotFoundException.DefaultReason)
    : DomainException(message, reason)
{
    public const string DefaultReason = "NOT_FOUND";

    /// <summary>
    /// The reason a service gives when it does not know an evaluation at all. Consumers treat this
    /// reason, and only this one, as "the upstream does not know the evaluation" (see
    /// UnknownEvaluationFilter); every other NOT_FOUND is a fault.
    /// </summary>
    public const string EvaluationNotFound = "EVALUATION_NOT_FOUND";

    public static NotFoundException Evaluation(string evaluationKey) =>
        new($"evaluation {evaluationKey} is not known", EvaluationNotFound);
}

/// <summary>The request is malformed: every bad field by its path (INVALID_ARGUMENT with BadRequest).</summary>
public sealed class InvalidRequestException(IReadOnlyList<FieldViolation> violations)
    : DomainException(Summarize(violations), "INVALID_ARGUMENT")
{
    public IReadOnlyList<FieldViolation> Violations { get; } = violations;

    public InvalidRequestException(string field, string description) : this([new FieldViolation(field, description)]) { }

    static string Summarize(IReadOnlyList<FieldViolation> violations)
    {
        var summary = string.Join("; ", violations.Take(5).Select(v => $"{v.Field}: {v.Description}"));
        if (violations.Count > 5)
            summary += $"; … {violations.Count - 5} more";
        return $"Invalid request: {summary}";
    }
}

/// <summary>The request contradicts what is stored, e.g. an id reused with other content (ALREADY_EXISTS).</summary>
public sealed class ConflictException(string message, string? field = null, string reason = "ALREADY_EXISTS")
    : DomainException(message, reason)
{
    /// <summary>The request field that collides, when one does; reported as a field violation.</summary>
    public string? Field { get; } = field;
}

/// <summary>The request is well-formed but the system is not in a state to accept it (FAILED_PRECONDITION).</summary>
public sealed class PreconditionFailedException(string message, string reason) : DomainException(message, reason);

/// <summary>One bad field of a request: its path and what is wrong with it.</summary>
public sealed record FieldViolation(string Field, string Description);

/// <summary>Collects every violation of a request before refusing it, so the caller fixes them in one go.</summary>
public sealed class FieldViolations
{
    readonly List<FieldViolation> _items = [];

    public IReadOnlyList<FieldViolation> Items => _items;
    public bool Any => _items.Count > 0;

    public void Add(string field, string description) => _items.Add(new FieldViolation(field, description));

    public void ThrowIfAny()
    {
        if (Any)
            throw new InvalidRequestException(_items.ToArray());
    }
}
