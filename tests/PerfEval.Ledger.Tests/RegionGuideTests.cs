using System.Text.RegularExpressions;
using Google.Protobuf;
using PerfEval.Contracts.Ledger.V1;

namespace PerfEval.Ledger.Tests;

/// <summary>The example requests of docs/regions.md parse as the requests of their RPCs, and every RegionService RPC has one.</summary>
public partial class RegionGuideTests
{
    static string Guide()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "docs", "regions.md")))
                return File.ReadAllText(Path.Combine(dir.FullName, "docs", "regions.md"));
        throw new FileNotFoundException("docs/regions.md");
    }

    [GeneratedRegex(@"-d '(?<json>[^']+)' perfeval\.ledger\.v1\.RegionService/(?<rpc>\w+)")]
    private static partial Regex Example();

    [Fact]
    public void Every_rpc_has_an_example_request_that_parses()
    {
        var service = RegionServiceReflection.Descriptor.Services.Single();
        var parser = new JsonParser(JsonParser.Settings.Default);
        var covered = new HashSet<string>();
        foreach (Match match in Example().Matches(Guide()))
        {
            var method = service.FindMethodByName(match.Groups["rpc"].Value);
            Assert.NotNull(method);
            parser.Parse(match.Groups["json"].Value, method.InputType);
            covered.Add(method.Name);
        }
        Assert.Equal(service.Methods.Select(m => m.Name).Order(), covered.Order());
    }
}
