using Npgsql;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Indicator.Domain;
using PerfEval.Indicator.Storage;
using PerfEval.SharedKernel.Errors;

namespace PerfEval.Indicator.Tests;

/// <summary>The indicator store against the real PostgreSQL: system versions and stored computations.</summary>
public sealed class IndicatorStoreTests : IAsyncLifetime
{
    NpgsqlDataSource _dataSource = null!;
    IndicatorStore _store = null!;

    public async Task InitializeAsync()
    {
        (_dataSource, _) = await TestDatabase.OpenAsync();
        _store = new IndicatorStore(_dataSource);
    }

    public async Task DisposeAsync() => await _dataSource.DisposeAsync();

    // A code and subject of their own per run keep runs on the shared test database apart.
    static IndicatorSystem NewSystem(params string[] indicatorCodes)
    {
        var system = new IndicatorSystem { SystemCode = $"store-test-{Guid.NewGuid():N}", Version = 1, Name = "测试体系", SubjectKind = "resident-fund" };
        system.Indicators.AddRange(indicatorCodes.Select(code => new IndicatorDefinition { Code = code, Name = code, Formula = "1" }));
        return system;
    }

    static EvaluationKey NewEvaluation() =>
        new() { RegionCode = "340600", SubjectCode = $"store-{Guid.NewGuid():N}"[..30], FiscalYear = 2020 };

    static Func<long, IReadOnlyList<ComputedValue>, Google.Protobuf.IMessage> Announce(EvaluationKey key) =>
        (version, changed) => new PerfEval.Contracts.Events.V1.IndicatorValuesChanged { Evaluation = key, ValueVersion = version };

    static ComputedValue Value(string code, decimal? value) =>
        new(code, code, "%", value, value is null ? "missing input" : "", false, []);

    [Fact]
    public async Task The_same_system_version_again_is_a_no_op_and_a_different_definition_under_it_is_a_conflict_on_the_version()
    {
        var system = NewSystem("a1");
        await _store.SaveSystemAsync(system, builtIn: false, CancellationToken.None);
        Assert.Equal(system, await _store.SaveSystemAsync(system.Clone(), builtIn: false, CancellationToken.None));

        var changed = system.Clone();
        changed.Name = "另一个体系";
        var conflict = await Assert.ThrowsAsync<ConflictException>(() => _store.SaveSystemAsync(changed, builtIn: false, CancellationToken.None));
        Assert.Equal("system.version", conflict.Field);
        Assert.Equal(system, await _store.GetSystemAsync(system.SystemCode, 0, CancellationToken.None));
    }

    [Fact]
    public async Task Only_changed_values_get_a_new_version_and_a_computation_from_older_inputs_is_not_stored()
    {
        var key = NewEvaluation();
        var evaluationKey = PerfEval.Hosting.Evaluations.EvaluationKeys.Format(key);
        var system = NewSystem("a1", "a2");
        Assert.Null(await _store.GetLatestAsync(evaluationKey, CancellationToken.None));

        Assert.Equal(1, await _store.SaveAsync(key, 5, 0, system, [Value("a1", 90m), Value("a2", null)], Announce(key), CancellationToken.None));
        Assert.Null(await _store.SaveAsync(key, 5, 0, system, [Value("a1", 90m), Value("a2", null)], Announce(key), CancellationToken.None));
        Assert.Null(await _store.SaveAsync(key, 4, 0, system, [Value("a1", 10m), Value("a2", 10m)], Announce(key), CancellationToken.None));
        Assert.Equal(2, await _store.SaveAsync(key, 6, 0, system, [Value("a1", 90m), Value("a2", 75.5m)], Announce(key), CancellationToken.None));

        var latest = await _store.GetLatestAsync(evaluationKey, CancellationToken.None);
        Assert.NotNull(latest);
        Assert.Equal((6L, 2L), (latest.LedgerVersion, latest.ValueVersion));
        Assert.Equal(["90", "75.5"], latest.Values.Select(v => v.Value));
        Assert.Equal([1L, 2L], latest.Lineage.Select(l => l.ValueVersion));
        Assert.Equal(new ComputedState(6, 0, system.SystemCode, 1, 2), await _store.StateAsync(evaluationKey, CancellationToken.None));
    }

    [Fact]
    public async Task An_item_the_newly_bound_system_no_longer_has_is_no_longer_reported()
    {
        var key = NewEvaluation();
        var evaluationKey = PerfEval.Hosting.Evaluations.EvaluationKeys.Format(key);
        await _store.SaveAsync(key, 1, 0, NewSystem("a1", "a2"), [Value("a1", 1m), Value("a2", 2m)], Announce(key), CancellationToken.None);

        Assert.Equal(2, await _store.SaveAsync(key, 1, 0, NewSystem("a1"), [Value("a1", 1m)], Announce(key), CancellationToken.None));

        var latest = await _store.GetLatestAsync(evaluationKey, CancellationToken.None);
        Assert.Equal(["a1"], latest!.Values.Select(v => v.IndicatorCode));
        Assert.Equal(["a1"], (await _store.LatestValuesAsync(evaluationKey, CancellationToken.None)).Keys);
    }
}
