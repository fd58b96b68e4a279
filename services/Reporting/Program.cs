using PerfEval.Hosting.Requests;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Hosting;
using PerfEval.Messaging;
using PerfEval.Storage;
using PerfEval.Reporting.Api;
using PerfEval.Reporting.Application;
using PerfEval.Reporting.Messaging;
using PerfEval.Reporting.Storage;
using PerfEval.Reporting.Upstream;

if (await HealthProbe.TryRunAsync(args) is { } probeExitCode)
    return probeExitCode;

var builder = WebApplication.CreateBuilder(args);
builder.AddPerfEvalDefaults("reporting");
builder.Services.AddGrpc(o => o.Interceptors.Add<NulCharacterInterceptor>()); // NUL in any request string: INVALID_ARGUMENT by field
builder.AddPerfEvalDatabase("reporting", typeof(ReportStore).Assembly);
builder.AddPerfEvalMessaging("reporting", new ConsumerEndpoint("evaluation-scored", typeof(EvaluationScoredConsumer)));
builder.Services.AddPerfEvalClient<LedgerService.LedgerServiceClient>(builder.Configuration, "Ledger");
builder.Services.AddPerfEvalClient<IndicatorService.IndicatorServiceClient>(builder.Configuration, "Indicator");
builder.Services.AddSingleton<ReportStore>();
builder.Services.AddSingleton<EvaluationTextsStore>();
builder.Services.AddScoped<EvaluationTextsEditing>();
builder.Services.AddScoped<ReportSourcesReader>();
builder.Services.AddScoped<ScorecardReporting>();
// Templates are read once at start-up; a province's own files in Reporting:TemplateFolder replace the defaults.
builder.Services.AddSingleton(new ReportTemplates(builder.Configuration["Reporting:TemplateFolder"]));

var app = builder.Build();
app.MapPerfEvalDefaults();
app.MapGrpcService<ReportingApi>();
await app.MigrateDatabaseAsync();
await app.RunAsync();
return 0;

public partial class Program;
