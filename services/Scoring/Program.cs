using PerfEval.Hosting.Requests;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Hosting;
using PerfEval.Messaging;
using PerfEval.Storage;
using PerfEval.Scoring.Api;
using PerfEval.Scoring.Application;
using PerfEval.Scoring.Domain;
using PerfEval.Scoring.Messaging;
using PerfEval.Scoring.Storage;
using PerfEval.Scoring.Upstream;

if (await HealthProbe.TryRunAsync(args) is { } probeExitCode)
    return probeExitCode;

var builder = WebApplication.CreateBuilder(args);
builder.AddPerfEvalDefaults("scoring");
builder.Services.AddGrpc(o => o.Interceptors.Add<NulCharacterInterceptor>()); // NUL in any request string: INVALID_ARGUMENT by field
builder.AddPerfEvalDatabase("scoring", typeof(ScoringStore).Assembly);
builder.AddPerfEvalMessaging("scoring", new ConsumerEndpoint("indicator-values-changed", typeof(IndicatorValuesChangedConsumer)),
    new ConsumerEndpoint("declared-actuals-recorded", typeof(DeclaredActualsRecordedConsumer)));
builder.Services.AddPerfEvalClient<IndicatorService.IndicatorServiceClient>(builder.Configuration, "Indicator");
builder.Services.AddSingleton<IndicatorReader>();
builder.Services.AddSingleton(builder.Configuration.GetSection("Scoring").Get<ScoringSettings>() ?? new ScoringSettings());
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<ScoringStore>();
builder.Services.AddSingleton<ScorecardWriter>();
builder.Services.AddSingleton<Rescoring>();
builder.Services.AddSingleton<JudgmentSubmission>();
builder.Services.AddSingleton<ScorecardQueries>();
builder.Services.AddHostedService<MonitoringSweep>();

var app = builder.Build();
app.MapPerfEvalDefaults();
app.MapGrpcService<ScoringApi>();
await app.MigrateDatabaseAsync();
await app.RunAsync();
return 0;

public partial class Program;
