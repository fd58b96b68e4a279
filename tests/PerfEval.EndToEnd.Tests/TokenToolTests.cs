using PerfEval.Testing;
using PerfEval.Client;
using System.Diagnostics;
using System.Security.Cryptography;
using PerfEval.EndToEnd.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using PerfEval.Hosting.Security;

namespace PerfEval.EndToEnd.Tests;

/// <summary>tools/PerfEval.Token, run as an operator would: it mints only for a region of the catalog, or "*".</summary>
// In the cluster's collection only so that its processes do not compete with the cluster's start-up for the CPU.
[Collection(PerfEvalClusterCollection.Name)]
public sealed class TokenToolTests
{
    static readonly string SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));

    static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] arguments)
    {
        var repoRoot = RepoRoot.Find();
        var dll = Path.Combine(repoRoot, "tools", "PerfEval.Token", "bin", ServiceProcess.TestConfiguration, "net10.0", "PerfEval.Token.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        start.Environment["Auth__SigningKey"] = SigningKey;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, (await output).Trim(), await error);
    }

    [Theory(DisplayName = "The token tool mints for a catalog region (old seed or not) and for every region")]
    [InlineData("340621")]
    [InlineData("653129")]
    [InlineData("650000")]
    [InlineData("*")]
    public async Task MintsForKnownRegions(string region)
    {
        var (exitCode, token, error) = await RunAsync("--subject", "operator", "--region", region);
        Assert.True(exitCode == 0, error);
        var validated = await new JsonWebTokenHandler().ValidateTokenAsync(token,
            SecuritySetup.ValidationParameters(new AuthOptions { SigningKey = SigningKey }));
        Assert.True(validated.IsValid, validated.Exception?.Message);
        Assert.Equal(region, validated.Claims[AccessTokens.RegionClaim]);
    }

    [Fact(DisplayName = "The token tool refuses a region the catalog does not list, unless told it was added later")]
    public async Task RefusesUnknownRegions()
    {
        var (exitCode, token, error) = await RunAsync("--subject", "operator", "--region", "430988");
        Assert.Equal(2, exitCode);
        Assert.Equal("", token);
        Assert.Contains("430988 is not in the region catalog", error);

        var added = await RunAsync("--subject", "operator", "--region", "430988", "--unlisted-region");
        Assert.True(added.ExitCode == 0, added.Error);
        Assert.NotEqual("", added.Output);
    }
}
