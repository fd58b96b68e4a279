using PerfEval.Ledger.Application.Regions;
using PerfEval.Ledger.Domain.Regions;

namespace PerfEval.Ledger.Tests;

/// <summary>The shipped GB/T 2260 catalog (Storage/Regions/regions.csv) is one tree, and holds the seeds' regions.</summary>
public class RegionCatalogTests
{
    static readonly IReadOnlyList<RegionCatalogEntry> Catalog = RegionCatalog.Shipped();

    [Fact]
    public void The_shipped_catalog_is_one_tree_of_provinces_prefectures_and_counties()
    {
        Assert.Empty(RegionCatalogFile.CheckTree(Catalog));
        Assert.Equal(Catalog.Count, Catalog.Select(e => e.Code).Distinct().Count());
        Assert.All(Catalog, e => Assert.Matches("^[1-8][0-9]{5}$", e.Code));
        Assert.All(Catalog, e => Assert.False(string.IsNullOrWhiteSpace(e.Name)));
        var byCode = Catalog.ToDictionary(e => e.Code);
        foreach (var entry in Catalog.Where(e => e.Level > 1))
        {
            var parent = byCode[entry.ParentCode!];
            // A county sits under its prefecture, or under its province when it is 省直辖 ("xx90yy").
            var expectedLevel = entry.Level == 3 && entry.Code[2..4] == "90" ? 1 : entry.Level - 1;
            Assert.Equal(expectedLevel, parent.Level);
            Assert.StartsWith(parent.Code[..(2 * parent.Level)], entry.Code);
        }
        Assert.All(Catalog.Where(e => e.Level == 1), e => Assert.Null(e.ParentCode));
    }

    [Fact]
    public void The_catalog_has_about_31_provinces_340_prefectures_and_2900_counties()
    {
        Assert.Equal(31, Catalog.Count(e => e.Level == 1));
        Assert.InRange(Catalog.Count(e => e.Level == 2), 330, 350);
        Assert.InRange(Catalog.Count(e => e.Level == 3), 2800, 3000);
    }

    [Theory]
    [InlineData("653129", "伽师县", "653100")]
    [InlineData("653100", "喀什地区", "650000")]
    [InlineData("650000", "新疆维吾尔自治区", null)]
    [InlineData("340600", "淮北市", "340000")]
    [InlineData("430922", "桃江县", "430900")]
    [InlineData("110100", "北京市（市辖区）", "110000")]
    [InlineData("429004", "仙桃市", "420000")]
    public void The_seed_regions_and_the_adjusted_ones_are_listed(string code, string name, string? parentCode)
    {
        var entry = Assert.Single(Catalog, e => e.Code == code);
        Assert.Equal(name, entry.Name);
        Assert.Equal(parentCode, entry.ParentCode);
    }

    [Fact]
    public void A_broken_tree_is_reported_region_by_region()
    {
        var problems = RegionCatalogFile.CheckTree(
        [
            new("650000", "新疆维吾尔自治区", 1, null),
            new("653100", "喀什地区", 2, "650000"),
            new("653129", "伽师县", 3, "653100"),
            new("653129", "伽师县", 3, "653100"),
            new("653130", "", 3, "653100"),
            new("653201", "和田市", 3, "653200"),
            new("653202", "错层", 2, "653200"),
            new("12345", "短码", 3, "123400"),
            new("340600", "淮北市", 2, "650000"),
        ]);
        Assert.Contains("653129: listed twice", problems);
        Assert.Contains("653130: no name", problems);
        Assert.Contains("653201: its parent 653200 is not listed", problems);
        Assert.Contains(problems, p => p.StartsWith("653202: level 2", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("12345: must be a six-digit", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("340600: the parent of city 340600 must be its province 340000", StringComparison.Ordinal));
    }

    [Fact]
    public void A_malformed_line_is_refused_with_its_number()
    {
        var refused = Assert.Throws<FormatException>(() =>
            RegionCatalogFile.Parse(new StringReader($"{RegionCatalogFile.Header}\n650000,新疆维吾尔自治区,1,\n653100,喀什地区,二,650000\n")));
        Assert.StartsWith("line 3:", refused.Message);
    }
}
