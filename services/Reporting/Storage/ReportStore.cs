using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Npgsql;
using PerfEval.Contracts.Events.V1;
using PerfEval.Contracts.Reporting.V1;
using PerfEval.Hosting.Evaluations;
using PerfEval.Messaging;
using PerfEval.Storage;
using PerfEval.Reporting.Api;
using PerfEval.Reporting.Domain;

namespace PerfEval.Reporting.Storage;

public sealed class ReportStore(NpgsqlDataSource dataSource)
{
    /// <summary>The scorecard and texts versions the latest report version was rendered from (0, 0 before the first).</summary>
    public async Task<(long Scorecard, long Texts)> RenderedVersionsAsync(string evaluationKey, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select scorecard_version, texts_version from evaluation_state where evaluation_key = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = evaluationKey });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetInt64(0), reader.GetInt64(1)) : (0, 0);
    }

    /// <summary>The latest scorecard a report was rendered from, with its publish time; null before the first report.</summary>
    public async Task<(EvaluationScored Scored, DateTimeOffset PublishedAt)?> LastScoredAsync(string evaluationKey, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "select last_scored, last_scored_at from evaluation_state where evaluation_key = $1 and last_scored is not null");
        command.Parameters.Add(new NpgsqlParameter { Value = evaluationKey });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return null;
        return (EvaluationScored.Parser.ParseFrom((byte[])reader[0]), reader.GetFieldValue<DateTimeOffset>(1));
    }

    /// <summary>
    /// Stores a new report version with its files and the ReportPublished event, unless a version
    /// rendered from a newer scorecard, or from this scorecard and these or newer texts, exists.
    /// Keeps <paramref name="scored"/> so a later texts change can render again. Returns the event, or null.
    /// </summary>
    public async Task<ReportPublished?> SaveAsync(ReportPublished published, IReadOnlyList<ReportFile> files, CancellationToken cancellationToken,
        InputVersions? inputs = null, (EvaluationScored Event, DateTimeOffset PublishedAt)? scored = null)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var evaluationKey = EvaluationKeys.Format(published.Evaluation);

        var state = await Sql.LockStateRowAsync(connection, transaction,
            "insert into evaluation_state (evaluation_key) values ($1) on conflict do nothing",
            "select scorecard_version, report_version, texts_version from evaluation_state where evaluation_key = $1 for update",
            cancellationToken, evaluationKey);
        var (scorecardVersion, reportVersion, textsVersion) = ((long)state[0], (long)state[1], (long)state[2]);
        if (published.ScorecardVersion < scorecardVersion
            || (published.ScorecardVersion == scorecardVersion && published.TextsVersion <= textsVersion))
            return null;

        published.ReportVersion = reportVersion + 1;
        await Sql.ExecuteAsync(connection, transaction,
            """
            insert into report_versions (evaluation_key, report_version, scorecard_version, total, grade,
                                         ledger_version, value_version, report_date, content_sha256,
                                         findings_ledger_version, findings_value_version, texts_version)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
            """,
            cancellationToken, evaluationKey, published.ReportVersion, published.ScorecardVersion, published.Total, published.Grade,
            published.LedgerVersion, published.ValueVersion, published.ReportDate, published.ContentSha256,
            inputs?.FindingsLedgerVersion ?? 0L, inputs?.FindingsValueVersion ?? 0L, published.TextsVersion);
        await Sql.ExecuteAsync(connection, transaction,
            "update evaluation_state set scorecard_version = $2, report_version = $3, texts_version = $4 where evaluation_key = $1",
            cancellationToken, evaluationKey, published.ScorecardVersion, published.ReportVersion, published.TextsVersion);
        if (scored is { } last)
            await Sql.ExecuteAsync(connection, transaction,
                "update evaluation_state set last_scored = $2, last_scored_at = $3 where evaluation_key = $1",
                cancellationToken, evaluationKey, last.Event.ToByteArray(), last.PublishedAt);
        foreach (var file in files)
        {
            await using var insertFile = new NpgsqlCommand(
                "insert into report_files (evaluation_key, report_version, format, sha256, content) values ($1, $2, $3, $4, $5)",
                connection, transaction);
            insertFile.Parameters.Add(new NpgsqlParameter { Value = evaluationKey });
            insertFile.Parameters.Add(new NpgsqlParameter { Value = published.ReportVersion });
            insertFile.Parameters.Add(new NpgsqlParameter { Value = file.Format });
            insertFile.Parameters.Add(new NpgsqlParameter { Value = file.Sha256 });
            insertFile.Parameters.Add(new NpgsqlParameter { Value = file.Content });
            await insertFile.ExecuteNonQueryAsync(cancellationToken);
        }
        await Outbox.EnqueueAsync(connection, transaction, published, evaluationKey, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return published;
    }

    /// <summary>Versions newest first, starting below <paramref name="beforeVersion"/>.</summary>
    public async Task<List<ReportVersionSummary>> ListAsync(string evaluationKey, long beforeVersion, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            select v.report_version, v.scorecard_version, v.total, v.grade, v.created_at, f.format, f.sha256, length(f.content),
                   v.ledger_version, v.value_version, v.report_date, v.content_sha256, v.texts_version
            from report_versions v join report_files f using (evaluation_key, report_version)
            where v.evaluation_key = $1 and v.report_version < $2
              and v.report_version in (select report_version from report_versions where evaluation_key = $1 and report_version < $2
                                       order by report_version desc limit $3)
            order by v.report_version desc, f.format
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = evaluationKey });
        command.Parameters.Add(new NpgsqlParameter { Value = beforeVersion });
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var versions = new List<ReportVersionSummary>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var number = reader.GetInt64(0);
            if (versions.Count == 0 || versions[^1].ReportVersion != number)
                versions.Add(new ReportVersionSummary
                {
                    ReportVersion = number,
                    ScorecardVersion = reader.GetInt64(1),
                    Total = reader.GetString(2),
                    Grade = reader.GetString(3),
                    CreatedAt = Timestamp.FromDateTimeOffset(reader.GetFieldValue<DateTimeOffset>(4)),
                    LedgerVersion = reader.GetInt64(8),
                    ValueVersion = reader.GetInt64(9),
                    ReportDate = reader.GetString(10),
                    ContentSha256 = reader.GetString(11),
                    TextsVersion = reader.GetInt64(12),
                });
            versions[^1].Formats.Add(new ReportFormat { Format = ReportFileFormats.FromName(reader.GetString(5)), Sha256 = reader.GetString(6), SizeBytes = reader.GetInt32(7) });
        }
        return versions;
    }

    /// <summary>One stored file; version 0 means the latest.</summary>
    public async Task<(long Version, ReportFile File)?> FindFileAsync(string evaluationKey, long version, string format, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            select report_version, sha256, content from report_files
            where evaluation_key = $1 and format = $2 and ($3 = 0 or report_version = $3)
            order by report_version desc limit 1
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = evaluationKey });
        command.Parameters.Add(new NpgsqlParameter { Value = format });
        command.Parameters.Add(new NpgsqlParameter { Value = version });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return null;
        return (reader.GetInt64(0), new ReportFile(format, (byte[])reader[2], reader.GetString(1)));
    }
}
