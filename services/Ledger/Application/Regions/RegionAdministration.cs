using PerfEval.Client;
using Npgsql;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Hosting.Security;
using PerfEval.Storage;
using PerfEval.Ledger.Domain.Regions;
using PerfEval.Ledger.Storage;
using PerfEval.SharedKernel.Errors;

namespace PerfEval.Ledger.Application.Regions;

/// <summary>
/// Adding, renaming and retiring a region: each in one transaction with its history entry and its
/// request id, so a retry returns the first answer and a refused request leaves nothing behind.
/// </summary>
public sealed class RegionAdministration(RegionStore store)
{
    /// <summary>How many children or subjects a refusal names.</summary>
    const int NamedInRefusal = 5;

    public Task<AddRegionResponse> AddAsync(AddRegionRequest request, CancellationToken cancellationToken) =>
        InTransactionAsync(request.RequestId, request, AddRegionResponse.Parser, async (connection, transaction) =>
        {
            var parentCode = request.ParentCode.Length == 0 ? null : request.ParentCode;
            var parent = parentCode is null ? null : await RegionStore.LockAsync(connection, transaction, parentCode, exclusive: false, cancellationToken);
            var existing = await RegionStore.FindAsync(connection, transaction, request.Code, cancellationToken);
            RegionRules.CheckAdd(request, existing, parent);
            await RegionStore.InsertAsync(connection, transaction, request.Code, request.Name, parentCode, cancellationToken);
            var change = await RegionStore.RecordChangeAsync(connection, transaction, request.Code, RegionChangeKind.Added, "", request.Reason,
                Callers.Current, request.RequestId, cancellationToken);
            return new AddRegionResponse { Region = await RegionAsync(connection, transaction, request.Code, cancellationToken), Change = change };
        }, cancellationToken);

    public Task<RenameRegionResponse> RenameAsync(RenameRegionRequest request, CancellationToken cancellationToken) =>
        InTransactionAsync(request.RequestId, request, RenameRegionResponse.Parser, async (connection, transaction) =>
        {
            var current = await RegionStore.LockAsync(connection, transaction, request.Code, exclusive: true, cancellationToken);
            RegionRules.CheckRename(request, current);
            await RegionStore.RenameAsync(connection, transaction, request.Code, request.Name, cancellationToken);
            var change = await RegionStore.RecordChangeAsync(connection, transaction, request.Code, RegionChangeKind.Renamed, current!.Name,
                request.Reason, Callers.Current, request.RequestId, cancellationToken);
            return new RenameRegionResponse { Region = await RegionAsync(connection, transaction, request.Code, cancellationToken), Change = change };
        }, cancellationToken);

    public Task<RetireRegionResponse> RetireAsync(RetireRegionRequest request, CancellationToken cancellationToken) =>
        InTransactionAsync(request.RequestId, request, RetireRegionResponse.Parser, async (connection, transaction) =>
        {
            // The exclusive lock waits for a child being added or a subject being created in the
            // region (both hold a share lock on it) and makes later ones see the retirement.
            var current = await RegionStore.LockAsync(connection, transaction, request.Code, exclusive: true, cancellationToken);
            var children = current is null ? [] : await RegionStore.CurrentChildrenAsync(connection, transaction, request.Code, NamedInRefusal, cancellationToken);
            var subjects = current is null ? [] : await RegionStore.ActiveSubjectsAsync(connection, transaction, request.Code, NamedInRefusal, cancellationToken);
            RegionRules.CheckRetire(request, current, children, subjects);
            await RegionStore.RetireAsync(connection, transaction, request.Code, cancellationToken);
            var change = await RegionStore.RecordChangeAsync(connection, transaction, request.Code, RegionChangeKind.Retired, "", request.Reason,
                Callers.Current, request.RequestId, cancellationToken);
            return new RetireRegionResponse { Region = await RegionAsync(connection, transaction, request.Code, cancellationToken), Change = change };
        }, cancellationToken);

    public Task<ListRegionsResponse> ListAsync(ListRegionsRequest request, CancellationToken cancellationToken) =>
        store.ListAsync(request, cancellationToken);

    public async Task<GetRegionHistoryResponse> HistoryAsync(GetRegionHistoryRequest request, CancellationToken cancellationToken) =>
        await store.HistoryAsync(request, cancellationToken)
        ?? throw new InvalidRequestException("code", $"no region with code {request.Code} is known");

    static async Task<Region> RegionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string code, CancellationToken cancellationToken) =>
        RegionStore.ToRegion((await RegionStore.FindAsync(connection, transaction, code, cancellationToken))!);

    async Task<TResponse> InTransactionAsync<TResponse>(string requestId, Google.Protobuf.IMessage request,
        Google.Protobuf.MessageParser<TResponse> parser, Func<NpgsqlConnection, NpgsqlTransaction, Task<TResponse>> change,
        CancellationToken cancellationToken) where TResponse : class, Google.Protobuf.IMessage<TResponse> =>
        (await RequestIds.OnceAsync(store.DataSource, requestId, request, parser, change, cancellationToken)).Response;
}
