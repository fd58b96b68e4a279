using Grpc.Core;
using MassTransit;
using Microsoft.Extensions.Logging;
using PerfEval.Hosting.Errors;
using PerfEval.SharedKernel.Errors;

namespace PerfEval.Messaging;

/// <summary>
/// An event about an evaluation that the upstream service does not know (NOT_FOUND with the reason
/// EVALUATION_NOT_FOUND) cannot succeed on a
/// retry: it was published by another deployment on the same broker (the exchanges are fanout and
/// shared by contract) or its data is gone. It is acknowledged with a warning instead of being
/// retried into the _error queue, which would only delay the events that can be processed.
/// Every other NOT_FOUND (a missing indicator system, a version that is gone) is a fault of this
/// deployment and goes through the retries to the _error queue, where an operator sees it.
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
        catch (RpcException ex) when (IsUnknownEvaluation(ex))
        {
            logger.LogWarning("Skipped {MessageType} {MessageId}: the upstream service does not know its evaluation ({Detail})",
                typeof(T).Name, context.MessageId, ex.Status.Detail);
        }
    }

    /// <summary>True only for the upstream's own "I do not know this evaluation" answer.</summary>
    public static bool IsUnknownEvaluation(RpcException exception) =>
        exception.StatusCode == StatusCode.NotFound && RpcErrors.ReasonOf(exception) == NotFoundException.EvaluationNotFound;

    public void Probe(ProbeContext context) => context.CreateFilterScope("unknownEvaluation");
}
