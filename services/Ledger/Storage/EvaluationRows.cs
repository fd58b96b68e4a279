using Npgsql;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.SharedKernel.Errors;
using PerfEval.Storage;

namespace PerfEval.Ledger.Storage;

/// <summary>
/// The rows every ledger write starts from: the evaluation subject and its evaluation (one per
/// fiscal year), whose row lock serializes the writers of one evaluation and whose version they bump.
/// </summary>
static class EvaluationRows
{
    /// <summary>Finds the subject and locks its evaluation row (creating it at version 0 the first time).</summary>
    public static async Task<(long SubjectId, long Version, bool Closed)> LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        EvaluationKey key, string field, CancellationToken cancellationToken)
    {
        // One round trip: region, subject, the evaluation row created if missing, then locked.
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                Sql.BatchCommand("select name from regions where code = $1", key.RegionCode),
                Sql.BatchCommand("select id from evaluation_subjects where region_code = $1 and subject_code = $2", key.RegionCode, key.SubjectCode),
                Sql.BatchCommand(
                    """
                    insert into evaluations (subject_id, fiscal_year)
                    select id, $3 from evaluation_subjects where region_code = $1 and subject_code = $2
                    on conflict do nothing
                    """, key.RegionCode, key.SubjectCode, key.FiscalYear),
                Sql.BatchCommand(
                    """
                    select e.subject_id, e.ledger_version, e.closed_at is not null
                    from evaluations e join evaluation_subjects s on s.id = e.subject_id
                    where s.region_code = $1 and s.subject_code = $2 and e.fiscal_year = $3
                    for update of e
                    """, key.RegionCode, key.SubjectCode, key.FiscalYear),
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var regionKnown = await reader.ReadAsync(cancellationToken);
        await reader.NextResultAsync(cancellationToken);
        var subjectKnown = await reader.ReadAsync(cancellationToken);
        // The insert returns no rows, so the next result is the locked row.
        await reader.NextResultAsync(cancellationToken);
        if (!regionKnown)
            throw new InvalidRequestException($"{field}.region_code", $"no region with code {key.RegionCode} is known");
        if (!subjectKnown || !await reader.ReadAsync(cancellationToken))
            throw new NotFoundException($"no evaluation subject {key.RegionCode}/{key.SubjectCode}; create it first", NotFoundException.EvaluationNotFound);
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetBoolean(2));
    }

    /// <summary>As <see cref="LockAsync"/>, refusing a closed year.</summary>
    public static async Task<(long SubjectId, long Version)> LockOpenAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        EvaluationKey key, string field, CancellationToken cancellationToken)
    {
        var (subjectId, version, closed) = await LockAsync(connection, transaction, key, field, cancellationToken);
        if (closed)
            throw new PreconditionFailedException(
                $"fiscal year {key.FiscalYear} of {key.RegionCode}/{key.SubjectCode} is closed; post a correction into an open year", "YEAR_CLOSED");
        return (subjectId, version);
    }

    /// <summary>The subject's id and its evaluation's version and state, without locking (version 0 when nothing was written yet).</summary>
    public static async Task<(long SubjectId, long Version, bool Closed)> StateAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        string regionCode, string subjectCode, int fiscalYear, CancellationToken cancellationToken)
    {
        var subject = await FindSubjectAsync(connection, transaction, regionCode, subjectCode, cancellationToken)
            ?? throw new NotFoundException($"no evaluation subject {regionCode}/{subjectCode}");
        await using var command = Sql.Command(connection, transaction,
            "select ledger_version, closed_at is not null from evaluations where subject_id = $1 and fiscal_year = $2", subject.Id, fiscalYear);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (subject.Id, reader.GetInt64(0), reader.GetBoolean(1)) : (subject.Id, 0, false);
    }

    public static Task SetVersionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long subjectId, int fiscalYear,
        long version, CancellationToken cancellationToken) =>
        Sql.ExecuteAsync(connection, transaction, "update evaluations set ledger_version = $3 where subject_id = $1 and fiscal_year = $2",
            cancellationToken, subjectId, fiscalYear, version);

    public static async Task<(long Id, EvaluationSubject Subject)?> FindSubjectAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction,
        string regionCode, string subjectCode, CancellationToken cancellationToken)
    {
        await using var command = Sql.Command(connection, transaction,
            """
            select s.id, s.kind, s.name, r.name from evaluation_subjects s join regions r on r.code = s.region_code
            where s.region_code = $1 and s.subject_code = $2
            """, regionCode, subjectCode);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return null;
        return (reader.GetInt64(0), new EvaluationSubject
        {
            RegionCode = regionCode,
            SubjectCode = subjectCode,
            Kind = (SubjectKind)reader.GetInt16(1),
            Name = reader.GetString(2),
            RegionName = reader.GetString(3),
        });
    }
}
