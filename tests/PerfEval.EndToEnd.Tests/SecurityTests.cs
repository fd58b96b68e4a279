using System.Security.Cryptography;
using Google.Rpc;
using Grpc.Core;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.EndToEnd.Tests.Infrastructure;
using PerfEval.Client;
using Xunit.Abstractions;

namespace PerfEval.EndToEnd.Tests;

/// <summary>
/// ARCHITECTURE.md §Security over the real services: callers authenticate with a bearer token; a
/// token is scoped to a region (a province acts for every county under it, a county for itself);
/// a refused request writes nothing; the services' calls to each other carry their own identity
/// (every other end-to-end test depends on that: indicator reads the ledger, scoring the indicator).
/// </summary>
[Collection(PerfEvalClusterCollection.Name)]
public sealed class SecurityTests(PerfEvalCluster cluster, ITestOutputHelper output)
{
    static DateTime Deadline() => DateTime.UtcNow.AddSeconds(30);

    LedgerService.LedgerServiceClient LedgerAs(string token) => new(cluster.Channel(cluster.LedgerProcess, token));

    LedgerService.LedgerServiceClient LedgerFor(string subject, string region) => LedgerAs(cluster.Token(subject, region));

    async Task<EvaluationKey> SubjectAsync(string region)
    {
        var code = $"security-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        await cluster.Ledger.CreateEvaluationSubjectAsync(new CreateEvaluationSubjectRequest
        {
            RequestId = Guid.NewGuid().ToString(), RegionCode = region, SubjectCode = code, Kind = SubjectKind.ResidentFund, Name = $"{region} security",
        }, deadline: Deadline());
        return new EvaluationKey { RegionCode = region, SubjectCode = code, FiscalYear = 2024 };
    }

    static PostEntriesRequest Posting(EvaluationKey key, long fen) => new()
    {
        Evaluation = key,
        Entries =
        {
            new JournalEntry
            {
                EntryId = Guid.NewGuid().ToString(), PostingDate = "2024-03-31",
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

    static ErrorInfo Info(RpcException refused) =>
        refused.GetRpcStatus()?.GetDetail<ErrorInfo>() ?? throw new Xunit.Sdk.XunitException($"no ErrorInfo in {refused.Status}");

    async Task<long> BalanceFenAsync(EvaluationKey key, string account)
    {
        var balances = await cluster.Ledger.GetBalancesAsync(new GetBalancesRequest { Evaluation = key }, deadline: Deadline());
        return balances.Balances.Where(b => b.AccountCode == account).Select(b => b.CreditFen - b.DebitFen).SingleOrDefault();
    }

    [Fact(DisplayName = "Without a valid token every data method is UNAUTHENTICATED; health and reflection need none")]
    public Task TokensAreRequired() => WithDiagnosticsAsync(async () =>
    {
        var key = await SubjectAsync("653129");
        var anonymous = LedgerAs("");
        await RefusedAsync(() => anonymous.GetBalancesAsync(new GetBalancesRequest { Evaluation = key }, deadline: Deadline()).ResponseAsync,
            StatusCode.Unauthenticated);
        await RefusedAsync(() => anonymous.PostEntriesAsync(Posting(key, 100), deadline: Deadline()).ResponseAsync, StatusCode.Unauthenticated);

        var otherKey = new AuthOptions { SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)) };
        var forged = LedgerAs(AccessTokens.Mint(otherKey, "forger", AccessTokens.AllRegions, TimeSpan.FromHours(1)));
        await RefusedAsync(() => forged.PostEntriesAsync(Posting(key, 100), deadline: Deadline()).ResponseAsync, StatusCode.Unauthenticated);
        await RefusedAsync(() => LedgerAs("not-a-token").GetBalancesAsync(new GetBalancesRequest { Evaluation = key }, deadline: Deadline()).ResponseAsync,
            StatusCode.Unauthenticated);

        Assert.Equal(0, await BalanceFenAsync(key, "4001"));
    });

    [Fact(DisplayName = "A county acts for itself only, a city and a province for what lies under them; a refusal names the field and writes nothing")]
    public Task RegionScopes() => WithDiagnosticsAsync(async () =>
    {
        var county = await SubjectAsync("653129");     // 伽师县
        var prefecture = await SubjectAsync("653100"); // 喀什地区, the county's parent
        var jiashi = LedgerFor("jiashi-bureau", "653129");

        await jiashi.PostEntriesAsync(Posting(county, 700), deadline: Deadline());
        Assert.Equal(700, await BalanceFenAsync(county, "4001"));

        var upward = await RefusedAsync(() => jiashi.PostEntriesAsync(Posting(prefecture, 900), deadline: Deadline()).ResponseAsync,
            StatusCode.PermissionDenied);
        var info = Info(upward);
        Assert.Equal("REGION_OUT_OF_SCOPE", info.Reason);
        Assert.Equal("evaluation.region_code", info.Metadata["field"]);
        Assert.Equal("653100", info.Metadata["region_code"]);
        Assert.Contains("jiashi-bureau", upward.Status.Detail);
        Assert.Equal(0, await BalanceFenAsync(prefecture, "4001"));

        // Reads are scoped too, and so is a region named anywhere in the request.
        await RefusedAsync(() => jiashi.GetBalancesAsync(new GetBalancesRequest { Evaluation = prefecture }, deadline: Deadline()).ResponseAsync,
            StatusCode.PermissionDenied);
        await RefusedAsync(() => jiashi.CreateEvaluationSubjectAsync(new CreateEvaluationSubjectRequest
        {
            RequestId = Guid.NewGuid().ToString(), RegionCode = "653100", SubjectCode = "x", Kind = SubjectKind.ResidentFund, Name = "x",
        }, deadline: Deadline()).ResponseAsync, StatusCode.PermissionDenied);

        await LedgerFor("kashgar-prefecture", "653100").PostEntriesAsync(Posting(county, 20), deadline: Deadline());
        await LedgerFor("xinjiang-integration", "650000").PostEntriesAsync(Posting(county, 3), deadline: Deadline());
        Assert.Equal(723, await BalanceFenAsync(county, "4001"));

        var anhui = await RefusedAsync(() => LedgerFor("anhui-integration", "340000")
            .GetBalancesAsync(new GetBalancesRequest { Evaluation = county }, deadline: Deadline()).ResponseAsync, StatusCode.PermissionDenied);
        Assert.Equal("340000", Info(anhui).Metadata["caller_region"]);

        // A token that names no region may act for none.
        var unscoped = await RefusedAsync(() => LedgerFor("no-region", "").GetBalancesAsync(new GetBalancesRequest { Evaluation = county },
            deadline: Deadline()).ResponseAsync, StatusCode.PermissionDenied);
        Assert.Equal("REGION_OUT_OF_SCOPE", Info(unscoped).Reason);
    });

    [Fact(DisplayName = "A bulk stream is checked chunk by chunk: a foreign region ends it, the chunks before it stay committed")]
    public Task StreamsAreScopedPerMessage() => WithDiagnosticsAsync(async () =>
    {
        var county = await SubjectAsync("653129");
        var elsewhere = await SubjectAsync("430922"); // 桃江县, another province
        using var call = LedgerFor("jiashi-bureau", "653129").StreamPostEntries(deadline: Deadline());

        await call.RequestStream.WriteAsync(new StreamPostEntriesRequest { Sequence = 0, Batch = Posting(county, 50) });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(0, call.ResponseStream.Current.Sequence);

        await call.RequestStream.WriteAsync(new StreamPostEntriesRequest { Sequence = 1, Batch = Posting(elsewhere, 60) });
        var refused = await RefusedAsync(async () =>
        {
            while (await call.ResponseStream.MoveNext(CancellationToken.None)) { }
        }, StatusCode.PermissionDenied);
        Assert.Equal("batch.evaluation.region_code", Info(refused).Metadata["field"]);

        Assert.Equal(50, await BalanceFenAsync(county, "4001"));
        Assert.Equal(0, await BalanceFenAsync(elsewhere, "4001"));
    });

    [Fact(DisplayName = "The indicator-system catalog every region shares is changed by national callers only")]
    public Task CatalogWritesNeedNationalScope() => WithDiagnosticsAsync(async () =>
    {
        var province = new IndicatorService.IndicatorServiceClient(
            cluster.Channel(cluster.IndicatorProcess, cluster.Token("xinjiang-integration", "650000")));
        var refused = await RefusedAsync(() => province.DefineSystemAsync(new DefineSystemRequest(), deadline: Deadline()).ResponseAsync,
            StatusCode.PermissionDenied);
        Assert.Equal("NATIONAL_SCOPE_REQUIRED", Info(refused).Reason);

        // The same empty request from a national caller gets past the scope check to validation.
        var national = await RefusedAsync(() => cluster.Indicator.DefineSystemAsync(new DefineSystemRequest(), deadline: Deadline()).ResponseAsync,
            StatusCode.InvalidArgument);
        Assert.NotNull(national.GetRpcStatus()?.GetDetail<BadRequest>());

        // Reading the catalog is open to every caller.
        await province.ListSystemsAsync(new ListSystemsRequest(), deadline: Deadline());

        // A province publishes its own template under its region; not under another's, not a national code.
        var exported = await cluster.Indicator.ExportSystemAsync(new ExportSystemRequest { SystemCode = "resident-fund" }, deadline: Deadline());
        var code = $"xinjiang-resident-{Guid.NewGuid():N}"[..40];
        var published = await province.ImportSystemAsync(new ImportSystemRequest
        {
            RequestId = Guid.NewGuid().ToString(), RegionCode = "650000",
            FileText = exported.FileText.Replace("system_code: resident-fund", $"system_code: {code}", StringComparison.Ordinal),
        }, deadline: Deadline());
        Assert.Equal(code, published.System.SystemCode);
        var listed = (await province.ListSystemsAsync(new ListSystemsRequest { SubjectKind = "resident-fund", PageSize = 500 }, deadline: Deadline()))
            .Systems.Single(s => s.SystemCode == code);
        Assert.Equal("650000", listed.PublisherRegion);
        await RefusedAsync(() => province.ImportSystemAsync(new ImportSystemRequest
        {
            RequestId = Guid.NewGuid().ToString(), RegionCode = "340000", FileText = exported.FileText,
        }, deadline: Deadline()).ResponseAsync, StatusCode.PermissionDenied);
        var taken = await RefusedAsync(() => province.ImportSystemAsync(new ImportSystemRequest
        {
            RequestId = Guid.NewGuid().ToString(), RegionCode = "650000",
            FileText = exported.FileText.Replace("version: 1", "version: 999", StringComparison.Ordinal),
        }, deadline: Deadline()).ResponseAsync, StatusCode.AlreadyExists);
        Assert.Equal("CODE_OF_ANOTHER_PUBLISHER", Info(taken).Reason);
    });

    [Fact(DisplayName = "Every call is audited with its caller, refusals included; request-id writes store the caller")]
    public Task CallsAreAudited() => WithDiagnosticsAsync(async () =>
    {
        var caller = $"kashgar-prefecture-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
        var kashgar = LedgerFor(caller, "653100");
        var requestId = Guid.NewGuid().ToString();
        await kashgar.CreateEvaluationSubjectAsync(new CreateEvaluationSubjectRequest
        {
            RequestId = requestId, RegionCode = "653129", SubjectCode = $"audit-{requestId[..8]}", Kind = SubjectKind.ResidentFund, Name = "audit",
        }, deadline: Deadline());
        await RefusedAsync(() => kashgar.GetBalancesAsync(new GetBalancesRequest
        {
            Evaluation = new EvaluationKey { RegionCode = "650000", SubjectCode = "x", FiscalYear = 2024 },
        }, deadline: Deadline()).ResponseAsync, StatusCode.PermissionDenied);

        Assert.Equal(caller, await cluster.QueryScalarAsync("Ledger", "select caller from request_ids where request_id = $1", requestId));

        // The log is written asynchronously: poll it with a deadline.
        var audit = await Poll.UntilAsync($"two audit lines of {caller} in the ledger's log", TimeSpan.FromSeconds(20),
            _ => Task.FromResult(cluster.LedgerProcess.LogLines().Where(l => l.Contains("Audit") && l.Contains(caller)).ToArray()),
            lines => lines.Length >= 2, describe: lines => $"[{string.Join(" | ", lines)}]");
        Assert.Contains(audit, l => l.Contains("/perfeval.ledger.v1.LedgerService/CreateEvaluationSubject") && l.Contains("\"GrpcStatus\":\"OK\""));
        Assert.Contains(audit, l => l.Contains("/perfeval.ledger.v1.LedgerService/GetBalances") && l.Contains("PermissionDenied"));
        Assert.All(audit, l => Assert.Contains("\"CallerRegion\":\"653100\"", l));
    });

    Task WithDiagnosticsAsync(Func<Task> body) => cluster.WithDiagnosticsAsync(output, body);
}
