using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PerfEval.Storage;

namespace PerfEval.Testing;

/// <summary>
/// A test database on the local PostgreSQL (deploy/local/infra.sh), migrated by the services' own
/// migration runner with the scripts embedded in <c>migrations</c> (plus the shared ones). Store-level
/// tests use it, so their schema is always the one the service itself would create.
/// </summary>
public static class MigratedDatabases
{
    static readonly SemaphoreSlim Gate = new(1, 1);
    static readonly HashSet<string> Migrated = [];

    /// <summary>
    /// A data source of the caller's own (it may dispose it) on the database named
    /// <paramref name="database"/>, which is migrated once per test process and shared by every test
    /// (tests keep apart by using their own evaluation keys).
    /// </summary>
    public static async Task<NpgsqlDataSource> SharedAsync(string service, Assembly migrations, string database)
    {
        var app = Build(service, migrations, database);
        await Gate.WaitAsync();
        try
        {
            if (Migrated.Add(database))
                await app.MigrateDatabaseAsync();
        }
        finally
        {
            Gate.Release();
        }
        return app.Services.GetRequiredService<NpgsqlDataSource>();
    }

    /// <summary>A new database of its own, named from <paramref name="prefix"/>: no test sees another's rows.</summary>
    public static async Task<(NpgsqlDataSource DataSource, string Database)> NewAsync(string service, Assembly migrations, string prefix)
    {
        var database = $"{prefix}_{Guid.NewGuid():N}";
        return (await MigrateAsync(service, migrations, database), database);
    }

    static async Task<NpgsqlDataSource> MigrateAsync(string service, Assembly migrations, string database)
    {
        var app = Build(service, migrations, database);
        await app.MigrateDatabaseAsync();
        return app.Services.GetRequiredService<NpgsqlDataSource>();
    }

    static WebApplication Build(string service, Assembly migrations, string database)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration["Postgres:ConnectionString"] = InfraSettings.Load().PostgresConnectionString;
        builder.Configuration["Postgres:Database"] = database;
        builder.AddPerfEvalDatabase(service, migrations);
        return builder.Build();
    }
}
