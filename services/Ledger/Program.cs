using PerfEval.Hosting;
using PerfEval.Hosting.Security;
using PerfEval.Messaging;
using PerfEval.Storage;
using PerfEval.Ledger.Api;
using PerfEval.Ledger.Application;
using PerfEval.Ledger.Application.Regions;
using PerfEval.Ledger.Storage;

if (await HealthProbe.TryRunAsync(args) is { } probeExitCode)
    return probeExitCode;

var builder = WebApplication.CreateBuilder(args);
builder.AddPerfEvalDefaults("ledger");
// The region catalog every subject is created in: only a national caller may change it.
builder.Services.AddSingleton(new NationalScopeMethods(RegionApi.NationalOnly));
builder.AddPerfEvalDatabase("ledger", typeof(JournalStore).Assembly);
builder.AddPerfEvalMessaging("ledger");
builder.Services.AddSingleton(builder.Configuration.GetSection("Ledger").Get<LedgerOptions>() ?? new LedgerOptions());
builder.Services.AddSingleton<LedgerChanges>();
builder.Services.AddSingleton<JournalStore>();
builder.Services.AddSingleton<BudgetStore>();
builder.Services.AddSingleton<ReferenceDataStore>();
builder.Services.AddSingleton<Journal>();
builder.Services.AddSingleton<Budgets>();
builder.Services.AddSingleton<YearClosing>();
builder.Services.AddSingleton<TransferDocuments>();
builder.Services.AddSingleton<DeclaredFigures>();
builder.Services.AddSingleton<FundFigures>();
builder.Services.AddSingleton<ReferenceData>();
builder.Services.AddSingleton<RegionStore>();
builder.Services.AddSingleton<RegionCatalog>();
builder.Services.AddSingleton<RegionAdministration>();

var app = builder.Build();
app.MapPerfEvalDefaults();
app.MapGrpcService<LedgerApi>();
app.MapGrpcService<RegionApi>();
await app.MigrateDatabaseAsync();
await app.Services.GetRequiredService<RegionCatalog>().LoadAsync(CancellationToken.None);
await app.RunAsync();
return 0;

public partial class Program;
