using System.Globalization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace PerfEval.Hosting;

/// <summary>
/// Once Kestrel listens, writes the ports it really bound to the file named by
/// the setting (environment variable) <c>PERFEVAL_BOUND_PORTS_FILE</c> (lines <c>grpc=N</c> and <c>http=N</c>), so a parent process that
/// asked for port 0 learns where to connect: nobody has to pick a "free" port and release it before
/// the service binds it. Without the variable it does nothing.
/// </summary>
public sealed class BoundPortsReport(
    IServer server, IHostApplicationLifetime lifetime, IConfiguration configuration, PortOptions ports, ILogger<BoundPortsReport> logger)
    : IHostedService
{
    public const string FileVariable = "PERFEVAL_BOUND_PORTS_FILE";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (configuration[FileVariable] is { Length: > 0 } path)
            lifetime.ApplicationStarted.Register(() => Write(path));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    void Write(string path)
    {
        // Kestrel lists the endpoints in the order ServiceDefaults declares them: gRPC, then HTTP.
        var bound = server.Features.Get<IServerAddressesFeature>()?.Addresses.Select(a => BindingAddress.Parse(a).Port).ToList() ?? [];
        if (bound.Count != 2 || ports.Grpc != 0 && bound[0] != ports.Grpc || ports.Http != 0 && bound[1] != ports.Http)
        {
            logger.LogError("Cannot tell the gRPC and HTTP ports apart in the bound addresses {Addresses}; {File} not written", bound, path);
            return;
        }
        // Written beside the target and renamed over it, so a reader never sees half a file.
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        File.WriteAllText(temporary, string.Create(CultureInfo.InvariantCulture, $"grpc={bound[0]}\nhttp={bound[1]}\n"));
        File.Move(temporary, path, overwrite: true);
        logger.LogInformation("Listening on gRPC port {GrpcPort} and HTTP port {HttpPort} (reported in {File})", bound[0], bound[1], path);
    }
}
