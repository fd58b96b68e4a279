using Npgsql;
using PerfEval.Testing;

namespace PerfEval.Storage.Tests;

/// <summary>
/// The local PostgreSQL and RabbitMQ from PERFEVAL_* (deploy/local/test.sh exports them; by hand:
/// bash deploy/local/infra.sh up &amp;&amp; . .local/infra/env.sh).
/// </summary>
static class Infra
{
    public static string Get(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value
        : throw new InvalidOperationException($"{name} is not set: bash deploy/local/infra.sh up && . .local/infra/env.sh");

    public static string PostgresServer =>
        $"Host={Get("PERFEVAL_PG_HOST")};Port={Get("PERFEVAL_PG_PORT")};Username={Get("PERFEVAL_PG_USER")};Password={Get("PERFEVAL_PG_PASSWORD")}";

    /// <summary>
    /// A fresh database of its own, migrated by the shared migrations runner with the shared scripts
    /// alone (outbox, request ids): no test sees another's rows.
    /// </summary>
    public static Task<(NpgsqlDataSource DataSource, string Database)> NewDatabaseAsync() =>
        MigratedDatabases.NewAsync("storage-tests", typeof(Infra).Assembly, "perfeval_storage_tests");

    /// <summary>Polls <paramref name="condition"/> until it holds or the deadline passes.</summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
                return true;
            await Task.Delay(50);
        }
        return await condition();
    }
}
