using System.Reflection;
using Grpc.Core;
using MassTransit;
using Microsoft.Extensions.Logging.Abstractions;
using PerfEval.Contracts.Events.V1;
using PerfEval.Hosting.Errors;
using PerfEval.Messaging;
using PerfEval.SharedKernel.Errors;

namespace PerfEval.Storage.Tests;

public class UnknownEvaluationFilterTests
{
    /// <summary>A consume context whose members all answer their defaults: the filter reads none it depends on.</summary>
    public class BlankContext : DispatchProxy
    {
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod?.ReturnType is { IsValueType: true } type && type != typeof(void) ? Activator.CreateInstance(type) : null;
    }

    sealed class Failing(Exception exception) : IPipe<ConsumeContext<LedgerChanged>>
    {
        public int Calls { get; private set; }

        public Task Send(ConsumeContext<LedgerChanged> context)
        {
            Calls++;
            throw exception;
        }

        public void Probe(ProbeContext context) { }
    }

    static Task SendThroughFilterAsync(Failing next) =>
        new UnknownEvaluationFilter<LedgerChanged>(NullLogger<UnknownEvaluationFilter<LedgerChanged>>.Instance)
            .Send(DispatchProxy.Create<ConsumeContext<LedgerChanged>, BlankContext>(), next);

    [Fact]
    public async Task An_upstream_that_does_not_know_the_evaluation_is_acknowledged()
    {
        var next = new Failing(RpcErrors.NotFound("no evaluation 653129/resident-fund/2020", NotFoundException.EvaluationNotFound));
        await SendThroughFilterAsync(next);
        Assert.Equal(1, next.Calls);
    }

    [Fact]
    public async Task Any_other_not_found_goes_on_to_the_retries_and_the_error_queue()
    {
        var missingSystem = RpcErrors.NotFound("no built-in indicator system resident-fund");
        var thrown = await Assert.ThrowsAsync<RpcException>(() => SendThroughFilterAsync(new Failing(missingSystem)));
        Assert.Same(missingSystem, thrown);

        var unavailable = new RpcException(new Status(StatusCode.Unavailable, "ledger is restarting"));
        Assert.Same(unavailable, await Assert.ThrowsAsync<RpcException>(() => SendThroughFilterAsync(new Failing(unavailable))));
    }
}
