using System.Security.Cryptography;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using PerfEval.Testing;

namespace PerfEval.Hosting.Tests;

public class BoundPortsReportTests
{
    [Fact]
    public async Task A_service_asked_for_port_0_reports_the_grpc_and_http_ports_it_bound()
    {
        var file = Path.Combine(Path.GetTempPath(), $"perfeval-bound-ports-test-{Guid.NewGuid():N}.ports");
        var builder = WebApplication.CreateBuilder();
        builder.Configuration["Ports:BindAddress"] = "127.0.0.1";
        builder.Configuration["Ports:Grpc"] = "0";
        builder.Configuration["Ports:Http"] = "0";
        builder.Configuration["Auth:SigningKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        builder.Configuration[BoundPortsReport.FileVariable] = file;
        builder.AddPerfEvalDefaults("bound-ports-test");
        await using var app = builder.Build();
        app.MapPerfEvalDefaults();
        try
        {
            await app.StartAsync();
            var ports = InfraSettings.ParseEnvFile(await Poll.UntilAsync($"the bound-ports file {file}", TimeSpan.FromSeconds(10),
                _ => Task.FromResult(File.Exists(file) ? File.ReadAllLines(file) : null), lines => lines is not null))!;

            Assert.Equal(["grpc", "http"], ports.Keys.Order());
            var grpc = int.Parse(ports["grpc"]);
            var http = int.Parse(ports["http"]);
            Assert.NotEqual(grpc, http);
            // The gRPC port speaks HTTP/2 (health answers), the other one is the HTTP/1.1 port.
            using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpc}");
            // This host registers no health checks, so the health service answers UNKNOWN: an answer
            // only gRPC over HTTP/2 can give (the HTTP/1.1 port would fail the call).
            var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Unknown, health.Status);
            using var http1 = new HttpClient();
            var reply = await http1.GetAsync($"http://127.0.0.1:{http}/no-such-page");
            Assert.Equal(new Version(1, 1), reply.Version);
            Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(file)!, Path.GetFileName(file) + ".*.tmp"));
        }
        finally
        {
            await app.StopAsync();
            File.Delete(file);
        }
    }
}
