using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Client;
using PerfEval.Hosting.Security;

namespace PerfEval.Hosting.Tests;

public class RegionScopeTests
{
    [Theory]
    [InlineData("*", "")]
    [InlineData("650000", "65")]
    [InlineData("653100", "6531")]
    [InlineData("653129", "653129")]
    [InlineData("110101", "110101")]
    public void A_scope_claim_covers_the_codes_under_it(string claim, string prefix) => Assert.Equal(prefix, AccessTokens.RegionPrefix(claim));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("65")]
    [InlineData("6500000")]
    [InlineData("65a000")]
    [InlineData("000000")]
    [InlineData("**")]
    public void A_missing_or_malformed_claim_covers_nothing(string? claim)
    {
        Assert.Null(AccessTokens.RegionPrefix(claim));
        Assert.False(RegionScope.Covers(AccessTokens.RegionPrefix(claim), "653129"));
    }

    [Theory]
    [InlineData("650000", "653129", true)]
    [InlineData("650000", "650000", true)]
    [InlineData("653100", "653129", true)]
    [InlineData("653129", "653129", true)]
    [InlineData("653129", "653100", false)]
    [InlineData("653129", "650000", false)]
    [InlineData("653100", "650000", false)]
    [InlineData("340000", "653129", false)]
    [InlineData("*", "430922", true)]
    public void Covers_follows_the_region_tree(string claim, string regionCode, bool covered) =>
        Assert.Equal(covered, RegionScope.Covers(AccessTokens.RegionPrefix(claim), regionCode));

    [Fact]
    public void Every_region_a_request_names_is_found_with_its_path()
    {
        var request = new RecordObservationsRequest
        {
            RequestId = "r",
            Observations =
            {
                new Observation { RegionCode = "653129", Metric = "insured-persons" },
                new Observation { RegionCode = "", Metric = "x" },
                new Observation { RegionCode = "340600", Metric = "y" },
            },
        };
        Assert.Equal([("observations[0].region_code", "653129"), ("observations[2].region_code", "340600")], RegionScope.RegionsIn(request));

        var stream = new StreamPostEntriesRequest { Batch = new PostEntriesRequest { Evaluation = new EvaluationKey { RegionCode = "653129" } } };
        Assert.Equal([("batch.evaluation.region_code", "653129")], RegionScope.RegionsIn(stream));

        Assert.Equal([("province_code", "340000")], RegionScope.RegionsIn(new AddAccountRequest { ProvinceCode = "340000", AccountCode = "400205" }));
        Assert.Empty(RegionScope.RegionsIn(new ListRegionsRequest()));
    }

    [Fact]
    public void A_bulk_chunk_names_only_its_evaluation_region()
    {
        var batch = new PostEntriesRequest { Evaluation = new EvaluationKey { RegionCode = "653129" } };
        for (var i = 0; i < 10_000; i++)
            batch.Entries.Add(new JournalEntry { EntryId = $"e{i}", Lines = { new JournalLine { AccountCode = "1002" } } });
        Assert.Equal([("evaluation.region_code", "653129")], RegionScope.RegionsIn(batch));
    }

    [Fact]
    public void A_minted_token_is_refused_with_a_short_key()
    {
        var options = new AuthOptions { SigningKey = "too-short" };
        var refused = Assert.Throws<InvalidOperationException>(() => AccessTokens.Mint(options, "x", "*", TimeSpan.FromMinutes(1)));
        Assert.Contains("Auth:SigningKey", refused.Message);
    }
}
