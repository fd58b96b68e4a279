using System.Globalization;
using PerfEval.Client;

// Issues a bearer token for one caller, signed with the deployment's key:
//   Auth__SigningKey=… dotnet run --project tools/PerfEval.Token -- --subject xinjiang-integration --region 650000 [--days 30]
// --region is a GB/T 2260 code (a province covers the cities and counties under it) or "*" for every
// region. The key is read from Auth__SigningKey or PERFEVAL_AUTH_SIGNING_KEY, never from an argument,
// so it does not end up in shell history. The token goes to stdout alone, for scripts.
var subject = Argument("--subject");
var region = Argument("--region");
var days = double.Parse(Argument("--days") ?? "30", CultureInfo.InvariantCulture);
if (subject is null || region is null || AccessTokens.RegionPrefix(region) is null || days <= 0)
{
    Console.Error.WriteLine("usage: --subject <caller name> --region <six-digit region code | *> [--days <lifetime, default 30>]");
    return 2;
}

var key = Environment.GetEnvironmentVariable("Auth__SigningKey") is { Length: > 0 } k ? k : Environment.GetEnvironmentVariable("PERFEVAL_AUTH_SIGNING_KEY");
if (string.IsNullOrEmpty(key))
{
    Console.Error.WriteLine("set Auth__SigningKey (or PERFEVAL_AUTH_SIGNING_KEY) to the deployment's signing key");
    return 2;
}

var options = new AuthOptions
{
    SigningKey = key,
    Issuer = Environment.GetEnvironmentVariable("Auth__Issuer") is { Length: > 0 } issuer ? issuer : "perfeval",
    Audience = Environment.GetEnvironmentVariable("Auth__Audience") is { Length: > 0 } audience ? audience : "perfeval",
};
Console.WriteLine(AccessTokens.Mint(options, subject, region, TimeSpan.FromDays(days)));
return 0;

string? Argument(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
