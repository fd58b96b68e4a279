using PerfEval.Contracts.Ledger.V1;
using PerfEval.Ledger.Storage;
using PerfEval.SharedKernel.Errors;
using PerfEval.Storage;

namespace PerfEval.Ledger.Application;

/// <summary>The evaluation subjects and the chart of accounts: created once per request id, never changed by a later request.</summary>
public sealed class ReferenceData(ReferenceDataStore store, JournalStore journal)
{
    /// <summary>The postable account codes (cached by the store), for validating requests before they reach a transaction.</summary>
    public Task<IReadOnlySet<string>> AccountCodesAsync(IEnumerable<string> needed, CancellationToken cancellationToken) =>
        store.AccountCodesAsync(needed, cancellationToken);

    /// <summary>Every account code of the chart, groups included (a budget may sit on a group).</summary>
    public async Task<IReadOnlySet<string>> ChartCodesAsync(CancellationToken cancellationToken) =>
        (await store.ChartAsync(cancellationToken)).Keys.ToHashSet(StringComparer.Ordinal);

    public Task<ListAccountsResponse> ListAccountsAsync(ListAccountsRequest request, CancellationToken cancellationToken) =>
        store.ListAccountsAsync(request, cancellationToken);

    public async Task<EvaluationSubject> CreateSubjectAsync(CreateEvaluationSubjectRequest request, CancellationToken cancellationToken)
    {
        await using var connection = await journal.DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await RequestIds.ReplayAsync(connection, transaction, request.RequestId, request, EvaluationSubject.Parser, cancellationToken) is { } earlier)
            return earlier;

        _ = await ReferenceDataStore.CurrentRegionNameAsync(connection, transaction, request.RegionCode, cancellationToken)
            ?? throw new InvalidRequestException("region_code", $"no current region with code {request.RegionCode} is known (unknown, or retired)");
        await ReferenceDataStore.InsertSubjectAsync(connection, transaction, request, cancellationToken);

        var subject = (await ReferenceDataStore.FindSubjectAsync(connection, transaction, request.RegionCode, request.SubjectCode, cancellationToken))!.Value.Subject;
        if (subject.Kind != request.Kind || subject.Name != request.Name)
            throw new ConflictException($"subject {request.RegionCode}/{request.SubjectCode} exists with another kind or name", "subject_code");

        await RequestIds.RememberAsync(connection, transaction, request.RequestId, request, subject, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return subject;
    }

    /// <summary>AddAccount: a provincial sub-account under an account of the national chart (or of the same province).</summary>
    public async Task<AddAccountResponse> AddAccountAsync(AddAccountRequest request, CancellationToken cancellationToken)
    {
        await using var connection = await journal.DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await RequestIds.ReplayAsync(connection, transaction, request.RequestId, request, AddAccountResponse.Parser, cancellationToken) is { } earlier)
            return earlier;
        var chart = await ReferenceDataStore.ChartAsync(connection, transaction, cancellationToken);
        if (!chart.TryGetValue(request.ParentCode, out var parent) || (parent.ProvinceCode is { } p && p != request.ProvinceCode))
            throw new NotFoundException($"no account {request.ParentCode} in the chart of province {request.ProvinceCode}");
        if (chart.TryGetValue(request.AccountCode, out var existing))
        {
            if (existing.Name != request.Name || existing.ParentCode != request.ParentCode || existing.ProvinceCode != request.ProvinceCode)
                throw new ConflictException($"account {request.AccountCode} exists as \"{existing.Name}\"", "account_code");
        }
        else
        {
            await ReferenceDataStore.InsertAccountAsync(connection, transaction, request, parent, cancellationToken);
        }
        var response = new AddAccountResponse
        {
            Account = new Account
            {
                Code = request.AccountCode, Name = request.Name, AccountClass = parent.Class, NormalSide = parent.NormalSide,
                ParentCode = request.ParentCode, ProvinceCode = request.ProvinceCode,
            },
        };
        await RequestIds.RememberAsync(connection, transaction, request.RequestId, request, response, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return response;
    }
}
