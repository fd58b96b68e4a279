using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.Extensions.Configuration;

namespace PerfEval.Hosting;

/// <summary>
/// "service --health": asks the running service's own gRPC health endpoint and exits 0 when it is
/// SERVING. Container images carry no curl, so compose health checks call the binary itself.
/// </summary>
public static class HealthProbe
{
    public static async Task<int?> TryRunAsync(string[] args)
    {
        if (!args.Contains("--health"))
            return null;
        var configuration = new ConfigurationBuilder()
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(args.Where(a => a != "--health").ToArray())
            .Build();
        var ports = configuration.GetSection("Ports").Get<PortOptions>() ?? new PortOptions();
        try
        {
            using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{ports.Grpc}");
            var reply = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(3));
            Console.WriteLine(reply.Status);
            return reply.Status == HealthCheckResponse.Types.ServingStatus.Serving ? 0 : 1;
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"unhealthy: {ex.Message}");
            return 1;
        }
    }
}
