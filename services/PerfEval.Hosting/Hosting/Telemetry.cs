using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace PerfEval.Hosting;

/// <summary>
/// Traces that follow one posting through gRPC, PostgreSQL, RabbitMQ (MassTransit's own activity
/// source) and every consumer, and Prometheus metrics on the HTTP port (/metrics). Traces go to an
/// OTLP collector when OTEL_EXPORTER_OTLP_ENDPOINT is set; without one they only feed the trace ids
/// that Serilog writes on every log line.
/// </summary>
public static class Telemetry
{
    public static WebApplicationBuilder AddPerfEvalTelemetry(this WebApplicationBuilder builder, string serviceName)
    {
        var otlp = builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService($"perfeval-{serviceName}"))
            .WithTracing(tracing =>
            {
                tracing.AddAspNetCoreInstrumentation()
                    .AddGrpcClientInstrumentation()
                    .AddNpgsql()
                    .AddSource("MassTransit");
                if (!string.IsNullOrEmpty(otlp))
                    tracing.AddOtlpExporter();
            })
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter("MassTransit")
                .AddPrometheusExporter());
        return builder;
    }

    public static WebApplication MapPerfEvalMetrics(this WebApplication app, int httpPort)
    {
        // Scraped by Prometheus on the HTTP/1.1 port, which carries no business data.
        app.MapPrometheusScrapingEndpoint("/metrics").RequireHost($"*:{httpPort}").AllowAnonymous();
        return app;
    }
}
