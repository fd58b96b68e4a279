using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Indicator.Storage;
using PerfEval.SharedKernel.Errors;

namespace PerfEval.Indicator.Tests;

/// <summary>DefineSystem, ImportSystem and BindEvaluationSystem store their request ids (AIP-155) in the shared store.</summary>
public class RequestIdTests
{
    static IndicatorSystem System(string code, int version) =>
        new() { SystemCode = code, Version = version, Name = $"{code} v{version}", SubjectKind = "resident-fund" };

    static string NewId() => $"test-{Guid.NewGuid():N}";

    [Fact]
    public async Task A_retried_DefineSystem_is_recognised_and_another_definition_under_its_id_is_refused()
    {
        var (dataSource, _) = await TestDatabase.OpenAsync();
        var store = new IndicatorStore(dataSource);
        var code = NewId();
        var requestId = NewId();
        var define = new DefineSystemRequest { RequestId = requestId, System = System(code, 1) };

        Assert.Equal(define.System, await store.DefineSystemAsync(requestId, define, define.System, "", CancellationToken.None));
        Assert.Equal(define.System, await store.DefineSystemAsync(requestId, define, define.System, "", CancellationToken.None));

        var other = new DefineSystemRequest { RequestId = requestId, System = System(code, 2) };
        var refused = await Assert.ThrowsAsync<ConflictException>(() => store.DefineSystemAsync(requestId, other, other.System, "", CancellationToken.None));
        Assert.Equal("request_id", refused.Field);
        Assert.Null(await store.GetSystemAsync(code, 2, CancellationToken.None));
    }

    [Fact]
    public async Task A_retried_BindEvaluationSystem_replays_its_first_answer_and_another_binding_under_its_id_is_refused()
    {
        var (dataSource, _) = await TestDatabase.OpenAsync();
        var store = new IndicatorStore(dataSource);
        var code = NewId();
        foreach (var version in new[] { 1, 2 })
        {
            var define = new DefineSystemRequest { RequestId = NewId(), System = System(code, version) };
            await store.DefineSystemAsync(define.RequestId, define, define.System, "", CancellationToken.None);
        }
        var evaluation = new EvaluationKey { RegionCode = "653129", SubjectCode = NewId(), FiscalYear = 2020 };
        BindEvaluationSystemRequest Bind(string requestId, int version) =>
            new() { RequestId = requestId, Evaluation = evaluation, SystemCode = code, Version = version };
        var first = Bind(NewId(), 1);

        var (bound, changed) = await store.BindAsync(first.RequestId, first, System(code, 1), CancellationToken.None);
        Assert.True(changed);
        Assert.Equal(1, bound.System.Version);

        // Another request moves the binding on; the first one's retry must not move it back.
        var second = Bind(NewId(), 2);
        await store.BindAsync(second.RequestId, second, System(code, 2), CancellationToken.None);
        var (replayed, changedByRetry) = await store.BindAsync(first.RequestId, first, System(code, 1), CancellationToken.None);
        Assert.False(changedByRetry);
        Assert.Equal(bound, replayed);
        var key = $"{evaluation.RegionCode}/{evaluation.SubjectCode}/{evaluation.FiscalYear}";
        Assert.Equal((code, 2), await store.GetBindingAsync(key, CancellationToken.None));

        var reused = Bind(first.RequestId, 2);
        var refused = await Assert.ThrowsAsync<ConflictException>(() => store.BindAsync(reused.RequestId, reused, System(code, 2), CancellationToken.None));
        Assert.Equal("request_id", refused.Field);
    }
}
