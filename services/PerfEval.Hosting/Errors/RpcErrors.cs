using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using PerfEval.SharedKernel.Errors;

namespace PerfEval.Hosting.Errors;

/// <summary>
/// Rich gRPC errors (google.rpc.Status with BadRequest and ErrorInfo details), so an integrator
/// sees every bad field of a request at once, by its path ("entries[2].lines[0].amount_fen").
/// </summary>
public static class RpcErrors
{
    public const string Domain = "perfeval";

    public static RpcException InvalidArgument(IReadOnlyCollection<FieldViolation> violations)
    {
        var summary = string.Join("; ", violations.Take(5).Select(v => $"{v.Field}: {v.Description}"));
        if (violations.Count > 5)
            summary += $"; … {violations.Count - 5} more";
        var badRequest = new BadRequest();
        badRequest.FieldViolations.AddRange(violations.Select(v => new BadRequest.Types.FieldViolation { Field = v.Field, Description = v.Description }));
        return Build(StatusCode.InvalidArgument, $"Invalid request: {summary}", "INVALID_ARGUMENT", badRequest);
    }

    public static RpcException NotFound(string what, string reason = NotFoundException.DefaultReason) => Build(StatusCode.NotFound, what, reason);

    public static RpcException AlreadyExists(string what, string? field = null, string reason = "ALREADY_EXISTS")
    {
        if (field is null)
            return Build(StatusCode.AlreadyExists, what, reason);
        var badRequest = new BadRequest();
        badRequest.FieldViolations.Add(new BadRequest.Types.FieldViolation { Field = field, Description = what });
        return Build(StatusCode.AlreadyExists, what, reason, badRequest);
    }

    public static RpcException FailedPrecondition(string what, string reason) => Build(StatusCode.FailedPrecondition, what, reason);

    /// <summary>The caller is known but may not do this; the ErrorInfo metadata says what was refused (e.g. "field").</summary>
    public static RpcException PermissionDenied(string what, string reason, IReadOnlyDictionary<string, string> metadata)
    {
        var info = new ErrorInfo { Reason = reason, Domain = Domain };
        foreach (var (key, value) in metadata)
            info.Metadata[key] = value;
        var status = new Google.Rpc.Status { Code = (int)StatusCode.PermissionDenied, Message = what };
        status.Details.Add(Any.Pack(info));
        return status.ToRpcException();
    }

    static RpcException Build(StatusCode code, string message, string reason, params Google.Protobuf.IMessage[] details)
    {
        var status = new Google.Rpc.Status { Code = (int)code, Message = message };
        status.Details.Add(Any.Pack(new ErrorInfo { Reason = reason, Domain = Domain }));
        foreach (var detail in details)
            status.Details.Add(Any.Pack(detail));
        return status.ToRpcException();
    }

    /// <summary>The one place a domain exception becomes a gRPC status (see DomainErrorInterceptor).</summary>
    public static RpcException From(DomainException exception) => exception switch
    {
        InvalidRequestException invalid => InvalidArgument(invalid.Violations),
        NotFoundException notFound => NotFound(notFound.Message, notFound.Reason),
        ConflictException conflict => AlreadyExists(conflict.Message, conflict.Field, conflict.Reason),
        PreconditionFailedException precondition => FailedPrecondition(precondition.Message, precondition.Reason),
        _ => throw new ArgumentOutOfRangeException(nameof(exception), exception.GetType().Name, "a domain exception without a gRPC mapping"),
    };

    /// <summary>The ErrorInfo reason of a rich status, or null when it carries none.</summary>
    public static string? ReasonOf(RpcException exception) =>
        exception.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason;
}
