using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using PerfEval.Client;
using Serilog.Context;

namespace PerfEval.Hosting.Security;

/// <summary>
/// The audit trail of every call (ARCHITECTURE §Security: every write is audited with the caller's
/// identity): one structured log line per call with the method, the caller (token subject), the
/// region it may act for, the outcome and the time taken; refusals included, since this runs
/// outside the region check. During the call every log line carries the caller, and
/// <see cref="Callers.Current"/> names it to storage code (request-id rows store it).
/// Health and reflection carry no data and are left out.
/// </summary>
public sealed partial class CallAuditInterceptor(ILogger<CallAuditInterceptor> logger) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation) =>
        AuditAsync(context, () => continuation(request, context));

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation) =>
        AuditAsync(context, () => continuation(requestStream, context));

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation) =>
        AuditAsync(context, async () =>
        {
            await continuation(request, responseStream, context);
            return true;
        });

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation) =>
        AuditAsync(context, async () =>
        {
            await continuation(requestStream, responseStream, context);
            return true;
        });

    async Task<T> AuditAsync<T>(ServerCallContext context, Func<Task<T>> call)
    {
        if (context.Method.StartsWith("/grpc.health.", StringComparison.Ordinal) || context.Method.StartsWith("/grpc.reflection.", StringComparison.Ordinal))
            return await call();

        var caller = Callers.Identity(context);
        var region = context.GetHttpContext().User.FindFirst(AccessTokens.RegionClaim)?.Value ?? "";
        var started = Stopwatch.GetTimestamp();
        // Set inside this async method, so it flows into the call and is gone when the method returns.
        Callers.Current = caller;
        using var _ = LogContext.PushProperty("Caller", caller);
        try
        {
            var result = await call();
            LogCall(context.Method, caller, region, StatusCode.OK, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return result;
        }
        catch (RpcException ex)
        {
            LogCall(context.Method, caller, region, ex.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            throw;
        }
        catch (Exception) when (context.CancellationToken.IsCancellationRequested)
        {
            LogCall(context.Method, caller, region, StatusCode.Cancelled, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            throw;
        }
        catch (Exception)
        {
            LogCall(context.Method, caller, region, StatusCode.Unknown, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Audit {GrpcMethod} by {Caller} (region {CallerRegion}): {GrpcStatus} in {ElapsedMs:0.0} ms")]
    partial void LogCall(string grpcMethod, string caller, string callerRegion, StatusCode grpcStatus, double elapsedMs);
}
