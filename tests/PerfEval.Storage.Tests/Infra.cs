using Npgsql;
using PerfEval.Testing;

namespace PerfEval.Storage.Tests;

/// <summary>
/// The local PostgreSQL and RabbitMQ of deploy/local/infra.sh, as the test kit's <see cref="InfraSettings"/>
/// finds them (PERFEVAL_* variables, else .local/infra/env.sh).
/// </summary>
static class Infra
{
    static readonly Lazy<InfraSettings> LazySettings = new(InfraSettings.Load);

    public static InfraSettings Settings => LazySettings.Value;

    /// <summary>
    /// A fresh database of its own, migrated by the shared migrations runner with the shared scripts
    /// alone (outbox, request ids): no test sees another's rows.
    /// </summary>
    public static Task<(NpgsqlDataSource DataSource, string Database)> NewDatabaseAsync() =>
        MigratedDatabases.NewAsync("storage-tests", typeof(Infra).Assembly, "perfeval_storage_tests");
}
