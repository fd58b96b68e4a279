using System.Globalization;
using Npgsql;
using PerfEval.Contracts.Ledger.V1;
using Google.Protobuf.WellKnownTypes;
using PerfEval.Hosting.Paging;
using PerfEval.Storage;
using PerfEval.Ledger.Domain;
using PerfEval.Ledger.Domain.Regions;

namespace PerfEval.Ledger.Storage;

/// <summary>The SQL of the region catalog and its history (tables regions and region_changes).</summary>
public sealed class RegionStore(NpgsqlDataSource dataSource)
{
    public NpgsqlDataSource DataSource => dataSource;

    /// <summary>
    /// Inserts the catalog's regions the table does not have yet, each with a CATALOG_LOADED history
    /// entry, in one statement; a code present already (seeded, loaded before, added, renamed or
    /// retired by an administrator) is left exactly as it is. Returns how many were inserted.
    /// </summary>
    public async Task<int> LoadCatalogAsync(IReadOnlyList<RegionCatalogEntry> entries, string reason, string changedBy,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var inserted = await Sql.ScalarAsync(connection, null,
            """
            with incoming as (
                select * from unnest($1::text[], $2::text[], $3::text[]) as t (code, name, parent_code)
            ), inserted as (
                insert into regions (code, name, parent_code)
                select code, name, nullif(parent_code, '') from incoming order by code
                on conflict (code) do nothing
                returning code, name, parent_code
            ), logged as (
                insert into region_changes (code, kind, name, parent_code, reason, changed_by)
                select code, $4, name, parent_code, $5, $6 from inserted order by code
                returning 1
            )
            select count(*) from logged
            """,
            cancellationToken,
            entries.Select(e => e.Code).ToArray(), entries.Select(e => e.Name).ToArray(), entries.Select(e => e.ParentCode ?? "").ToArray(),
            (short)RegionChangeKind.CatalogLoaded, reason, changedBy);
        return Convert.ToInt32(inserted, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The region, locked for the rest of the transaction: <paramref name="exclusive"/> for a change
    /// of the region itself, else shared (adding a child), so a child cannot slip under a parent that
    /// is being retired, nor a retirement past a child being added.
    /// </summary>
    public static async Task<RegionState?> LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string code, bool exclusive,
        CancellationToken cancellationToken)
    {
        await using var command = Sql.Command(connection, transaction,
            $"select code, name, parent_code, retired_at from regions where code = $1 for {(exclusive ? "update" : "share")}", code);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadState(reader) : null;
    }

    public static async Task<RegionState?> FindAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string code,
        CancellationToken cancellationToken)
    {
        await using var command = Sql.Command(connection, transaction, "select code, name, parent_code, retired_at from regions where code = $1", code);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadState(reader) : null;
    }

    /// <summary>Up to <paramref name="limit"/> current regions directly under <paramref name="code"/>.</summary>
    public static async Task<IReadOnlyList<string>> CurrentChildrenAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string code,
        int limit, CancellationToken cancellationToken)
    {
        await using var command = Sql.Command(connection, transaction,
            "select code from regions where parent_code = $1 and retired_at is null order by code limit $2", code, limit);
        return await ReadStringsAsync(command, cancellationToken);
    }

    /// <summary>
    /// Up to <paramref name="limit"/> subject codes of the region still in use: with a change (posting,
    /// budget, document, figure) in a fiscal year not yet closed. The opening entry CloseYear carries
    /// into the next year ("close:{region}/{subject}/{year}", one ledger version) does not count, so a
    /// subject whose last year is closed is not in use. Reads ledger_version and one journal primary
    /// key per open year, never scans the journal.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ActiveSubjectsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string code,
        int limit, CancellationToken cancellationToken)
    {
        await using var command = Sql.Command(connection, transaction,
            """
            select s.subject_code from evaluation_subjects s
            where s.region_code = $1
              and exists (select 1 from evaluations e
                          where e.subject_id = s.id and e.closed_at is null
                            and e.ledger_version > (select count(*) from journal_entries j
                                                    where j.entry_id = 'close:' || s.region_code || '/' || s.subject_code || '/' || (e.fiscal_year - 1)))
            order by s.subject_code limit $2
            """, code, limit);
        return await ReadStringsAsync(command, cancellationToken);
    }

    public static Task InsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string code, string name, string? parentCode,
        CancellationToken cancellationToken) =>
        Sql.ExecuteAsync(connection, transaction, "insert into regions (code, name, parent_code) values ($1, $2, $3)", cancellationToken,
            code, name, parentCode);

    public static Task RenameAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string code, string name,
        CancellationToken cancellationToken) =>
        Sql.ExecuteAsync(connection, transaction, "update regions set name = $2 where code = $1", cancellationToken, code, name);

    public static Task RetireAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string code, CancellationToken cancellationToken) =>
        Sql.ExecuteAsync(connection, transaction, "update regions set retired_at = now() where code = $1", cancellationToken, code);

    /// <summary>Writes one history entry and returns it as stored.</summary>
    public static async Task<RegionChange> RecordChangeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string code,
        RegionChangeKind kind, string previousName, string reason, string changedBy, string requestId, CancellationToken cancellationToken)
    {
        await using var command = Sql.Command(connection, transaction,
            $"""
            insert into region_changes (code, kind, name, previous_name, parent_code, reason, changed_by, request_id)
            select code, $2, name, $3, parent_code, $4, $5, $6 from regions where code = $1
            returning {ChangeColumns}
            """, code, (short)kind, previousName, reason, changedBy, requestId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return ReadChange(reader);
    }

    public async Task<ListRegionsResponse> ListAsync(ListRegionsRequest request, CancellationToken cancellationToken)
    {
        var size = PageTokens.PageSize(request.PageSize);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Sql.Command(connection, null,
            """
            select code, name, coalesce(parent_code, ''), retired_at from regions
            where parent_code is not distinct from nullif($3, '') and code > $1 and ($4 or retired_at is null)
            order by code limit $2
            """, request.PageToken, size + 1, request.ParentCode, request.IncludeRetired);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var response = new ListRegionsResponse();
        while (await reader.ReadAsync(cancellationToken))
            response.Regions.Add(ToRegion(ReadState(reader)));
        if (response.Regions.Count > size)
        {
            response.Regions.RemoveAt(size);
            response.NextPageToken = response.Regions[^1].Code;
        }
        return response;
    }

    public async Task<GetRegionHistoryResponse?> HistoryAsync(GetRegionHistoryRequest request, CancellationToken cancellationToken)
    {
        var size = PageTokens.PageSize(request.PageSize);
        var after = RegionRules.HistoryPageKey(request.PageToken) ?? 0;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (await FindAsync(connection, null, request.Code, cancellationToken) is null)
            return null;
        await using var command = Sql.Command(connection, null,
            $"select {ChangeColumns} from region_changes where code = $1 and change_id > $2 order by change_id limit $3",
            request.Code, after, size + 1);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var response = new GetRegionHistoryResponse();
        while (await reader.ReadAsync(cancellationToken))
            response.Changes.Add(ReadChange(reader));
        if (response.Changes.Count > size)
        {
            response.Changes.RemoveAt(size);
            response.NextPageToken = PageTokens.Encode(response.Changes[^1].ChangeId.ToString(CultureInfo.InvariantCulture));
        }
        return response;
    }

    public static Region ToRegion(RegionState state) => new()
    {
        Code = state.Code,
        Name = state.Name,
        ParentCode = state.ParentCode ?? "",
        Level = RegionCodes.Level(state.Code),
        RetiredAt = state.RetiredAt is { } retired ? Timestamp.FromDateTime(retired.ToUniversalTime()) : null,
    };

    const string ChangeColumns = "change_id, code, kind, name, previous_name, coalesce(parent_code, ''), reason, changed_by, changed_at, request_id";

    static RegionChange ReadChange(NpgsqlDataReader reader) => new()
    {
        ChangeId = reader.GetInt64(0),
        Code = reader.GetString(1),
        Kind = (RegionChangeKind)reader.GetInt16(2),
        Name = reader.GetString(3),
        PreviousName = reader.GetString(4),
        ParentCode = reader.GetString(5),
        Reason = reader.GetString(6),
        ChangedBy = reader.GetString(7),
        ChangedAt = Timestamp.FromDateTime(reader.GetDateTime(8).ToUniversalTime()),
        RequestId = reader.GetString(9),
    };

    static RegionState ReadState(NpgsqlDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) || reader.GetString(2).Length == 0 ? null : reader.GetString(2),
        reader.IsDBNull(3) ? null : reader.GetDateTime(3));

    static async Task<IReadOnlyList<string>> ReadStringsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var values = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
            values.Add(reader.GetString(0));
        return values;
    }
}
