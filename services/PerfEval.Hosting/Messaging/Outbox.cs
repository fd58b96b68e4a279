using Google.Protobuf;
using Npgsql;
using PerfEval.Hosting.Storage;

namespace PerfEval.Hosting.Messaging;

/// <summary>Writes an event into the outbox inside the caller's transaction.</summary>
public static class Outbox
{
    /// <summary>The LISTEN/NOTIFY channel that wakes the dispatcher when a row commits.</summary>
    public const string NotifyChannel = "perfeval_outbox";

    public static async Task EnqueueAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IMessage message,
        string evaluationKey, CancellationToken cancellationToken)
    {
        var eventType = EventCatalog.ForClrType(message.GetType());
        await Sql.ExecuteAsync(connection, transaction,
            "insert into outbox (message_id, message_type, subject, payload) values ($1, $2, $3, $4)",
            cancellationToken, Guid.NewGuid(), eventType.FullName, evaluationKey, message.ToByteArray());
        // Delivered at commit, and only then: the dispatcher wakes for committed rows alone.
        await Sql.ExecuteAsync(connection, transaction, $"notify {NotifyChannel}", cancellationToken);
    }
}
