using System.Reflection;
using DbUp;
using DbUp.Engine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace PerfEval.Storage;

/// <summary>PostgreSQL settings (section "Postgres").</summary>
public sealed class PostgresOptions
{
    /// <summary>Server and credentials; the database name is <see cref="Database"/>.</summary>
    public string ConnectionString { get; set; } = "Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres";

    /// <summary>This service's own database; defaults to perfeval_{service}.</summary>
    public string? Database { get; set; }
}

/// <summary>The migration scripts of one service: embedded *.sql resources, applied in file-name order.</summary>
public sealed record MigrationSource(Assembly Assembly, string ConnectionString);

public static class DatabaseSetup
{
    /// <summary>Adds the service's singleton <see cref="NpgsqlDataSource"/> for its own database.</summary>
    public static IHostApplicationBuilder AddPerfEvalDatabase(this IHostApplicationBuilder builder, string serviceName,
        Assembly migrationsAssembly)
    {
        var options = builder.Configuration.GetSection("Postgres").Get<PostgresOptions>() ?? new PostgresOptions();
        var connectionString = new NpgsqlConnectionStringBuilder(options.ConnectionString)
        {
            Database = options.Database ?? $"perfeval_{serviceName}",
            ApplicationName = $"perfeval-{serviceName}",
        }.ConnectionString;

        // Kept here because NpgsqlDataSource.ConnectionString drops the password.
        builder.Services.AddSingleton(new MigrationSource(migrationsAssembly, connectionString));
        builder.Services.AddSingleton(_ => new NpgsqlDataSourceBuilder(connectionString).Build());
        builder.Services.AddHealthChecks().AddCheck<PostgresHealthCheck>("postgres");
        return builder;
    }

    /// <summary>
    /// Creates the database when missing and applies pending migrations (the shared outbox and request-id
    /// scripts and the service's own, in file-name order), under an advisory lock so that replicas starting together take turns.
    /// Runs before the service accepts calls.
    /// </summary>
    public static async Task MigrateDatabaseAsync(this WebApplication app, CancellationToken cancellationToken = default)
    {
        var dataSource = app.Services.GetRequiredService<NpgsqlDataSource>();
        var source = app.Services.GetRequiredService<MigrationSource>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("PerfEval.Migrations");
        var connectionString = source.ConnectionString;

        await EnsureDatabaseExistsAsync(connectionString, cancellationToken);

        await using var lockConnection = await dataSource.OpenConnectionAsync(cancellationToken);
        await Sql.ExecuteAsync(lockConnection, null, "select pg_advisory_lock(74210001)", cancellationToken);
        try
        {
            var scripts = ScriptsOf(typeof(DatabaseSetup).Assembly).Concat(ScriptsOf(source.Assembly))
                .OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
            var upgrade = DeployChanges.To.PostgresqlDatabase(connectionString)
                .WithScripts(scripts)
                .WithTransactionPerScript()
                .LogToNowhere()
                .Build()
                .PerformUpgrade();
            if (!upgrade.Successful)
                throw new InvalidOperationException($"Migration {upgrade.ErrorScript?.Name} failed", upgrade.Error);
            foreach (var script in upgrade.Scripts)
                logger.LogInformation("Applied migration {Migration}", script.Name);
        }
        finally
        {
            await Sql.ExecuteAsync(lockConnection, null, "select pg_advisory_unlock(74210001)", CancellationToken.None);
        }
    }

    static IEnumerable<SqlScript> ScriptsOf(Assembly assembly)
    {
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.EndsWith(".sql", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            // Named by file name alone ("0001_ledger.sql"), so ordering does not depend on namespaces.
            var parts = resource.Split('.');
            var name = $"{parts[^2]}.sql";
            yield return new SqlScript(name, reader.ReadToEnd());
        }
    }

    static async Task EnsureDatabaseExistsAsync(string connectionString, CancellationToken cancellationToken)
    {
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        var admin = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(admin.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        if (await Sql.ScalarAsync(connection, null, "select 1 from pg_database where datname = $1", cancellationToken, target.Database!) is not null)
            return;
        try
        {
            await Sql.ExecuteAsync(connection, null,
                $"create database \"{target.Database!.Replace("\"", "\"\"")}\" encoding 'UTF8' template template0", cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
        {
            // Another replica created it first.
        }
    }
}
