using Grpc.Core;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace PerfEval.Hosting.Messaging;

/// <summary>
/// An event about an evaluation that the upstream service answers NOT_FOUND for cannot succeed on a
/// retry: it was published by another deployment on the same broker (the exchanges are fanout and
/// shared by contract) or its data is gone. It is acknowledged with a warning instead of being
/// retried into the _error queue, which would only delay the events that can be processed.
/// </summary>
public sealed class UnknownEvaluationFilter<T>(ILogger<UnknownEvaluationFilter<T>> logger) : IFilter<ConsumeContext<T>>
    where T : class
{
    public async Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        try
        {
            await next.Send(context);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            logger.LogWarning("Skipped {MessageType} {MessageId}: the upstream service does not know its evaluation ({Detail})",
                typeof(T).Name, context.MessageId, ex.Status.Detail);
        }
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("unknownEvaluation");
}
