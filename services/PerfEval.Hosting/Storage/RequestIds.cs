using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Npgsql;
using PerfEval.Hosting.Errors;
using PerfEval.Hosting.Security;

namespace PerfEval.Hosting.Storage;

/// <summary>
/// AIP-155 request ids for non-journal writes, kept in a service's own
/// <c>request_ids (request_id text primary key, request_hash bytea, response bytea, caller text,
/// created_at timestamptz)</c> table inside the business transaction: a retry with the same content
/// gets the first answer, a reused id with other content is ALREADY_EXISTS. The caller and the time
/// make the table the audit trail of these writes.
/// </summary>
public static class RequestIds
{
    /// <summary>
    /// The first answer to <paramref name="requestId"/>, or null when it is new. Takes a transaction-scoped
    /// advisory lock on the id first, so a concurrent retry waits for the first call to commit and then
    /// replays it, instead of failing on the primary key.
    /// </summary>
    public static async Task<byte[]?> ReplayAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string requestId,
        IMessage request, CancellationToken cancellationToken)
    {
        await Sql.ExecuteAsync(connection, transaction, "select pg_advisory_xact_lock(hashtext($1))", cancellationToken, requestId);
        await using var command = Sql.Command(connection, transaction, "select request_hash, response from request_ids where request_id = $1", requestId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return null;
        if (!((byte[])reader[0]).AsSpan().SequenceEqual(Hash(request)))
            throw RpcErrors.AlreadyExists($"request_id {requestId} was used before for a different request", "request_id");
        return (byte[])reader[1];
    }

    public static Task RememberAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string requestId, IMessage request,
        IMessage response, CancellationToken cancellationToken) =>
        Sql.ExecuteAsync(connection, transaction, "insert into request_ids (request_id, request_hash, response, caller) values ($1, $2, $3, $4)",
            cancellationToken, requestId, Hash(request), response.ToByteArray(), Callers.Current);

    /// <summary>The message type is part of the hash: one id reused for another kind of request is a conflict too.</summary>
    static byte[] Hash(IMessage request) =>
        SHA256.HashData([.. Encoding.UTF8.GetBytes(request.Descriptor.FullName), .. request.ToByteArray()]);
}
