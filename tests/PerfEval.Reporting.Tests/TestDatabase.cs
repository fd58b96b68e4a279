using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PerfEval.Storage;
using PerfEval.Reporting.Storage;
using PerfEval.Testing;

namespace PerfEval.Reporting.Tests;

/// <summary>
/// The reporting schema in its own test database on the local PostgreSQL (deploy/local/infra.sh),
/// migrated by the service's own migration runner. Server from PERFEVAL_PG_* (deploy/local/test.sh
/// exports them), else from .local/infra/env.sh of the checkout.
/// </summary>
static class TestDatabase
{
    static readonly SemaphoreSlim Gate = new(1, 1);
    static NpgsqlDataSource? _dataSource;

    public static async Task<NpgsqlDataSource> OpenAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_dataSource is null)
            {
                var builder = WebApplication.CreateBuilder();
                builder.Configuration["Postgres:ConnectionString"] = InfraSettings.Load().PostgresConnectionString;
                builder.Configuration["Postgres:Database"] = "perfeval_reporting_tests";
                builder.AddPerfEvalDatabase("reporting", typeof(ReportStore).Assembly);
                var app = builder.Build();
                await app.MigrateDatabaseAsync();
                _dataSource = app.Services.GetRequiredService<NpgsqlDataSource>();
            }
            return _dataSource;
        }
        finally
        {
            Gate.Release();
        }
    }
}
