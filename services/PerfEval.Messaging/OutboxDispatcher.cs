using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using PerfEval.Hosting;
using PerfEval.Storage;

namespace PerfEval.Messaging;

/// <summary>
/// Publishes committed outbox rows with publisher confirms and marks them published. Woken by
/// NOTIFY, with a one-second poll as the safety net (a missed notification, a broker that was down).
/// Rows are claimed with FOR UPDATE SKIP LOCKED, so several replicas never publish the same row at once;
/// a crash between publish and mark publishes again, which consumers tolerate (at least once).
/// </summary>
public sealed partial class OutboxDispatcher(NpgsqlDataSource dataSource, IBus bus, ServiceIdentity service, RabbitMqOptions options,
    ILogger<OutboxDispatcher> logger) : BackgroundService
{
    const int BatchSize = 200;
    static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var listener = await dataSource.OpenConnectionAsync(stoppingToken);
                await Sql.ExecuteAsync(listener, null, $"listen {Outbox.NotifyChannel}", stoppingToken);

                var coalesceWindow = TimeSpan.FromMilliseconds(Math.Max(0, options.OutboxCoalesceMilliseconds));
                while (!stoppingToken.IsCancellationRequested)
                {
                    while (await PublishBatchAsync(stoppingToken) == BatchSize) { }
                    // Woken by a commit: give the commits right behind it the window to fold into
                    // the same pending rows before they go out.
                    if (await listener.WaitAsync(PollInterval, stoppingToken) && coalesceWindow > TimeSpan.Zero)
                        await Task.Delay(coalesceWindow, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogDispatchFailed(ex);
                await Task.Delay(PollInterval, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    async Task<int> PublishBatchAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        var rows = new List<(long Id, Guid MessageId, string Type, string Subject, byte[] Payload, DateTime CreatedAt)>();
        await using (var select = Sql.Command(connection, transaction,
            "select id, message_id, message_type, subject, payload, created_at from outbox where published_at is null order by id limit $1 for update skip locked",
            BatchSize))
        {
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                rows.Add((reader.GetInt64(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3), (byte[])reader[4], reader.GetDateTime(5)));
        }

        foreach (var row in rows)
        {
            var eventType = EventCatalog.FindByFullName(row.Type)
                ?? throw new InvalidOperationException($"Outbox row {row.Id} has unknown type {row.Type}");
            var message = EventCatalog.Parse(eventType, row.Payload);
            await bus.Publish(message, eventType.ClrType, context =>
            {
                context.MessageId = row.MessageId;
                context.Headers.Set(CloudEventHeaders.SpecVersion, "1.0");
                context.Headers.Set(CloudEventHeaders.Id, row.MessageId.ToString());
                context.Headers.Set(CloudEventHeaders.Source, $"/perfeval/{service.Name}");
                context.Headers.Set(CloudEventHeaders.Type, row.Type);
                context.Headers.Set(CloudEventHeaders.Subject, row.Subject);
                context.Headers.Set(CloudEventHeaders.Time, row.CreatedAt.ToUniversalTime().ToString("O"));
            }, cancellationToken);
            LogPublished(row.Type, row.Subject, row.MessageId);
        }

        if (rows.Count > 0)
        {
            await Sql.ExecuteAsync(connection, transaction, "update outbox set published_at = now() where id = any($1)", cancellationToken,
                new object?[] { rows.Select(r => r.Id).ToArray() });
        }
        await transaction.CommitAsync(cancellationToken);
        return rows.Count;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Published {EventType} for {EvaluationKey} as {MessageId}")]
    partial void LogPublished(string eventType, string evaluationKey, Guid messageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox dispatch failed; retrying")]
    partial void LogDispatchFailed(Exception exception);
}
