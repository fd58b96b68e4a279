using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

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

    public static RpcException NotFound(string what) => Build(StatusCode.NotFound, what, "NOT_FOUND");

    public static RpcException AlreadyExists(string what, string? field = null)
    {
        if (field is null)
            return Build(StatusCode.AlreadyExists, what, "ALREADY_EXISTS");
        var badRequest = new BadRequest();
        badRequest.FieldViolations.Add(new BadRequest.Types.FieldViolation { Field = field, Description = what });
        return Build(StatusCode.AlreadyExists, what, "ALREADY_EXISTS", badRequest);
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
}

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
            throw RpcErrors.InvalidArgument(_items);
    }
}
