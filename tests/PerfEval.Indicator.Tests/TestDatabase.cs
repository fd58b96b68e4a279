using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PerfEval.Storage;
using PerfEval.Indicator.Storage;
using PerfEval.Testing;

namespace PerfEval.Indicator.Tests;

/// <summary>
/// The indicator schema in its own test database on the local PostgreSQL (deploy/local/infra.sh),
/// migrated by the service's own migration runner. Server from PERFEVAL_PG_* (deploy/local/test.sh
/// exports them), else from .local/infra/env.sh of the checkout.
/// </summary>
static class TestDatabase
{
    static readonly SemaphoreSlim Gate = new(1, 1);
    static bool _migrated;

    public static async Task<(NpgsqlDataSource, string)> OpenAsync()
    {
        var server = InfraSettings.Load().PostgresConnectionString;
        var builder = WebApplication.CreateBuilder();
        builder.Configuration["Postgres:ConnectionString"] = server;
        builder.Configuration["Postgres:Database"] = "perfeval_indicator_tests";
        builder.AddPerfEvalDatabase("indicator", typeof(IndicatorStore).Assembly);
        var app = builder.Build();
        await Gate.WaitAsync();
        try
        {
            if (!_migrated)
                await app.MigrateDatabaseAsync();
            _migrated = true;
        }
        finally
        {
            Gate.Release();
        }
        return (app.Services.GetRequiredService<NpgsqlDataSource>(), server);
    }
}
