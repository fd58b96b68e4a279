using System.Text;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using PerfEval.SharedKernel.Errors;

namespace PerfEval.Hosting.Errors;

/// <summary>
/// Rich gRPC errors (google.rpc.Status with BadRequest and ErrorInfo details), so an integrator
/// sees every bad field of a request at once, by its path ("entries[2].lines[0].amount_fen").
/// An error's trailers stay under 8 KiB whatever the input (issue 14 item 5; grpc-java's default limit,
/// and a grpc-js connection hangs past it): a quoted value is cut to a short prefix, the message and each
/// violation are capped, and violations past a byte budget are summed up as "… and N more".
/// </summary>
public static class RpcErrors
{
    public const string Domain = "perfeval";

    /// <summary>Characters of a quoted input value ("…") an error repeats back.</summary>
    public const int MaxQuotedChars = 64;

    /// <summary>UTF-8 bytes of the status message; sent twice (grpc-message percent-encoded, up to 3 characters a byte, and inside the details).</summary>
    public const int MaxMessageBytes = 512;

    /// <summary>UTF-8 bytes of one violation's field path and of its description.</summary>
    public const int MaxFieldBytes = 256;
    public const int MaxDescriptionBytes = 768;

    /// <summary>Violations listed at most, and the serialized BadRequest's byte budget (base64 in the trailer: a third more).</summary>
    public const int MaxViolations = 50;
    public const int MaxBadRequestBytes = 3_500;

    public static RpcException InvalidArgument(IReadOnlyCollection<FieldViolation> violations)
    {
        var summary = string.Join("; ", violations.Take(5).Select(v => $"{Clip(v.Field, MaxFieldBytes)}: {Bounded(v.Description, MaxDescriptionBytes)}"));
        if (violations.Count > 5)
            summary += $"; … {violations.Count - 5} more";
        var badRequest = new BadRequest();
        var listed = 0;
        foreach (var v in violations)
        {
            var violation = new BadRequest.Types.FieldViolation { Field = Clip(v.Field, MaxFieldBytes), Description = Bounded(v.Description, MaxDescriptionBytes) };
            if (listed == MaxViolations || badRequest.CalculateSize() + violation.CalculateSize() + 8 > MaxBadRequestBytes)
                break;
            badRequest.FieldViolations.Add(violation);
            listed++;
        }
        if (listed < violations.Count)
        {
            var more = new BadRequest.Types.FieldViolation { Field = "…", Description = $"and {violations.Count - listed} more" };
            // Make room for the summary line when the budget is spent: it is what says the list is not whole.
            while (badRequest.FieldViolations.Count > 0 && badRequest.CalculateSize() + more.CalculateSize() + 8 > MaxBadRequestBytes)
            {
                badRequest.FieldViolations.RemoveAt(badRequest.FieldViolations.Count - 1);
                listed--;
                more.Description = $"and {violations.Count - listed} more";
            }
            badRequest.FieldViolations.Add(more);
        }
        return Build(StatusCode.InvalidArgument, $"Invalid request: {summary}", "INVALID_ARGUMENT", badRequest);
    }

    static readonly Regex QuotedValue = new("\"([^\"]{" + (MaxQuotedChars + 1) + ",})\"", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>Cuts every quoted value to its first <see cref="MaxQuotedChars"/> characters, then the whole text to <paramref name="maxBytes"/>.</summary>
    public static string Bounded(string text, int maxBytes) =>
        Clip(QuotedValue.Replace(text, m => $"\"{Prefix(m.Groups[1].Value, MaxQuotedChars)}…\""), maxBytes);

    /// <summary>The text, or its longest prefix that fits <paramref name="maxBytes"/> UTF-8 bytes with "…" after it.</summary>
    public static string Clip(string text, int maxBytes)
    {
        if (text.Length <= maxBytes / 3 || Encoding.UTF8.GetByteCount(text) <= maxBytes)
            return text;
        var budget = maxBytes - 3; // "…" is three bytes
        var length = 0;
        var bytes = 0;
        while (length < text.Length)
        {
            var step = char.IsHighSurrogate(text[length]) && length + 1 < text.Length ? 2 : 1;
            var size = Encoding.UTF8.GetByteCount(text.AsSpan(length, step));
            if (bytes + size > budget)
                break;
            bytes += size;
            length += step;
        }
        return text[..length] + "…";
    }

    static string Prefix(string text, int chars) =>
        text.Length <= chars ? text : text[..(char.IsHighSurrogate(text[chars - 1]) ? chars - 1 : chars)];

    public static RpcException NotFound(string what, string reason = NotFoundException.DefaultReason) => Build(StatusCode.NotFound, what, reason);

    public static RpcException AlreadyExists(string what, string? field = null, string reason = "ALREADY_EXISTS")
    {
        if (field is null)
            return Build(StatusCode.AlreadyExists, what, reason);
        var badRequest = new BadRequest();
        badRequest.FieldViolations.Add(new BadRequest.Types.FieldViolation { Field = Clip(field, MaxFieldBytes), Description = Bounded(what, MaxDescriptionBytes) });
        return Build(StatusCode.AlreadyExists, what, reason, badRequest);
    }

    public static RpcException FailedPrecondition(string what, string reason) => Build(StatusCode.FailedPrecondition, what, reason);

    /// <summary>The caller is known but may not do this; the ErrorInfo metadata says what was refused (e.g. "field").</summary>
    public static RpcException PermissionDenied(string what, string reason, IReadOnlyDictionary<string, string> metadata)
    {
        var info = new ErrorInfo { Reason = reason, Domain = Domain };
        foreach (var (key, value) in metadata)
            info.Metadata[key] = Clip(value, MaxFieldBytes);
        var status = new Google.Rpc.Status { Code = (int)StatusCode.PermissionDenied, Message = Bounded(what, MaxMessageBytes) };
        status.Details.Add(Any.Pack(info));
        return status.ToRpcException();
    }

    static RpcException Build(StatusCode code, string message, string reason, params IMessage[] details)
    {
        var status = new Google.Rpc.Status { Code = (int)code, Message = Bounded(message, MaxMessageBytes) };
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
