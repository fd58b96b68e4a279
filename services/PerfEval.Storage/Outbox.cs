using Google.Protobuf;
using Npgsql;

namespace PerfEval.Storage;

/// <summary>
/// The one writer of the transactional outbox (Migrations/0000_outbox.sql): an event is stored in the
/// caller's transaction and published by PerfEval.Messaging's OutboxDispatcher after commit. The
/// row's type is the event's protobuf full name, which the dispatcher looks up in the event catalog.
/// </summary>
public static class Outbox
{
    /// <summary>The LISTEN/NOTIFY channel that wakes the dispatcher when a row commits.</summary>
    public const string NotifyChannel = "perfeval_outbox";

    /// <summary>
    /// The insert as a batch statement, for writers that send their statements in one round trip.
    /// With <paramref name="replacePending"/>, an event of the same type and subject not yet published
    /// is overwritten in place instead, so a burst of changes is announced once with the latest state.
    /// pg_notify is delivered at commit, and only then: the dispatcher wakes for committed rows alone,
    /// and not at all when a change only refreshed a row it has not published yet.
    /// </summary>
    public static NpgsqlBatchCommand Command(IMessage message, string subject, bool replacePending = false) =>
        Sql.BatchCommand(replacePending
            ? """
              with pending as (
                  select id from outbox where subject = $1 and message_type = $2 and published_at is null
                  order by id desc limit 1 for update skip locked),
              updated as (update outbox set payload = $3 where id in (select id from pending) returning id),
              inserted as (
                  insert into outbox (message_id, message_type, subject, payload)
                  select $4, $2, $1, $3 where not exists (select 1 from updated)
                  returning id)
              select pg_notify($5, '') from inserted
              """
            : """
              with inserted as (
                  insert into outbox (message_id, message_type, subject, payload) values ($4, $2, $1, $3)
                  returning id)
              select pg_notify($5, '') from inserted
              """,
            subject, message.Descriptor.FullName, message.ToByteArray(), Guid.NewGuid(), NotifyChannel);

    /// <summary>Stores <paramref name="message"/> about <paramref name="subject"/> (an evaluation key) in the caller's transaction.</summary>
    public static async Task EnqueueAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IMessage message,
        string subject, CancellationToken cancellationToken, bool replacePending = false)
    {
        await using var batch = new NpgsqlBatch(connection, transaction) { BatchCommands = { Command(message, subject, replacePending) } };
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }
}
