using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Events.V1;
using PerfEval.Hosting.Evaluations;
using PerfEval.Indicator.Domain;
using PerfEval.Indicator.Application;
using PerfEval.Indicator.Upstream;
using PerfEval.Indicator.Storage;
using PerfEval.Testing;

namespace PerfEval.Indicator.Tests;

/// <summary>A ledger in memory: each posting adds to 基本医疗保险费收入 and spends one ledger version.</summary>
sealed class FakeLedgerFacts : ILedgerFacts
{
    readonly Lock _lock = new();
    long _version;
    long _incomeFen;
    public long BudgetFen { get; init; } = Jiashi2020.Fen(36026.78m);

    public long Post(long amountFen)
    {
        lock (_lock)
        {
            _incomeFen += amountFen;
            return ++_version;
        }
    }

    public Task<LedgerSnapshot> GetAsync(EvaluationKey key, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Jiashi.Row[] rows = [new(new AccountFact("4001", "基本医疗保险费收入", "income", _incomeFen), BudgetFen), Jiashi.ResidentAccounts[1], Jiashi.ResidentAccounts[2]];
            return Task.FromResult(new LedgerSnapshot("resident-fund", _version, rows.Select(r => r.Account).ToList(), 0, null)
            {
                Budgets = Jiashi.FlatCoverage(rows),
            });
        }
    }
}

/// <summary>The recompute coordinator in-process against the real database, with the ledger faked.</summary>
public sealed class RecomputeBurstTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    NpgsqlDataSource _dataSource = null!;
    IndicatorStore _store = null!;
    SystemCatalog _systems = null!;

    public async Task InitializeAsync()
    {
        (_dataSource, _) = await TestDatabase.OpenAsync();
        _store = new IndicatorStore(_dataSource);
        _systems = new SystemCatalog(_store);
        await _systems.InstallBuiltInAsync(CancellationToken.None);
    }

    public async Task DisposeAsync() => await _dataSource.DisposeAsync();

    static EvaluationKey NewEvaluation() =>
        new() { RegionCode = "653129", SubjectCode = $"burst-{Guid.NewGuid():N}"[..30], FiscalYear = 2020 };

    /// <summary>A new evaluation bound to the built-in resident-fund table, as a bureau adopting the template would.</summary>
    async Task<EvaluationKey> NewBoundEvaluationAsync()
    {
        var key = NewEvaluation();
        var request = new Contracts.Indicator.V1.BindEvaluationSystemRequest { RequestId = Guid.NewGuid().ToString(), Evaluation = key, SystemCode = "resident-fund" };

        // The latest built-in version: other tests of this shared database define later, non-built-in ones.
        var system = (await _store.GetSystemAsync("resident-fund", 0, CancellationToken.None, builtInOnly: true))!;
        await _store.BindAsync(request.RequestId, request, system, CancellationToken.None);
        return key;
    }

    [Fact]
    public async Task An_evaluation_without_a_table_is_not_computed()
    {
        var ledger = new FakeLedgerFacts();
        ledger.Post(1_000);
        var coordinator = new RecomputeCoordinator(ledger, _store, _systems, NullLogger<RecomputeCoordinator>.Instance);
        var key = NewEvaluation();

        Assert.Null(await coordinator.RecomputeAsync(key, 1, 0, force: false, CancellationToken.None));
        Assert.Null(await _store.GetLatestAsync(EvaluationKeys.Format(key), CancellationToken.None));
        Assert.Null(await _store.GetBindingAsync(EvaluationKeys.Format(key), CancellationToken.None));
    }

    [Fact]
    public async Task A_burst_of_10000_ledger_events_ends_in_the_final_values_with_at_most_20_recomputations()
    {
        var ledger = new FakeLedgerFacts();
        var coordinator = new RecomputeCoordinator(ledger, _store, _systems, NullLogger<RecomputeCoordinator>.Instance);
        var key = await NewBoundEvaluationAsync();
        ledger.Post(Jiashi2020.Fen(38154.63m) - 10_000);
        await coordinator.RecomputeAsync(key, 1, 0, force: false, CancellationToken.None);
        Assert.Equal(1, coordinator.Recomputations);

        // 10,000 postings of 1 fen, each announced by its own LedgerChanged, consumed by 8 competing consumers.
        var events = Channel.CreateUnbounded<long>();
        var consumers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            await foreach (var version in events.Reader.ReadAllAsync())
                await coordinator.RecomputeAsync(key, version, 0, force: false, CancellationToken.None);
        })).ToList();
        for (var i = 0; i < 10_000; i++)
        {
            await events.Writer.WriteAsync(ledger.Post(1));
            // Let the consumers run while postings still arrive, as a real burst does.
            if (i % 1_000 == 999)
                await Task.Delay(2);
        }
        events.Writer.Complete();
        await Task.WhenAll(consumers);

        var burstRecomputations = coordinator.Recomputations - 1;
        output.WriteLine($"10,000 ledger events: {burstRecomputations} recomputations, {coordinator.ItemsRecomputed} items evaluated");
        Assert.InRange(burstRecomputations, 1, 20);

        var values = await _store.GetLatestAsync(EvaluationKeys.Format(key), CancellationToken.None);
        Assert.NotNull(values);
        Assert.Equal(10_001, values!.LedgerVersion);
        var rate = values.Values.Single(v => v.IndicatorCode == "income-budget-execution-rate");
        Assert.StartsWith("105.9063", rate.Value); // 38154.63 ÷ 36026.78, the final figure
        Assert.Equal(38_154_630_000m * 100m / 36_026_780_000m, decimal.Parse(rate.Value, System.Globalization.CultureInfo.InvariantCulture));
        var lineage = values.Lineage.Single(l => l.IndicatorCode == "income-budget-execution-rate");
        Assert.Contains(lineage.Inputs, i => i.Key == "ledger:executed:income" && i.Source == "ledger version 10001" && i.Value == "381546300");

        // Every IndicatorValuesChanged after the first carries the changed item only.
        var published = await PublishedAsync(key);
        Assert.Equal(18, published[0].Values.Count);
        Assert.All(published, e => Assert.Equal("resident-fund", e.SystemCode));
        Assert.All(published.Skip(1), e => Assert.Equal(["income-budget-execution-rate"], e.Values.Select(v => v.IndicatorCode)));
        Assert.Equal(values.ValueVersion, published[^1].ValueVersion);
    }

    [Fact]
    public async Task Events_already_passed_are_skipped_without_recomputing()
    {
        var ledger = new FakeLedgerFacts();
        var coordinator = new RecomputeCoordinator(ledger, _store, _systems, NullLogger<RecomputeCoordinator>.Instance);
        var key = await NewBoundEvaluationAsync();
        for (var i = 0; i < 5; i++)
            ledger.Post(1_000);
        await coordinator.RecomputeAsync(key, 5, 0, force: false, CancellationToken.None);
        for (var version = 1; version <= 5; version++)
            Assert.Null(await coordinator.RecomputeAsync(key, version, 0, force: false, CancellationToken.None));
        Assert.Equal(1, coordinator.Recomputations);
    }

    [Fact]
    public async Task A_later_system_version_does_not_change_an_evaluation_pinned_to_the_earlier_one()
    {
        var ledger = new FakeLedgerFacts();
        ledger.Post(1_000);
        var coordinator = new RecomputeCoordinator(ledger, _store, _systems, NullLogger<RecomputeCoordinator>.Instance);
        var key = await NewBoundEvaluationAsync();
        await coordinator.RecomputeAsync(key, 1, 0, force: false, CancellationToken.None);
        var pinned = await _store.GetBindingAsync(EvaluationKeys.Format(key), CancellationToken.None);
        Assert.Equal("resident-fund", pinned!.Value.SystemCode);

        var newer = SystemFiles.BuiltIn().Single(s => s.SystemCode == "resident-fund").Clone();
        newer.Version = pinned.Value.Version + 1000 + Random.Shared.Next(1_000_000);
        newer.Indicators[0].Name = "预算执行率（新版）";
        await _store.SaveSystemAsync(CompiledSystem.Compile(newer).System, builtIn: false, CancellationToken.None);

        ledger.Post(1_000);
        await coordinator.RecomputeAsync(key, 2, 0, force: false, CancellationToken.None);
        var values = await _store.GetLatestAsync(EvaluationKeys.Format(key), CancellationToken.None);
        Assert.Equal(pinned.Value.Version, values!.SystemVersion);
        Assert.Equal("预算执行率", values.Values.Single(v => v.IndicatorCode == "budget-execution-rate").Name);
    }

    async Task<List<IndicatorValuesChanged>> PublishedAsync(EvaluationKey key)
    {
        await using var command = _dataSource.CreateCommand(
            "select payload from outbox where subject = $1 and message_type = 'perfeval.events.v1.IndicatorValuesChanged' order by created_at, message_id");
        command.Parameters.Add(new NpgsqlParameter { Value = EvaluationKeys.Format(key) });
        await using var reader = await command.ExecuteReaderAsync();
        var list = new List<IndicatorValuesChanged>();
        while (await reader.ReadAsync())
            list.Add(IndicatorValuesChanged.Parser.ParseFrom((byte[])reader[0]));
        return list.OrderBy(e => e.ValueVersion).ToList();
    }
}
