using Npgsql;
using PerfEval.Indicator.Storage;
using PerfEval.Testing;

namespace PerfEval.Indicator.Tests;

/// <summary>The indicator schema in its own test database, migrated by the service's own scripts.</summary>
static class TestDatabase
{
    public static async Task<(NpgsqlDataSource, string)> OpenAsync() =>
        (await MigratedDatabases.SharedAsync("indicator", typeof(IndicatorStore).Assembly, "perfeval_indicator_tests"),
            InfraSettings.Load().PostgresConnectionString);
}
