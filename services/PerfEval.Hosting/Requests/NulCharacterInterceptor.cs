using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace PerfEval.Hosting.Requests;

/// <summary>
/// Refuses a request holding a NUL character in any string, by its field path, before the handler runs
/// (issue 14 item 8): PostgreSQL cannot store it, and a handler should never see it. Registered after
/// <see cref="Errors.DomainErrorInterceptor"/>, so the refusal is a rich INVALID_ARGUMENT. A handler
/// reading a client stream checks each message itself (none of the services using this has one).
/// </summary>
public sealed class NulCharacterInterceptor : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Check(request);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(request);
        return continuation(request, responseStream, context);
    }

    static void Check<TRequest>(TRequest request)
    {
        if (request is IMessage message)
            NulCharacters.ThrowIfAny(message);
    }
}
