using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace PerfEval.Client;

/// <summary>
/// Authentication settings (section "Auth"). Callers present a JWT bearer token signed with the
/// deployment's key (HS256); the key comes from configuration (an environment variable or a
/// secret store), never from the repository.
/// </summary>
public sealed class AuthOptions
{
    /// <summary>The signing key, at least 32 bytes of UTF-8 (e.g. `openssl rand -base64 48`).</summary>
    public string SigningKey { get; set; } = "";
    public string Issuer { get; set; } = "perfeval";
    public string Audience { get; set; } = "perfeval";

    /// <summary>
    /// Keys that signed tokens before the current one, still accepted (never used to sign), so a key
    /// can be rotated without refusing every token issued under the old one: add the old key here,
    /// switch SigningKey, reissue tokens, then drop the old key.
    /// </summary>
    public string[] PreviousSigningKeys { get; set; } = [];

    /// <summary>Lifetime of the tokens a service mints for its own calls to other services.</summary>
    public int ServiceTokenMinutes { get; set; } = 60;

    public const int MinimumKeyBytes = 32;

    public SymmetricSecurityKey Key() => KeyOf(SigningKey, "Auth:SigningKey (environment variable Auth__SigningKey)");

    /// <summary>Every key a token may be signed with: the current one first, then the previous ones.</summary>
    public IEnumerable<SecurityKey> ValidationKeys() =>
        PreviousSigningKeys.Select((key, i) => KeyOf(key, $"Auth:PreviousSigningKeys:{i}")).Prepend(Key()).ToList();

    static SymmetricSecurityKey KeyOf(string secret, string setting)
    {
        var bytes = Encoding.UTF8.GetBytes(secret);
        if (bytes.Length < MinimumKeyBytes)
            throw new InvalidOperationException($"{setting} must be set to a secret of at least {MinimumKeyBytes} bytes; it is {bytes.Length}");
        return new SymmetricSecurityKey(bytes);
    }
}

/// <summary>The claims PerfEval reads from a token, and how tokens are made.</summary>
public static class AccessTokens
{
    /// <summary>
    /// The region a caller may act for: a GB/T 2260 code (a province "650000" covers every city and
    /// county under it, a county "653129" only itself), or "*" for every region (national systems
    /// and the services' own calls). A token without it may act for no region at all.
    /// </summary>
    public const string RegionClaim = "perfeval_region";

    public const string AllRegions = "*";

    public static string Mint(AuthOptions options, string subject, string region, TimeSpan lifetime)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subject);
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Issuer,
            Audience = options.Audience,
            Subject = new ClaimsIdentity([new Claim(JwtRegisteredClaimNames.Sub, subject), new Claim(RegionClaim, region)]),
            NotBefore = now.AddSeconds(-5),
            IssuedAt = now,
            Expires = now.Add(lifetime),
            SigningCredentials = new SigningCredentials(options.Key(), SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>
    /// The code prefix a region claim covers: "650000" (a province) covers "65…", "653100" (a city)
    /// "6531…", "653129" (a county) itself; "*" everything (empty prefix). Null: the claim is missing
    /// or malformed, which covers nothing.
    /// </summary>
    public static string? RegionPrefix(string? claim)
    {
        if (claim == AllRegions)
            return "";
        if (claim is not { Length: 6 } || !claim.All(char.IsAsciiDigit) || claim.StartsWith("00", StringComparison.Ordinal))
            return null;
        var prefix = claim;
        while (prefix.Length > 2 && prefix.EndsWith("00", StringComparison.Ordinal))
            prefix = prefix[..^2];
        return prefix;
    }
}
