using System.Text.Json;
using System.Text.Json.Serialization;
using Google.Protobuf;
using Npgsql;
using NpgsqlTypes;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Events.V1;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Hosting.Evaluations;
using PerfEval.Storage;
using PerfEval.Indicator.Domain;
using PerfEval.SharedKernel.Errors;

namespace PerfEval.Indicator.Storage;

public sealed class IndicatorStore(NpgsqlDataSource dataSource)
{
    // ---- systems ----

    /// <summary>Stores a built-in system version (no request id: the service's own seeding at start).</summary>
    public async Task<IndicatorSystem> SaveSystemAsync(IndicatorSystem system, bool builtIn, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await SaveSystemAsync(connection, null, system, builtIn, cancellationToken);
    }

    /// <summary>
    /// DefineSystem and ImportSystem: stores a user's system version once per request id (AIP-155);
    /// a retry gets the stored system back.
    /// </summary>
    public async Task<IndicatorSystem> DefineSystemAsync(string requestId, IMessage request, IndicatorSystem system, string publisher,
        CancellationToken cancellationToken)
    {
        var (stored, _) = await RequestIds.OnceAsync(dataSource, requestId, request, IndicatorSystem.Parser,
            (connection, transaction) => SaveSystemAsync(connection, transaction, system, builtIn: false, cancellationToken, publisher), cancellationToken);
        return stored;
    }

    /// <summary>The same definition again is a no-op, a different one under the same code and version is refused.</summary>
    static async Task<IndicatorSystem> SaveSystemAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, IndicatorSystem system,
        bool builtIn, CancellationToken cancellationToken, string publisher = "")
    {
        // A code belongs to whoever published it first (national templates and the built-ins to the
        // nation): a province cannot publish a newer "resident-fund" that every county would then see.
        var owner = await Sql.ScalarAsync(connection, transaction,
            "select publisher_region from indicator_systems where system_code = $1 order by version limit 1", cancellationToken, system.SystemCode);
        if (owner is string existing && existing != publisher)
            throw new ConflictException(
                $"system_code {system.SystemCode} is published by {(existing.Length == 0 ? "the national catalog" : "region " + existing)}; publish under another code",
                "system.system_code", "CODE_OF_ANOTHER_PUBLISHER");
        var inserted = await Sql.ExecuteAsync(connection, transaction,
            """
            insert into indicator_systems (system_code, version, name, subject_kind, definition, built_in, publisher_region)
            values ($1, $2, $3, $4, $5, $6, $7) on conflict do nothing
            """, cancellationToken, system.SystemCode, system.Version, system.Name, system.SubjectKind, system.ToByteArray(), builtIn, publisher);
        if (inserted == 1)
            return system;
        var stored = await GetSystemAsync(connection, transaction, system.SystemCode, system.Version, builtInOnly: false, cancellationToken);
        if (!stored!.Equals(system) && !stored.Equals(WithoutActualSources(system)))
            throw new ConflictException($"system {system.SystemCode} version {system.Version} exists with a different definition; define version {system.Version + 1}", "system.version");
        return stored;
    }

    /// <summary>
    /// The system as stored before items carried their actual source (completed at compile time from
    /// the formula and target): such a stored version is the same definition, not a conflicting one.
    /// </summary>
    static IndicatorSystem WithoutActualSources(IndicatorSystem system)
    {
        var copy = system.Clone();
        foreach (var item in copy.Indicators)
            item.ActualSource = ActualSource.Unspecified;
        return copy;
    }

    /// <summary>A system version, or the latest when <paramref name="version"/> is 0; null when unknown.</summary>
    public async Task<IndicatorSystem?> GetSystemAsync(string systemCode, int version, CancellationToken cancellationToken, bool builtInOnly = false)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await GetSystemAsync(connection, null, systemCode, version, builtInOnly, cancellationToken);
    }

    static async Task<IndicatorSystem?> GetSystemAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string systemCode, int version,
        bool builtInOnly, CancellationToken cancellationToken)
    {
        var bytes = await Sql.ScalarAsync(connection, transaction,
            "select definition from indicator_systems where system_code = $1 and ($2 = 0 or version = $2) and (built_in or not $3) order by version desc limit 1",
            cancellationToken, systemCode, version, builtInOnly);
        return bytes is byte[] b ? IndicatorSystem.Parser.ParseFrom(b) : null;
    }

    /// <summary>Up to <paramref name="limit"/> systems after <paramref name="after"/> in the order (code, newest version first).</summary>
    public async Task<IReadOnlyList<SystemSummary>> ListSystemsAsync(string subjectKind, (string SystemCode, int Version) after, int limit,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Sql.Command(connection, null,
            """
            select definition, built_in, publisher_region from indicator_systems
            where evaluation_key is null -- an evaluation's own table is not a catalog entry (GetEvaluationTableHistory)
              and ($1 = '' or subject_kind = $1) and (system_code > $2 or (system_code = $2 and version < $3))
            order by system_code, version desc
            limit $4
            """, subjectKind, after.SystemCode, after.Version, limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var list = new List<SystemSummary>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var system = IndicatorSystem.Parser.ParseFrom((byte[])reader[0]);
            list.Add(new SystemSummary
            {
                SystemCode = system.SystemCode, Version = system.Version, Name = system.Name, SubjectKind = system.SubjectKind,
                IndicatorCount = system.Indicators.Count, BuiltIn = reader.GetBoolean(1), PublisherRegion = reader.GetString(2),
            });
        }
        return list;
    }

    // ---- bindings ----

    public async Task<(string SystemCode, int Version)?> GetBindingAsync(string evaluationKey, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await GetBindingAsync(connection, null, evaluationKey, cancellationToken);
    }

    static async Task<(string SystemCode, int Version)?> GetBindingAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string evaluationKey,
        CancellationToken cancellationToken)
    {
        await using var command = Sql.Command(connection, transaction, "select system_code, version from evaluation_bindings where evaluation_key = $1", evaluationKey);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetString(0), reader.GetInt32(1)) : null;
    }

    /// <summary>
    /// BindEvaluationSystem: binds an evaluation explicitly, replacing any other binding, once per
    /// request id (AIP-155). Changed is true when the binding in force moved, so the evaluation must be
    /// recomputed; a replayed retry changes nothing.
    /// </summary>
    public async Task<(BindEvaluationSystemResponse Response, bool Changed)> BindAsync(string requestId, BindEvaluationSystemRequest request,
        IndicatorSystem system, CancellationToken cancellationToken)
    {
        var evaluationKey = EvaluationKeys.Format(request.Evaluation);
        var changed = false;
        var (response, _) = await RequestIds.OnceAsync(dataSource, requestId, request, BindEvaluationSystemResponse.Parser, async (connection, transaction) =>
        {
            changed = await GetBindingAsync(connection, transaction, evaluationKey, cancellationToken) != (system.SystemCode, system.Version);
            await Sql.ExecuteAsync(connection, transaction,
                """
                insert into evaluation_bindings (evaluation_key, system_code, version, explicit) values ($1, $2, $3, true)
                on conflict (evaluation_key) do update set system_code = excluded.system_code, version = excluded.version, explicit = true, bound_at = now()
                """, cancellationToken, evaluationKey, system.SystemCode, system.Version);
            return new BindEvaluationSystemResponse { System = system };
        }, cancellationToken);
        return (response, changed);
    }

    // ---- observations ----

    public async Task<RecordObservationsResponse> RecordObservationsAsync(RecordObservationsRequest request, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await RequestIds.ReplayAsync(connection, transaction, request.RequestId, request, RecordObservationsResponse.Parser, cancellationToken) is { } replay)
        {
            replay.Replayed = true;
            return replay;
        }
        var response = new RecordObservationsResponse();
        foreach (var o in request.Observations)
        {
            var revision = (long)(await Sql.ScalarAsync(connection, transaction,
                """
                insert into observations (region_code, subject_code, fiscal_year, month, metric, value, unit, respondents, request_id)
                values ($1, $2, $3, $4, $5, $6::numeric, $7, $8, $9) returning revision
                """, cancellationToken, o.RegionCode, o.SubjectCode, o.FiscalYear, o.Month, o.Metric, o.Value, o.Unit, o.Respondents, request.RequestId))!;
            await Sql.ExecuteAsync(connection, transaction,
                """
                update observations set superseded_by = $6
                where region_code = $1 and subject_code = $2 and fiscal_year = $3 and month = $4 and metric = $5 and revision < $6 and superseded_by is null
                """, cancellationToken, o.RegionCode, o.SubjectCode, o.FiscalYear, o.Month, o.Metric, revision);
            response.Revisions.Add(revision);
        }
        await RequestIds.RememberAsync(connection, transaction, request.RequestId, request, response, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return response;
    }

    /// <summary>
    /// The current observations of a region and year (whole-year figure, else the latest month), and the
    /// highest revision recorded there — the observation "version" a computation read.
    /// </summary>
    /// <summary>Current survey results (satisfaction) of the region and year recorded without respondents, by subject ('' = region-wide).</summary>
    public async Task<IReadOnlyList<(string SubjectCode, decimal Value)>> SurveysWithoutRespondentsAsync(string regionCode, int fiscalYear,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Sql.Command(connection, null,
            """
            select subject_code, value from observations
            where region_code = $1 and fiscal_year = $2 and superseded_by is null and metric = 'satisfaction' and respondents = 0
            order by subject_code, month
            """, regionCode, fiscalYear);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var surveys = new List<(string, decimal)>();
        while (await reader.ReadAsync(cancellationToken))
            surveys.Add((reader.GetString(0), reader.GetDecimal(1)));
        return surveys;
    }

    public async Task<(IReadOnlyList<ObservationFact> Facts, long Revision)> CurrentObservationsAsync(string regionCode, int fiscalYear,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var revision = await Sql.ScalarAsync(connection, transaction,
            "select coalesce(max(revision), 0) from observations where region_code = $1 and fiscal_year = $2", cancellationToken, regionCode, fiscalYear);
        await using var command = Sql.Command(connection, transaction,
            """
            select distinct on (subject_code, metric) subject_code, metric, value, revision
            from observations where region_code = $1 and fiscal_year = $2 and superseded_by is null
            order by subject_code, metric, (month = 0) desc, month desc
            """, regionCode, fiscalYear);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var facts = new List<ObservationFact>();
        while (await reader.ReadAsync(cancellationToken))
            facts.Add(new ObservationFact(reader.GetString(1), reader.GetString(0), reader.GetDecimal(2), reader.GetInt64(3)));
        return (facts, (long)revision!);
    }

    /// <summary>Evaluations of a region and year already computed: those an observation there may affect.</summary>
    public async Task<IReadOnlyList<EvaluationKey>> EvaluationsInAsync(string regionCode, int fiscalYear, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Sql.Command(connection, null,
            "select subject_code from evaluation_state where region_code = $1 and fiscal_year = $2", regionCode, fiscalYear);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var keys = new List<EvaluationKey>();
        while (await reader.ReadAsync(cancellationToken))
            keys.Add(new EvaluationKey { RegionCode = regionCode, SubjectCode = reader.GetString(0), FiscalYear = fiscalYear });
        return keys;
    }

    // ---- declared actuals ----

    /// <summary>Stores declared actuals once per request id, with <paramref name="recorded"/> in the outbox.</summary>
    public async Task<RecordDeclaredActualsResponse> RecordDeclaredActualsAsync(RecordDeclaredActualsRequest request, IMessage recorded,
        CancellationToken cancellationToken)
    {
        var evaluationKey = EvaluationKeys.Format(request.Evaluation);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await RequestIds.ReplayAsync(connection, transaction, request.RequestId, request, RecordDeclaredActualsResponse.Parser, cancellationToken) is not null)
            return new RecordDeclaredActualsResponse { Replayed = true };
        foreach (var actual in request.Actuals)
        {
            var revision = (long)(await Sql.ScalarAsync(connection, transaction,
                "insert into declared_actuals (evaluation_key, indicator_code, value, source, request_id) values ($1, $2, $3::numeric, $4, $5) returning revision",
                cancellationToken, evaluationKey, actual.IndicatorCode, actual.Value, actual.Source, request.RequestId))!;
            await Sql.ExecuteAsync(connection, transaction,
                "update declared_actuals set superseded_by = $3 where evaluation_key = $1 and indicator_code = $2 and revision < $3 and superseded_by is null",
                cancellationToken, evaluationKey, actual.IndicatorCode, revision);
        }
        var response = new RecordDeclaredActualsResponse();
        await RequestIds.RememberAsync(connection, transaction, request.RequestId, request, response, cancellationToken);
        await Outbox.EnqueueAsync(connection, transaction, recorded, evaluationKey, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return response;
    }

    /// <summary>The declared actuals in force, with where the bureau says each comes from (数据来源 / 佐证).</summary>
    public async Task<IReadOnlyList<(string Code, decimal Value, string Source)>> CurrentDeclaredActualsAsync(string evaluationKey,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Sql.Command(connection, null,
            "select indicator_code, value, source from declared_actuals where evaluation_key = $1 and superseded_by is null order by indicator_code",
            evaluationKey);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var list = new List<(string, decimal, string)>();
        while (await reader.ReadAsync(cancellationToken))
            list.Add((reader.GetString(0), reader.GetDecimal(1), reader.GetString(2)));
        return list;
    }

    // ---- computed values ----

    public async Task<ComputedState> StateAsync(string evaluationKey, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = Sql.Command(connection, null,
            "select ledger_version, observation_revision, system_code, system_version, value_version from evaluation_state where evaluation_key = $1", evaluationKey);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new ComputedState(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetInt32(3), reader.GetInt64(4))
            : new ComputedState(0, 0, "", 0, 0);
    }

    /// <summary>
    /// Stores values computed from (ledger version, observation revision, system) unless a computation
    /// from newer inputs was stored meanwhile; publishes IndicatorValuesChanged with the items whose
    /// value changed (<paramref name="changedEvent"/> of the new value version and those items). Returns the
    /// new value version, or null when nothing changed.
    /// </summary>
    public async Task<long?> SaveAsync(EvaluationKey key, long ledgerVersion, long observationRevision, IndicatorSystem system,
        IReadOnlyCollection<ComputedValue> values, Func<long, IReadOnlyList<ComputedValue>, IMessage> changedEvent, CancellationToken cancellationToken)
    {
        var evaluationKey = EvaluationKeys.Format(key);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        var state = await Sql.LockStateRowAsync(connection, transaction,
            "insert into evaluation_state (evaluation_key, region_code, subject_code, fiscal_year) values ($1, $2, $3, $4) on conflict do nothing",
            "select ledger_version, observation_revision, system_code, system_version, value_version from evaluation_state where evaluation_key = $1 for update",
            cancellationToken, evaluationKey, key.RegionCode, key.SubjectCode, key.FiscalYear);
        var stored = new ComputedState((long)state[0], (long)state[1], (string)state[2], (int)state[3], (long)state[4]);
        if (ValueChanges.IsPassed(stored, ledgerVersion, observationRevision, system.SystemCode, system.Version))
            return null;

        var latest = await LatestAsync(connection, transaction, evaluationKey, cancellationToken);
        var changed = ValueChanges.Changed(latest.ToDictionary(v => v.Key, v => v.Value.Value, StringComparer.Ordinal), values,
            system.Indicators.Select(i => i.Code).ToHashSet(StringComparer.Ordinal));

        long? newVersion = null;
        if (changed.Count > 0)
        {
            newVersion = stored.ValueVersion + 1;
            var formulas = system.Indicators.ToDictionary(i => i.Code, i => i.Formula, StringComparer.Ordinal);
            foreach (var value in changed)
                await Sql.ExecuteAsync(connection, transaction,
                    """
                    insert into indicator_values (evaluation_key, indicator_code, value_version, ledger_version, name, unit, value, no_value_reason, inputs, zero_denominator, formula, missing_inputs)
                    values ($1, $2, $3, $4, $5, $6, $7::numeric, $8, $9::jsonb, $10, $11, $12::jsonb)
                    """, cancellationToken, evaluationKey, value.Code, newVersion.Value, ledgerVersion, value.Name, value.Unit,
                    value.Value, value.NoValueReason, JsonSerializer.Serialize(value.Inputs), value.ZeroDenominator, formulas.GetValueOrDefault(value.Code, ""),
                    JsonSerializer.Serialize(value.MissingInputs, MissingInputJson));

            await Outbox.EnqueueAsync(connection, transaction, changedEvent(newVersion.Value, changed), evaluationKey, cancellationToken);
        }

        await Sql.ExecuteAsync(connection, transaction,
            """
            update evaluation_state set ledger_version = $2, observation_revision = $3, system_code = $4, system_version = $5, value_version = $6
            where evaluation_key = $1
            """, cancellationToken, evaluationKey, ledgerVersion, observationRevision, system.SystemCode, system.Version, newVersion ?? stored.ValueVersion);
        await transaction.CommitAsync(cancellationToken);
        return newVersion;
    }

    public async Task<GetIndicatorValuesResponse?> GetLatestAsync(string evaluationKey, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var response = new GetIndicatorValuesResponse();
        await using (var state = Sql.Command(connection, transaction,
            "select ledger_version, value_version, system_code, system_version, observation_revision from evaluation_state where evaluation_key = $1", evaluationKey))
        await using (var reader = await state.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken) || reader.GetInt64(1) == 0)
                return null;
            response.LedgerVersion = reader.GetInt64(0);
            response.ValueVersion = reader.GetInt64(1);
            response.SystemCode = reader.GetString(2);
            response.SystemVersion = reader.GetInt32(3);
            response.ObservationRevision = reader.GetInt64(4);
        }
        var latest = await LatestAsync(connection, transaction, evaluationKey, cancellationToken);
        foreach (var (value, version, formula) in latest.Values.Where(v => v.Value.NoValueReason != ValueChanges.NotInBoundSystem).OrderBy(v => v.Value.Code, StringComparer.Ordinal))
        {
            response.Values.Add(ToContract(value));
            var lineage = new ValueLineage { IndicatorCode = value.Code, Formula = formula, ValueVersion = version };
            lineage.Inputs.AddRange(value.Inputs.Select(i => new Contracts.Indicator.V1.LineageInput { Key = i.Key ?? "", Value = i.Value ?? "", Source = i.Source ?? "" }));
            response.Lineage.Add(lineage);
        }
        return response;
    }

    /// <summary>The latest computed value of every item of an evaluation.</summary>
    public async Task<IReadOnlyDictionary<string, ComputedValue>> LatestValuesAsync(string evaluationKey, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var latest = await LatestAsync(connection, transaction, evaluationKey, cancellationToken);
        return latest.Values.Where(v => v.Value.NoValueReason != ValueChanges.NotInBoundSystem)
            .ToDictionary(v => v.Value.Code, v => v.Value, StringComparer.Ordinal);
    }

    static async Task<Dictionary<string, (ComputedValue Value, long Version, string Formula)>> LatestAsync(NpgsqlConnection connection,
        NpgsqlTransaction transaction, string evaluationKey, CancellationToken cancellationToken)
    {
        await using var command = Sql.Command(connection, transaction,
            """
            select distinct on (indicator_code) indicator_code, name, unit, value, no_value_reason, zero_denominator, inputs::text, value_version, formula,
                   missing_inputs::text
            from indicator_values where evaluation_key = $1
            order by indicator_code, value_version desc
            """, evaluationKey);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var latest = new Dictionary<string, (ComputedValue, long, string)>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            var code = reader.GetString(0);
            var inputs = JsonSerializer.Deserialize<List<Domain.LineageInput>>(reader.GetString(6)) ?? [];
            latest[code] = (new ComputedValue(code, reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetDecimal(3),
                reader.GetString(4), reader.GetBoolean(5), inputs)
            {
                MissingInputs = JsonSerializer.Deserialize<List<Domain.MissingInput>>(reader.GetString(9), MissingInputJson) ?? [],
            }, reader.GetInt64(7), reader.GetString(8));
        }
        return latest;
    }

    public static IndicatorValue ToContract(ComputedValue value) => new()
    {
        IndicatorCode = value.Code,
        Name = value.Name,
        Unit = value.Unit,
        Value = value.ValueText,
        NoValueReason = value.NoValueReason,
        MissingInputs = { value.MissingInputs.Select(m => m.ToContract()) },
    };

    /// <summary>Kinds stored by name, so a stored row stays readable when the enum grows.</summary>
    static readonly JsonSerializerOptions MissingInputJson = new() { Converters = { new JsonStringEnumConverter() } };
}
