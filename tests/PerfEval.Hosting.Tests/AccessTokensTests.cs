using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using PerfEval.Client;
using PerfEval.Hosting.Security;

namespace PerfEval.Hosting.Tests;

public class AccessTokensTests
{
    static readonly string OldKey = new('o', 48);
    static readonly string NewKey = new('n', 48);

    static async Task<TokenValidationResult> ValidateAsync(string token, AuthOptions options) =>
        await new JsonWebTokenHandler().ValidateTokenAsync(token, SecuritySetup.ValidationParameters(options));

    [Fact]
    public async Task A_token_carries_its_subject_and_region_and_validates_with_its_key()
    {
        var options = new AuthOptions { SigningKey = NewKey };
        var result = await ValidateAsync(AccessTokens.Mint(options, "xinjiang-integration", "650000", TimeSpan.FromMinutes(5)), options);
        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.Equal("xinjiang-integration", result.ClaimsIdentity.Name);
        Assert.Equal("650000", result.ClaimsIdentity.FindFirst(AccessTokens.RegionClaim)?.Value);
    }

    [Fact]
    public async Task During_a_key_rotation_tokens_of_the_previous_key_stay_valid_and_others_do_not()
    {
        var oldToken = AccessTokens.Mint(new AuthOptions { SigningKey = OldKey }, "county", "653129", TimeSpan.FromMinutes(5));
        Assert.False((await ValidateAsync(oldToken, new AuthOptions { SigningKey = NewKey })).IsValid);
        Assert.True((await ValidateAsync(oldToken, new AuthOptions { SigningKey = NewKey, PreviousSigningKeys = [OldKey] })).IsValid);

        var stranger = AccessTokens.Mint(new AuthOptions { SigningKey = new string('s', 48) }, "x", "*", TimeSpan.FromMinutes(5));
        Assert.False((await ValidateAsync(stranger, new AuthOptions { SigningKey = NewKey, PreviousSigningKeys = [OldKey] })).IsValid);
    }

    [Fact]
    public async Task An_expired_token_or_one_for_another_audience_is_refused()
    {
        var options = new AuthOptions { SigningKey = NewKey };
        var expired = AccessTokens.Mint(options, "x", "*", TimeSpan.FromMinutes(-5));
        Assert.False((await ValidateAsync(expired, options)).IsValid);

        var elsewhere = AccessTokens.Mint(new AuthOptions { SigningKey = NewKey, Audience = "another-system" }, "x", "*", TimeSpan.FromMinutes(5));
        Assert.False((await ValidateAsync(elsewhere, options)).IsValid);
    }

    [Fact]
    public void A_short_previous_key_is_refused_at_start()
    {
        var refused = Assert.Throws<InvalidOperationException>(() =>
            SecuritySetup.ValidationParameters(new AuthOptions { SigningKey = NewKey, PreviousSigningKeys = ["short"] }));
        Assert.Contains("Auth:PreviousSigningKeys:0", refused.Message);
    }
}
