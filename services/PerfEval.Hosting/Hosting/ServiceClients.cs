using Grpc.Core;
using Grpc.Net.Client.Balancer;
using Grpc.Net.Client.Configuration;
using Grpc.Net.ClientFactory;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PerfEval.Hosting.Security;

namespace PerfEval.Hosting;

public static class ServiceClients
{
    /// <summary>
    /// A gRPC client of another PerfEval service at the address "Services:{name}". Calls made while
    /// serving a call forward its deadline and cancellation; transient failures are retried by the
    /// channel's retry policy. Calls carry this service's own token (ServiceTokens).
    /// An address "dns:///host:port" (a Kubernetes headless Service) balances calls round robin over
    /// every address the name resolves to, re-resolved every 15 s; an "http://" address keeps one
    /// connection, which a ClusterIP Service would pin to a single replica.
    /// </summary>
    public static IServiceCollection AddPerfEvalClient<TClient>(this IServiceCollection services, IConfiguration configuration, string name)
        where TClient : class
    {
        var address = configuration[$"Services:{name}"]
            ?? throw new InvalidOperationException($"Configuration Services:{name} (the {name} service's gRPC address) is missing");
        var uri = new Uri(address);
        var balanced = uri.Scheme == "dns";
        services.TryAddSingleton<ResolverFactory>(new DnsResolverFactory(refreshInterval: TimeSpan.FromSeconds(15)));
        services.AddGrpcClient<TClient>(o => o.Address = uri)
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
                if (balanced)
                    channel.Credentials = ChannelCredentials.Insecure; // a dns: address says nothing of TLS
                channel.ServiceConfig = new ServiceConfig
                {
                    LoadBalancingConfigs = { balanced ? new RoundRobinConfig() : new PickFirstConfig() },
                    MethodConfigs =
                    {
                        new MethodConfig
                        {
                            Names = { MethodName.Default },
                            RetryPolicy = new RetryPolicy
                            {
                                MaxAttempts = 4,
                                InitialBackoff = TimeSpan.FromMilliseconds(200),
                                MaxBackoff = TimeSpan.FromSeconds(2),
                                BackoffMultiplier = 2,
                                RetryableStatusCodes = { StatusCode.Unavailable },
                            },
                        },
                    },
                };
            });
        return services;
    }
}
