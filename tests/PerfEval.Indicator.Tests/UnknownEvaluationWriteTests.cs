using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Hosting.Errors;
using PerfEval.Indicator.Application;
using PerfEval.Indicator.Upstream;
using PerfEval.SharedKernel.Errors;

namespace PerfEval.Indicator.Tests;

/// <summary>Issue 14 item 10: the indicator refuses writes for evaluations the ledger does not know.</summary>
public class UnknownEvaluationWriteTests
{
    /// <summary>A ledger that knows no subject: GetBalances answers as the real one does.</summary>
    sealed class EmptyLedger : ILedgerFacts
    {
        public Task<LedgerSnapshot> GetAsync(EvaluationKey key, CancellationToken cancellationToken) =>
            throw RpcErrors.From(NotFoundException.Evaluation($"{key.RegionCode}/{key.SubjectCode}/{key.FiscalYear}"));
    }

    // Every other collaborator is null: the refusal must come before anything is stored or read.
    static readonly IndicatorWrites Writes = new(null!, null!, null!, null!, new EmptyLedger(), NullLogger<IndicatorWrites>.Instance);

    static readonly EvaluationKey Unknown = new() { RegionCode = "653129", SubjectCode = "no-such-fund", FiscalYear = 2020 };

    [Fact]
    public async Task Declared_actuals_for_an_evaluation_the_ledger_does_not_know_are_not_found_naming_it()
    {
        var request = new RecordDeclaredActualsRequest { RequestId = Guid.NewGuid().ToString(), Evaluation = Unknown };
        request.Actuals.Add(new DeclaredActual { IndicatorCode = "insured-rate", Value = "98" });
        var e = await Assert.ThrowsAsync<NotFoundException>(() => Writes.RecordDeclaredActualsAsync(request, CancellationToken.None));
        Assert.Equal(NotFoundException.EvaluationNotFound, e.Reason);
        Assert.Contains("653129/no-such-fund/2020", e.Message);
    }

    [Fact]
    public async Task Binding_an_evaluation_the_ledger_does_not_know_is_not_found_naming_it()
    {
        var request = new BindEvaluationSystemRequest { RequestId = Guid.NewGuid().ToString(), Evaluation = Unknown, SystemCode = "resident-fund" };
        var e = await Assert.ThrowsAsync<NotFoundException>(() => Writes.BindAsync(request, CancellationToken.None));
        Assert.Equal(NotFoundException.EvaluationNotFound, e.Reason);
        Assert.Contains("653129/no-such-fund/2020", e.Message);
    }

    [Fact]
    public async Task A_ledger_that_cannot_answer_fails_the_write_as_unavailable_not_as_not_found()
    {
        var down = new IndicatorWrites(null!, null!, null!, null!, new DownLedger(), NullLogger<IndicatorWrites>.Instance);
        var request = new BindEvaluationSystemRequest { RequestId = Guid.NewGuid().ToString(), Evaluation = Unknown, SystemCode = "resident-fund" };
        Assert.Equal(StatusCode.Unavailable, (await Assert.ThrowsAsync<RpcException>(() => down.BindAsync(request, CancellationToken.None))).StatusCode);
    }

    sealed class DownLedger : ILedgerFacts
    {
        public Task<LedgerSnapshot> GetAsync(EvaluationKey key, CancellationToken cancellationToken) =>
            throw new RpcException(new Status(StatusCode.Unavailable, "ledger down"));
    }
}
