using Grpc.Core;
using Grpc.Net.Client;

namespace PerfEval.Client;

/// <summary>A client channel whose every call carries a bearer token: for tools, benchmarks and tests.</summary>
public static class BearerChannels
{
    /// <summary>
    /// <paramref name="options"/> may carry other settings (message sizes); its credentials are
    /// replaced. Plaintext http addresses are allowed to carry the token: PerfEval's services listen
    /// without TLS on loopback and inside a deployment (TLS is the ingress's or the mesh's).
    /// </summary>
    public static GrpcChannel ForAddress(string address, string token, GrpcChannelOptions? options = null)
    {
        options ??= new GrpcChannelOptions();
        options.Credentials = ChannelCredentials.Create(ChannelCredentials.Insecure, CallCredentials.FromInterceptor((_, metadata) =>
        {
            metadata.Add("Authorization", $"Bearer {token}");
            return Task.CompletedTask;
        }));
        options.UnsafeUseInsecureChannelCallCredentials = true;
        return GrpcChannel.ForAddress(address, options);
    }
}
