using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using PerfEval.Client;

namespace PerfEval.Hosting.Security;

public static class SecuritySetup
{
    /// <summary>
    /// JWT bearer authentication on every gRPC method except health and reflection (both carry no
    /// data: probes and tools must reach them without a token), the region-scope check on every
    /// request, and this service's own token for its calls to other services. A missing or short
    /// Auth:SigningKey stops the service at start: it never runs open by accident.
    /// </summary>
    public static WebApplicationBuilder AddPerfEvalSecurity(this WebApplicationBuilder builder, string serviceName)
    {
        var options = builder.Configuration.GetSection("Auth").Get<AuthOptions>() ?? new AuthOptions();
        var validation = ValidationParameters(options);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(new ServiceTokens(options, serviceName));
        builder.Services.TryAddSingleton(new NationalScopeMethods([]));
        builder.Services.AddSingleton<RegionScopeInterceptor>();
        builder.Services.AddSingleton<CallAuditInterceptor>();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(o =>
        {
            o.MapInboundClaims = false;
            o.TokenValidationParameters = validation;
        });
        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(JwtBearerDefaults.AuthenticationScheme).RequireAuthenticatedUser().Build());
        return builder;
    }

    /// <summary>What an incoming token must satisfy: this deployment's issuer, audience and keys, HS256, an expiry.</summary>
    public static TokenValidationParameters ValidationParameters(AuthOptions options) => new()
    {
        ValidIssuer = options.Issuer,
        ValidAudience = options.Audience,
        IssuerSigningKeys = options.ValidationKeys(),
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        RequireExpirationTime = true,
        ClockSkew = TimeSpan.FromSeconds(30),
        NameClaimType = JwtRegisteredClaimNames.Sub,
    };
}

/// <summary>The token a service presents on its own calls to other services: its name, every region.</summary>
public sealed class ServiceTokens(AuthOptions options, string serviceName)
{
    readonly Lock _lock = new();
    string _token = "";
    DateTime _renewAfterUtc = DateTime.MinValue;

    public string Current()
    {
        lock (_lock)
        {
            if (DateTime.UtcNow >= _renewAfterUtc)
            {
                var lifetime = TimeSpan.FromMinutes(Math.Max(2, options.ServiceTokenMinutes));
                _token = AccessTokens.Mint(options, $"service:{serviceName}", AccessTokens.AllRegions, lifetime);
                _renewAfterUtc = DateTime.UtcNow.Add(lifetime / 2);
            }
            return _token;
        }
    }
}
