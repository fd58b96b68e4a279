using PerfEval.Contracts.Ledger.V1;
using PerfEval.Ledger.Domain.Regions;
using PerfEval.SharedKernel.Errors;

namespace PerfEval.Ledger.Tests;

public class RegionRulesTests
{
    static readonly RegionState Yiyang = new("430900", "益阳市", "430000", null);
    static readonly RegionState RetiredCounty = new("430999", "旧县", "430900", new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc));

    static AddRegionRequest Add(string code = "430999", string parent = "430900", string name = "新县", string reason = "民政部 2026 年批复") =>
        new() { RequestId = "r1", Code = code, Name = name, ParentCode = parent, Reason = reason };

    static IEnumerable<string> Fields(FieldViolations violations) => violations.Items.Select(v => v.Field);

    [Fact]
    public void A_well_formed_addition_has_no_violation() => Assert.False(RegionRules.Validate(Add()).Any);

    [Theory]
    [InlineData("4309", "430900", "code")]
    [InlineData("430999", "440300", "parent_code")]
    [InlineData("430999", "", "parent_code")]
    [InlineData("430900", "430922", "parent_code")]
    [InlineData("430000", "110000", "parent_code")]
    public void A_code_and_parent_that_do_not_fit_name_the_field(string code, string parent, string field) =>
        Assert.Equal([field], Fields(RegionRules.Validate(Add(code, parent))));

    [Fact]
    public void Every_bad_field_is_named_at_once()
    {
        var violations = RegionRules.Validate(new AddRegionRequest { Code = "x", Name = " ", Reason = "" });
        Assert.Equal(["request_id", "code", "name", "reason"], Fields(violations));
    }

    [Fact]
    public void A_county_directly_under_its_province_may_skip_the_prefecture() =>
        Assert.False(RegionRules.Validate(Add("429099", "420000")).Any);

    [Fact]
    public void An_existing_code_conflicts_and_an_unknown_or_retired_parent_is_refused()
    {
        Assert.Equal("code", Assert.Throws<ConflictException>(() => RegionRules.CheckAdd(Add(), RetiredCounty, Yiyang)).Field);
        Assert.Equal("parent_code", Assert.Single(Assert.Throws<InvalidRequestException>(() => RegionRules.CheckAdd(Add(), null, null)).Violations).Field);
        var retiredParent = Yiyang with { RetiredAt = DateTime.UtcNow };
        Assert.Contains("retired", Assert.Throws<InvalidRequestException>(() => RegionRules.CheckAdd(Add(), null, retiredParent)).Message);
        RegionRules.CheckAdd(Add(), null, Yiyang);
    }

    [Fact]
    public void A_rename_needs_a_current_region_and_a_new_name()
    {
        static RenameRegionRequest Rename(string code, string name) => new() { RequestId = "r2", Code = code, Name = name, Reason = "更名" };
        var rename = Rename("430900", "益阳市");
        Assert.Equal("name", Assert.Single(Assert.Throws<InvalidRequestException>(() => RegionRules.CheckRename(rename, Yiyang)).Violations).Field);
        Assert.Equal("code", Assert.Single(Assert.Throws<InvalidRequestException>(() => RegionRules.CheckRename(rename, null)).Violations).Field);
        Assert.Equal("REGION_RETIRED",
            Assert.Throws<PreconditionFailedException>(() => RegionRules.CheckRename(Rename("430999", "新名"), RetiredCounty)).Reason);
        RegionRules.CheckRename(Rename("430900", "银城市"), Yiyang);
    }

    [Fact]
    public void A_region_with_current_children_or_active_subjects_is_not_retired()
    {
        static RetireRegionRequest Retire(string code) => new() { RequestId = "r3", Code = code, Reason = "撤销" };
        var retire = Retire("430900");
        Assert.Equal("REGION_HAS_CHILDREN",
            Assert.Throws<PreconditionFailedException>(() => RegionRules.CheckRetire(retire, Yiyang, ["430922"], [])).Reason);
        Assert.Equal("REGION_HAS_ACTIVE_SUBJECTS",
            Assert.Throws<PreconditionFailedException>(() => RegionRules.CheckRetire(retire, Yiyang, [], ["taojiang-resident"])).Reason);
        Assert.Equal("REGION_RETIRED",
            Assert.Throws<PreconditionFailedException>(() => RegionRules.CheckRetire(Retire("430999"), RetiredCounty, [], [])).Reason);
        RegionRules.CheckRetire(retire, Yiyang, [], []);
    }

    [Fact]
    public void History_paging_takes_only_its_own_tokens()
    {
        Assert.Equal(["page_token"], Fields(RegionRules.Validate(new GetRegionHistoryRequest { Code = "430922", PageToken = "not-a-token!" })));
        Assert.Equal(["code", "page_size"], Fields(RegionRules.Validate(new GetRegionHistoryRequest { Code = "", PageSize = 5000 })));
    }
}
