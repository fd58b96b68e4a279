using Google.Protobuf;
using Npgsql;
using NpgsqlTypes;
using PerfEval.Contracts.Reporting.V1;
using PerfEval.Hosting.Security;
using PerfEval.Storage;

namespace PerfEval.Reporting.Storage;

/// <summary>The bureau's texts as stored: the current state, and each earlier one in the history.</summary>
public sealed record StoredTexts(EvaluationTexts Texts, long Version, string UpdatedBy, DateTimeOffset? UpdatedAt);

/// <summary>SQL for the evaluation_texts tables (Migrations/0004_evaluation_texts.sql).</summary>
public sealed class EvaluationTextsStore(NpgsqlDataSource dataSource)
{
    static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithPreserveProtoFieldNames(true));
    static readonly JsonParser Parser = new(JsonParser.Settings.Default);

    public static StoredTexts Nothing => new(new EvaluationTexts { Signatories = new Signatories() }, 0, "", null);

    public async Task<StoredTexts> GetAsync(string evaluationKey, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "select texts::text, texts_version, updated_by, updated_at from evaluation_texts where evaluation_key = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = evaluationKey });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return Nothing;
        return new StoredTexts(Parser.Parse<EvaluationTexts>(reader.GetString(0)), reader.GetInt64(1), reader.GetString(2),
            reader.GetFieldValue<DateTimeOffset>(3));
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the current texts under a row lock, keeps the previous
    /// state in the history and stores the request id with the answer, all in one transaction. A
    /// request id seen before answers its first response with Replayed set.
    /// </summary>
    public async Task<UpdateEvaluationTextsResponse> UpdateAsync(string evaluationKey, UpdateEvaluationTextsRequest request,
        Func<EvaluationTexts, EvaluationTexts> change, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await RequestIds.ReplayAsync(connection, transaction, request.RequestId, request, UpdateEvaluationTextsResponse.Parser, cancellationToken) is { } earlier)
        {
            earlier.Replayed = true;
            return earlier;
        }

        await using (var insert = Sql.Command(connection, transaction,
            "insert into evaluation_texts (evaluation_key, texts_version, texts, updated_by) values ($1, 0, '{}'::jsonb, '') on conflict do nothing",
            evaluationKey))
            await insert.ExecuteNonQueryAsync(cancellationToken);
        EvaluationTexts current;
        long version;
        await using (var select = Sql.Command(connection, transaction,
            "select texts::text, texts_version from evaluation_texts where evaluation_key = $1 for update", evaluationKey))
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            current = Parser.Parse<EvaluationTexts>(reader.GetString(0));
            version = reader.GetInt64(1);
        }

        var next = change(current);
        await Sql.ExecuteAsync(connection, transaction,
            """
            insert into evaluation_texts_history (evaluation_key, texts_version, texts, updated_by, updated_at)
            select evaluation_key, texts_version, texts, updated_by, updated_at from evaluation_texts
            where evaluation_key = $1 and texts_version > 0
            """, cancellationToken, evaluationKey);
        await using (var update = Sql.Command(connection, transaction,
            "update evaluation_texts set texts = $2, texts_version = $3, updated_by = $4, updated_at = now() where evaluation_key = $1",
            evaluationKey))
        {
            update.Parameters.Add(new NpgsqlParameter { Value = Json.Format(next), NpgsqlDbType = NpgsqlDbType.Jsonb });
            update.Parameters.Add(new NpgsqlParameter { Value = version + 1 });
            update.Parameters.Add(new NpgsqlParameter { Value = Callers.Current });
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
        var response = new UpdateEvaluationTextsResponse { Texts = next, TextsVersion = version + 1 };
        await RequestIds.RememberAsync(connection, transaction, request.RequestId, request, response, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return response;
    }

    /// <summary>Every earlier state, newest first (the current one is not included).</summary>
    public async Task<IReadOnlyList<StoredTexts>> HistoryAsync(string evaluationKey, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            select texts::text, texts_version, updated_by, updated_at from evaluation_texts_history
            where evaluation_key = $1 order by texts_version desc
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = evaluationKey });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var history = new List<StoredTexts>();
        while (await reader.ReadAsync(cancellationToken))
            history.Add(new StoredTexts(Parser.Parse<EvaluationTexts>(reader.GetString(0)), reader.GetInt64(1), reader.GetString(2),
                reader.GetFieldValue<DateTimeOffset>(3)));
        return history;
    }
}
