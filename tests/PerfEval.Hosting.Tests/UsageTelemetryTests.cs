using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PerfEval.Messaging;

namespace PerfEval.Hosting.Tests;

/// <summary>Issue 14 item 13: no service reports MassTransit usage telemetry to an outside host.</summary>
public class UsageTelemetryTests
{
    [Fact]
    public void The_messaging_setup_switches_MassTransit_usage_telemetry_off()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.AddPerfEvalMessaging("telemetry-test");
        using var host = builder.Build();
        Assert.False(host.Services.GetRequiredService<IOptions<UsageTelemetryOptions>>().Value.Enabled);
    }
}
