using Npgsql;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Indicator.Storage;

namespace PerfEval.Indicator.Tests;

public sealed class ObservationStoreTests : IAsyncLifetime
{
    NpgsqlDataSource _dataSource = null!;
    IndicatorStore _store = null!;

    public async Task InitializeAsync()
    {
        (_dataSource, _) = await TestDatabase.OpenAsync();
        _store = new IndicatorStore(_dataSource);
    }

    public async Task DisposeAsync() => await _dataSource.DisposeAsync();

    static Observation Obs(int year, int month, string metric, string value) =>
        new() { RegionCode = "340600", SubjectCode = "resident-fund", FiscalYear = year, Month = month, Metric = metric, Value = value, Unit = "人" };

    async Task RecordAsync(params Observation[] observations)
    {
        var request = new RecordObservationsRequest { RequestId = Guid.NewGuid().ToString() };
        request.Observations.AddRange(observations);
        await _store.RecordObservationsAsync(request, CancellationToken.None);
    }

    [Fact]
    public async Task The_whole_year_figure_wins_else_the_latest_month_and_a_correction_supersedes_keeping_history()
    {
        // A year of its own per run keeps runs on the shared test database apart.
        var year = 3000 + Random.Shared.Next(5_000);
        await RecordAsync(Obs(year, 3, "insured-persons", "1480000"), Obs(year, 6, "insured-persons", "1481000"));
        var (facts, _) = await _store.CurrentObservationsAsync("340600", year, CancellationToken.None);
        Assert.Equal(1481000m, facts.Single(f => f.Metric == "insured-persons").Value);

        await RecordAsync(Obs(year, 0, "insured-persons", "1481862"));
        await RecordAsync(Obs(year, 0, "insured-persons", "1481863")); // correction
        var (current, revision) = await _store.CurrentObservationsAsync("340600", year, CancellationToken.None);
        var fact = current.Single(f => f.Metric == "insured-persons");
        Assert.Equal(1481863m, fact.Value);
        Assert.Equal(revision, fact.Revision);

        await using var history = _dataSource.CreateCommand(
            "select count(*) from observations where region_code = '340600' and fiscal_year = $1 and month = 0 and superseded_by is not null");
        history.Parameters.Add(new NpgsqlParameter { Value = year });
        Assert.Equal(1L, await history.ExecuteScalarAsync());
    }
}
