using PerfEval.Hosting.Requests;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Hosting;
using PerfEval.Messaging;
using PerfEval.Hosting.Security;
using PerfEval.Storage;
using PerfEval.Indicator.Api;
using PerfEval.Indicator.Messaging;
using PerfEval.Indicator.Application;
using PerfEval.Indicator.Upstream;
using PerfEval.Indicator.Storage;

if (await HealthProbe.TryRunAsync(args) is { } probeExitCode)
    return probeExitCode;

var builder = WebApplication.CreateBuilder(args);
builder.AddPerfEvalDefaults("indicator");
builder.Services.AddGrpc(o => o.Interceptors.Add<NulCharacterInterceptor>()); // NUL in any request string: INVALID_ARGUMENT by field
// Indicator systems are a catalog every region binds to: only a national caller may change it.
// DefineSystem / ImportSystem decide themselves: a national template needs every region, a
// province's own template only its region (checked like any region_code field).
builder.AddPerfEvalDatabase("indicator", typeof(IndicatorStore).Assembly);
builder.AddPerfEvalMessaging("indicator", new ConsumerEndpoint("ledger-changed", typeof(LedgerChangedConsumer)));
builder.Services.AddPerfEvalClient<LedgerService.LedgerServiceClient>(builder.Configuration, "Ledger");
builder.Services.AddSingleton<IndicatorStore>();
builder.Services.AddSingleton<EvaluationTableStore>();
builder.Services.AddSingleton<SystemCatalog>();
builder.Services.AddSingleton<ILedgerFacts, GrpcLedgerFacts>();
builder.Services.AddSingleton<RecomputeCoordinator>();
builder.Services.AddSingleton<IndicatorWrites>();

var app = builder.Build();
app.MapPerfEvalDefaults();
app.MapGrpcService<IndicatorApi>();
await app.MigrateDatabaseAsync();
await app.Services.GetRequiredService<SystemCatalog>().InstallBuiltInAsync(CancellationToken.None);
await app.RunAsync();
return 0;

public partial class Program;
