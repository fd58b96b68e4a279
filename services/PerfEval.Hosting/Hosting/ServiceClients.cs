using Grpc.Net.ClientFactory;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PerfEval.Hosting.Security;

namespace PerfEval.Hosting;

public static class ServiceClients
{
    /// <summary>
    /// A gRPC client of another PerfEval service at the address "Services:{name}". Calls made while
    /// serving a call forward its deadline and cancellation; transient failures are retried by the
    /// channel's retry policy. Calls carry this service's own token (ServiceTokens).
    /// </summary>
    public static IServiceCollection AddPerfEvalClient<TClient>(this IServiceCollection services, IConfiguration configuration, string name)
        where TClient : class
    {
        var address = configuration[$"Services:{name}"]
            ?? throw new InvalidOperationException($"Configuration Services:{name} (the {name} service's gRPC address) is missing");
        services.AddGrpcClient<TClient>(o => o.Address = new Uri(address))
            .EnableCallContextPropagation(o => o.SuppressContextNotFoundErrors = true)
            .AddCallCredentials((_, metadata, provider) =>
            {
                metadata.Add("Authorization", $"Bearer {provider.GetRequiredService<ServiceTokens>().Current()}");
                return Task.CompletedTask;
            })
            .ConfigureChannel(channel =>
            {
                // Inside the deployment services talk plaintext HTTP/2 (TLS is the mesh's or the
                // ingress's job); the token still travels, so it must be allowed on such a channel.
                channel.UnsafeUseInsecureChannelCallCredentials = true;
                channel.ServiceConfig = new Grpc.Net.Client.Configuration.ServiceConfig
                {
                    MethodConfigs =
                    {
                        new Grpc.Net.Client.Configuration.MethodConfig
                        {
                            Names = { Grpc.Net.Client.Configuration.MethodName.Default },
                            RetryPolicy = new Grpc.Net.Client.Configuration.RetryPolicy
                            {
                                MaxAttempts = 4,
                                InitialBackoff = TimeSpan.FromMilliseconds(200),
                                MaxBackoff = TimeSpan.FromSeconds(2),
                                BackoffMultiplier = 2,
                                RetryableStatusCodes = { Grpc.Core.StatusCode.Unavailable },
                            },
                        },
                    },
                };
            });
        return services;
    }
}
