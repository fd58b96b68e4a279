using Npgsql;
using PerfEval.Reporting.Storage;
using PerfEval.Testing;

namespace PerfEval.Reporting.Tests;

/// <summary>The reporting schema in its own test database, migrated by the service's own scripts.</summary>
static class TestDatabase
{
    public static Task<NpgsqlDataSource> OpenAsync() =>
        MigratedDatabases.SharedAsync("reporting", typeof(ReportStore).Assembly, "perfeval_reporting_tests");
}
