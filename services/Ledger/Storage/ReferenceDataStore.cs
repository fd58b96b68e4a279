using Npgsql;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Hosting.Paging;
using PerfEval.Ledger.Domain;
using PerfEval.Storage;

namespace PerfEval.Ledger.Storage;

/// <summary>Reference data: the chart of accounts (national, with provincial sub-accounts) and the evaluation subjects.</summary>
public sealed class ReferenceDataStore(NpgsqlDataSource dataSource)
{
    IReadOnlySet<string>? _postable;

    /// <summary>
    /// The postable account codes, cached: the chart only grows (AddAccount, perhaps on another
    /// replica), so a code missing from the cache triggers one reload before it counts as unknown.
    /// </summary>
    public async Task<IReadOnlySet<string>> AccountCodesAsync(IEnumerable<string> needed, CancellationToken cancellationToken)
    {
        if (_postable is { } cached && needed.All(cached.Contains))
            return cached;
        return _postable = await AccountCodesAsync(cancellationToken);
    }

    public async Task<IReadOnlySet<string>> AccountCodesAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select code from accounts where not is_group");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var codes = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
            codes.Add(reader.GetString(0));
        return codes;
    }

    public async Task<IReadOnlyDictionary<string, ChartAccount>> ChartAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await ChartAsync(connection, null, cancellationToken);
    }

    public static async Task<Dictionary<string, ChartAccount>> ChartAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction,
        CancellationToken cancellationToken)
    {
        await using var command = Sql.Command(connection, transaction,
            "select code, name, account_class, normal_side, parent_code, is_group, province_code from accounts");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var chart = new Dictionary<string, ChartAccount>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
            chart[reader.GetString(0)] = new ChartAccount(reader.GetString(0), reader.GetString(1), (AccountClass)reader.GetInt16(2),
                (Side)reader.GetInt16(3), reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetBoolean(5),
                reader.IsDBNull(6) ? null : reader.GetString(6));
        return chart;
    }

    public async Task<ListAccountsResponse> ListAccountsAsync(ListAccountsRequest request, CancellationToken cancellationToken)
    {
        var province = request.RegionCode.Length == 6 ? request.RegionCode[..2] + "0000" : "";
        var size = PageTokens.PageSize(request.PageSize);
        var afterCode = PageTokens.Decode(request.PageToken) ?? throw new InvalidOperationException("page_token is validated by the API");
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Sql.Command(connection, null,
            """
            select a.code, a.name, a.account_class, a.normal_side, coalesce(a.parent_code, ''), a.is_group, coalesce(a.province_code, '')
            from accounts a join account_charts c on c.account_code = a.code and c.subject_kind = $1
            where (a.province_code is null or a.province_code = $2) and a.code > $3
            order by a.code
            limit $4
            """, (short)request.Kind, province, afterCode, size + 1);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var response = new ListAccountsResponse();
        while (await reader.ReadAsync(cancellationToken))
            response.Accounts.Add(ReadAccount(reader));
        if (response.Accounts.Count > size)
        {
            response.Accounts.RemoveAt(size);
            response.NextPageToken = PageTokens.Encode(response.Accounts[^1].Code);
        }
        return response;
    }

    static Account ReadAccount(NpgsqlDataReader reader) => new()
    {
        Code = reader.GetString(0), Name = reader.GetString(1), AccountClass = (AccountClass)reader.GetInt16(2), NormalSide = (Side)reader.GetInt16(3),
        ParentCode = reader.GetString(4), IsGroup = reader.GetBoolean(5), ProvinceCode = reader.GetString(6),
    };

    /// <summary>Adds a provincial sub-account under <paramref name="parent"/>, in every chart its parent is in.</summary>
    public static async Task InsertAccountAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, AddAccountRequest request,
        ChartAccount parent, CancellationToken cancellationToken)
    {
        await Sql.ExecuteAsync(connection, transaction,
            "insert into accounts (code, name, account_class, normal_side, parent_code, province_code) values ($1, $2, $3, $4, $5, $6)",
            cancellationToken, request.AccountCode, request.Name, (short)parent.Class, (short)parent.NormalSide, request.ParentCode, request.ProvinceCode);
        await Sql.ExecuteAsync(connection, transaction,
            "insert into account_charts (subject_kind, account_code) select subject_kind, $1 from account_charts where account_code = $2",
            cancellationToken, request.AccountCode, request.ParentCode);
    }

    /// <summary>Inserts the subject unless one with its codes exists; the caller reads back what is stored.</summary>
    public static Task InsertSubjectAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CreateEvaluationSubjectRequest request,
        CancellationToken cancellationToken) =>
        Sql.ExecuteAsync(connection, transaction,
            "insert into evaluation_subjects (region_code, subject_code, kind, name) values ($1, $2, $3, $4) on conflict (region_code, subject_code) do nothing",
            cancellationToken, request.RegionCode, request.SubjectCode, (short)request.Kind, request.Name);

    public static Task<(long Id, EvaluationSubject Subject)?> FindSubjectAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction,
        string regionCode, string subjectCode, CancellationToken cancellationToken) =>
        EvaluationRows.FindSubjectAsync(connection, transaction, regionCode, subjectCode, cancellationToken);

    /// <summary>The name of a current (not retired) region, share-locked.</summary>
    public static async Task<string?> CurrentRegionNameAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string code,
        CancellationToken cancellationToken)
    {
        // Shared lock: a concurrent RetireRegion waits for this subject and then sees it, or retires first.
        return await Sql.ScalarAsync(connection, transaction, "select name from regions where code = $1 and retired_at is null for share",
            cancellationToken, code) as string;
    }
}
