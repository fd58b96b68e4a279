using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PerfEval.Hosting.Errors;
using PerfEval.Hosting.Security;
using Serilog;
using Serilog.Formatting.Compact;

namespace PerfEval.Hosting;

/// <summary>Listening ports (section "Ports"). gRPC is HTTP/2 only, since plaintext cannot negotiate.</summary>
public sealed class PortOptions
{
    public string BindAddress { get; set; } = "0.0.0.0";
    public int Grpc { get; set; } = 5000;
    public int Http { get; set; } = 8080;
}

public static class ServiceDefaults
{
    /// <summary>Logging, Kestrel endpoints, authentication, gRPC with health and reflection: what every service has.</summary>
    public static WebApplicationBuilder AddPerfEvalDefaults(this WebApplicationBuilder builder, string serviceName)
    {
        builder.Services.AddSingleton(new ServiceIdentity(serviceName));

        // Configured per host (not the static bootstrap logger), so several hosts can share a process.
        builder.Services.AddSerilog((_, logger) => logger
            .ReadFrom.Configuration(builder.Configuration)
            .MinimumLevel.Override("Microsoft.AspNetCore", Serilog.Events.LogEventLevel.Warning)
            .MinimumLevel.Override("MassTransit", Serilog.Events.LogEventLevel.Warning)
            .Enrich.FromLogContext()
            .Enrich.WithProperty("Service", serviceName)
            .WriteTo.Console(new RenderedCompactJsonFormatter()));

        var ports = builder.Configuration.GetSection("Ports").Get<PortOptions>() ?? new PortOptions();
        builder.Services.AddSingleton(ports);
        builder.Services.AddHostedService<BoundPortsReport>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var address = IPAddress.Parse(ports.BindAddress);
            kestrel.Listen(address, ports.Grpc, o => o.Protocols = HttpProtocols.Http2);
            kestrel.Listen(address, ports.Http, o => o.Protocols = HttpProtocols.Http1);
        });

        builder.AddPerfEvalTelemetry(serviceName);
        builder.AddPerfEvalSecurity(serviceName);
        builder.Services.AddGrpc(o =>
        {
            o.EnableDetailedErrors = false;
            // Audit first (outermost), so refusals of the region check are audited too.
            o.Interceptors.Add<CallAuditInterceptor>();
            o.Interceptors.Add<RegionScopeInterceptor>();
            // Innermost: domain exceptions become rich gRPC errors before audit logs the status.
            o.Interceptors.Add<DomainErrorInterceptor>();
        });
        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcHealthChecks();
        return builder;
    }

    public static WebApplication MapPerfEvalDefaults(this WebApplication app)
    {
        var ports = app.Services.GetRequiredService<PortOptions>();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGrpcHealthChecksService().AllowAnonymous();
        app.MapGrpcReflectionService().AllowAnonymous();
        app.MapHealthChecks("/healthz").RequireHost($"*:{ports.Http}").AllowAnonymous();
        app.MapPerfEvalMetrics(ports.Http);
        return app;
    }
}
