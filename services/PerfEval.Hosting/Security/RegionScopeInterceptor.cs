using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using PerfEval.Client;
using PerfEval.Hosting.Errors;

namespace PerfEval.Hosting.Security;

/// <summary>gRPC methods (full names, "/package.Service/Method") only a caller with every region ("*") may call.</summary>
public sealed class NationalScopeMethods(IEnumerable<string> methods)
{
    readonly HashSet<string> _methods = methods.ToHashSet(StringComparer.Ordinal);

    public bool Contains(string method) => _methods.Contains(method);
}

/// <summary>
/// Refuses, before any handler runs, a request that names a region outside the caller's scope
/// (PERMISSION_DENIED, naming the field), and a catalog-wide write by a caller without national
/// scope. Streams are checked message by message, so a bulk ingest cannot slip a foreign region
/// into its hundredth chunk. Authentication itself (who the caller is) is ASP.NET Core's JWT bearer
/// handler; this is the authorization that depends on the request's content.
/// </summary>
public sealed class RegionScopeInterceptor(NationalScopeMethods nationalOnly) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var prefix = CallerPrefix(context);
        Check(prefix, request, context);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var prefix = CallerPrefix(context);
        Check(prefix, request, context);
        return continuation(request, responseStream, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var prefix = CallerPrefix(context);
        return continuation(new CheckedReader<TRequest>(requestStream, request => Check(prefix, request, context)), context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        // The refused message ends the call: everything acknowledged before it stays committed.
        var prefix = CallerPrefix(context);
        return continuation(new CheckedReader<TRequest>(requestStream, request => Check(prefix, request, context)), responseStream, context);
    }

    /// <summary>The caller's region prefix ("" = every region), or null when the token grants none.</summary>
    string? CallerPrefix(ServerCallContext context)
    {
        var user = context.GetHttpContext().User;
        var prefix = AccessTokens.RegionPrefix(user.FindFirst(AccessTokens.RegionClaim)?.Value);
        if (nationalOnly.Contains(context.Method) && prefix != "")
            throw RpcErrors.PermissionDenied(
                $"{context.Method} changes the catalog every region shares; it needs a token for every region (\"{AccessTokens.RegionClaim}\": \"*\")",
                "NATIONAL_SCOPE_REQUIRED", new Dictionary<string, string> { ["method"] = context.Method, ["caller"] = Callers.Identity(context) });
        return prefix;
    }

    static void Check<TRequest>(string? prefix, TRequest request, ServerCallContext context)
    {
        if (request is not IMessage message)
            return;
        foreach (var (path, regionCode) in RegionScope.RegionsIn(message))
        {
            if (RegionScope.Covers(prefix, regionCode))
                continue;
            var claim = context.GetHttpContext().User.FindFirst(AccessTokens.RegionClaim)?.Value;
            var scope = claim is null ? "no region" : claim == AccessTokens.AllRegions ? "every region" : $"region {claim} and what lies under it";
            throw RpcErrors.PermissionDenied(
                $"{path}: {regionCode} is outside what {Callers.Identity(context)} may act for ({scope})",
                "REGION_OUT_OF_SCOPE", new Dictionary<string, string>
                {
                    ["field"] = path,
                    ["region_code"] = regionCode,
                    ["caller_region"] = claim ?? "",
                });
        }
    }

    sealed class CheckedReader<T>(IAsyncStreamReader<T> inner, Action<T> check) : IAsyncStreamReader<T>
    {
        public T Current => inner.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            if (!await inner.MoveNext(cancellationToken))
                return false;
            check(inner.Current);
            return true;
        }
    }
}

/// <summary>Who is calling: the authenticated token's subject, recorded with every write.</summary>
public static class Callers
{
    static readonly AsyncLocal<string?> CurrentCaller = new();

    public static string Identity(ServerCallContext context) =>
        context.GetHttpContext().User.Identity?.Name is { Length: > 0 } name ? name[..Math.Min(name.Length, 128)] : "anonymous";

    /// <summary>
    /// The caller of the gRPC call this code runs in (set by <see cref="CallAuditInterceptor"/>), or
    /// "service" for the service's own work (consumers, start-up), which no caller asked for.
    /// </summary>
    public static string Current
    {
        get => CurrentCaller.Value ?? "service";
        set => CurrentCaller.Value = value;
    }
}
