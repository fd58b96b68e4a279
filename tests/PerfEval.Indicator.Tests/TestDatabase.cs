using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PerfEval.Storage;
using PerfEval.Indicator.Storage;

namespace PerfEval.Indicator.Tests;

/// <summary>
/// The indicator schema in its own test database on the local PostgreSQL (deploy/local/infra.sh),
/// migrated by the service's own migration runner. Server from PERFEVAL_PG_* (deploy/local/test.sh
/// exports them), else from .local/infra/env.sh of the checkout or of /work/main.
/// </summary>
static class TestDatabase
{
    static readonly SemaphoreSlim Gate = new(1, 1);
    static bool _migrated;

    public static async Task<(NpgsqlDataSource, string)> OpenAsync()
    {
        var settings = Settings();
        string Get(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v
            : settings.TryGetValue(name, out var s) ? s
            : throw new InvalidOperationException($"{name} is not set: start the infrastructure first (bash deploy/local/infra.sh up) and source .local/infra/env.sh");
        var server = $"Host={Get("PERFEVAL_PG_HOST")};Port={Get("PERFEVAL_PG_PORT")};Username={Get("PERFEVAL_PG_USER")};Password={Get("PERFEVAL_PG_PASSWORD")}";
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

    static Dictionary<string, string> Settings()
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var file = Path.Combine(dir.FullName, ".local", "infra", "env.sh");
            if (!File.Exists(file))
                continue;
            foreach (var line in File.ReadAllLines(file))
            {
                var m = System.Text.RegularExpressions.Regex.Match(line, "^export (PERFEVAL_[A-Z_]+)=\"?([^\"]*)\"?$");
                if (m.Success)
                    values[m.Groups[1].Value] = m.Groups[2].Value;
            }
            break;
        }
        return values;
    }
}
