using PerfEval.Hosting;
using PerfEval.Messaging;
using PerfEval.Storage;
using PerfEval.Ledger.Api;
using PerfEval.Ledger.Storage;

if (await HealthProbe.TryRunAsync(args) is { } probeExitCode)
    return probeExitCode;

var builder = WebApplication.CreateBuilder(args);
builder.AddPerfEvalDefaults("ledger");
builder.AddPerfEvalDatabase("ledger", typeof(LedgerStore).Assembly);
builder.AddPerfEvalMessaging("ledger");
builder.Services.AddSingleton(builder.Configuration.GetSection("Ledger").Get<LedgerOptions>() ?? new LedgerOptions());
builder.Services.AddSingleton<LedgerStore>();

var app = builder.Build();
app.MapPerfEvalDefaults();
app.MapGrpcService<LedgerApi>();
await app.MigrateDatabaseAsync();
await app.RunAsync();
return 0;

public partial class Program;
