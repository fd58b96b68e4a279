using PerfEval.Hosting.Requests;
using Grpc.Core;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Ledger.Application.Regions;
using PerfEval.Ledger.Domain.Regions;

namespace PerfEval.Ledger.Api;

/// <summary>
/// gRPC surface of the region catalog. The writes need national scope (registered in Program.cs
/// with <see cref="NationalOnly"/>); reading the history is open to every authenticated caller, and
/// the catalog is listed by LedgerService.ListRegions.
/// </summary>
public sealed class RegionApi(RegionAdministration regions) : RegionService.RegionServiceBase
{
    /// <summary>The methods only a caller with every region ("*") may call.</summary>
    public static IEnumerable<string> NationalOnly =>
        new[] { "AddRegion", "RenameRegion", "RetireRegion" }.Select(method => $"/{RegionService.Descriptor.FullName}/{method}");

    public override Task<AddRegionResponse> AddRegion(AddRegionRequest request, ServerCallContext context)
    {
        NulCharacters.ThrowIfAny(request);
        RegionRules.Validate(request).ThrowIfAny();
        return regions.AddAsync(request, context.CancellationToken);
    }

    public override Task<RenameRegionResponse> RenameRegion(RenameRegionRequest request, ServerCallContext context)
    {
        NulCharacters.ThrowIfAny(request);
        RegionRules.Validate(request).ThrowIfAny();
        return regions.RenameAsync(request, context.CancellationToken);
    }

    public override Task<RetireRegionResponse> RetireRegion(RetireRegionRequest request, ServerCallContext context)
    {
        NulCharacters.ThrowIfAny(request);
        RegionRules.Validate(request).ThrowIfAny();
        return regions.RetireAsync(request, context.CancellationToken);
    }

    public override Task<GetRegionHistoryResponse> GetRegionHistory(GetRegionHistoryRequest request, ServerCallContext context)
    {
        NulCharacters.ThrowIfAny(request);
        RegionRules.Validate(request).ThrowIfAny();
        return regions.HistoryAsync(request, context.CancellationToken);
    }
}
