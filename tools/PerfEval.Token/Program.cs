using System.Globalization;
using PerfEval.Client;

// Issues a bearer token for one caller, signed with the deployment's key:
//   Auth__SigningKey=… dotnet run --project tools/PerfEval.Token -- --subject xinjiang-integration --region 650000 [--days 30]
// --region is a GB/T 2260 code (a province covers the cities and counties under it) or "*" for every
// region. The key is read from Auth__SigningKey or PERFEVAL_AUTH_SIGNING_KEY, never from an argument,
// so it does not end up in shell history. The token goes to stdout alone, for scripts.
// The region must be in the catalog the ledger ships (services/Ledger/Storage/Regions/regions.csv);
// a code an administrator added later by RegionService.AddRegion needs --unlisted-region.
var subject = Argument("--subject");
var region = Argument("--region");
var days = double.Parse(Argument("--days") ?? "30", CultureInfo.InvariantCulture);
if (subject is null || region is null || AccessTokens.RegionPrefix(region) is null || days <= 0)
{
    Console.Error.WriteLine("usage: --subject <caller name> --region <six-digit region code | *> [--days <lifetime, default 30>] [--unlisted-region]");
    return 2;
}

if (region != AccessTokens.AllRegions && !args.Contains("--unlisted-region") && !CatalogCodes().Contains(region))
{
    Console.Error.WriteLine($"region {region} is not in the region catalog; if a national administrator added it with RegionService.AddRegion, " +
        "pass --unlisted-region as well");
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

static HashSet<string> CatalogCodes()
{
    using var stream = typeof(Program).Assembly.GetManifestResourceStream("regions.csv");
    using var reader = new StreamReader(stream ?? throw new InvalidOperationException("the region catalog is not embedded"));
    reader.ReadLine();
    var codes = new HashSet<string>(StringComparer.Ordinal);
    while (reader.ReadLine() is { Length: > 0 } line)
        codes.Add(line[..line.IndexOf(',', StringComparison.Ordinal)]);
    return codes;
}

string? Argument(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
