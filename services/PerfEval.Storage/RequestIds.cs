using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Npgsql;
using PerfEval.Hosting.Security;
using PerfEval.SharedKernel.Errors;

namespace PerfEval.Storage;

/// <summary>
/// The AIP-155 request-id store of every service: the shared <c>request_ids</c> table
/// (Migrations/0000_request_ids.sql), written inside the business transaction. A retry with the same
/// content gets the first answer, a reused id with other content is refused (ALREADY_EXISTS). The
/// caller and the time make the table the audit trail of these writes.
/// </summary>
public static class RequestIds
{
    /// <summary>
    /// The first answer to <paramref name="requestId"/>, or null when it is new; a
    /// <see cref="ConflictException"/> when the id was used for a different request. Takes a
    /// transaction-scoped advisory lock on the id first, so a concurrent retry waits for the first
    /// call to commit and then replays it, instead of failing on the primary key.
    /// </summary>
    public static async Task<TResponse?> ReplayAsync<TResponse>(NpgsqlConnection connection, NpgsqlTransaction transaction, string requestId,
        IMessage request, MessageParser<TResponse> responseParser, CancellationToken cancellationToken)
        where TResponse : class, IMessage<TResponse>
    {
        await Sql.ExecuteAsync(connection, transaction, "select pg_advisory_xact_lock(hashtext($1))", cancellationToken, requestId);
        await using var command = Sql.Command(connection, transaction, "select request_hash, response from request_ids where request_id = $1", requestId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return null;
        if (!((byte[])reader[0]).AsSpan().SequenceEqual(Hash(request)))
            throw new ConflictException($"request_id {requestId} was used before for a different request", "request_id");
        return responseParser.ParseFrom((byte[])reader[1]);
    }

    /// <summary>Stores the answer to a new request id; call in the transaction that did the write.</summary>
    public static Task RememberAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string requestId, IMessage request,
        IMessage response, CancellationToken cancellationToken) =>
        Sql.ExecuteAsync(connection, transaction, "insert into request_ids (request_id, request_hash, response, caller) values ($1, $2, $3, $4)",
            cancellationToken, requestId, Hash(request), response.ToByteArray(), Callers.Current);

    /// <summary>
    /// A whole idempotent write in its own transaction: the stored answer when the request was seen
    /// before (Replayed true), else <paramref name="write"/>'s answer, stored with the id.
    /// </summary>
    public static async Task<(TResponse Response, bool Replayed)> OnceAsync<TResponse>(NpgsqlDataSource dataSource, string requestId,
        IMessage request, MessageParser<TResponse> responseParser, Func<NpgsqlConnection, NpgsqlTransaction, Task<TResponse>> write,
        CancellationToken cancellationToken)
        where TResponse : class, IMessage<TResponse>
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await ReplayAsync(connection, transaction, requestId, request, responseParser, cancellationToken) is { } earlier)
            return (earlier, true);
        var response = await write(connection, transaction);
        await RememberAsync(connection, transaction, requestId, request, response, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (response, false);
    }

    /// <summary>The message type is part of the hash: one id reused for another kind of request is a conflict too.</summary>
    static byte[] Hash(IMessage request) =>
        SHA256.HashData([.. Encoding.UTF8.GetBytes(request.Descriptor.FullName), .. request.ToByteArray()]);
}
