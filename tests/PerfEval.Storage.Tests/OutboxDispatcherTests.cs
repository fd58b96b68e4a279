using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using PerfEval.Contracts.Events.V1;
using PerfEval.Hosting;
using PerfEval.Messaging;
using PerfEval.Testing;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace PerfEval.Storage.Tests;

/// <summary>
/// The outbox writer and dispatcher against the real broker. Every test writes under a subject of its
/// own and reads the fanout exchange through a queue of its own, so events of parallel tests (which
/// publish to the same exchange) are told apart by their subject.
/// </summary>
public class OutboxDispatcherTests
{
    static readonly string Exchange = EventCatalog.LedgerChanged.ExchangeName;

    static async Task EnqueueAsync(NpgsqlDataSource dataSource, string subject, bool replacePending, params long[] versions)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        foreach (var version in versions)
            await Outbox.EnqueueAsync(connection, transaction, new LedgerChanged { LedgerVersion = version }, subject, CancellationToken.None, replacePending);
        await transaction.CommitAsync();
    }

    static async Task<(long Rows, long Unpublished)> OutboxRowsAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var command = Sql.Command(connection, null, "select count(*), count(*) filter (where published_at is null) from outbox");
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>The service's own messaging setup (bus and dispatcher, no consumers) on <paramref name="database"/>.</summary>
    static async Task<IHost> StartDispatcherAsync(string database, string virtualHost = "/")
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["Postgres:ConnectionString"] = Infra.Settings.PostgresConnectionString;
        builder.Configuration["Postgres:Database"] = database;
        builder.Configuration["RabbitMq:Host"] = Infra.Settings.AmqpHost;
        builder.Configuration["RabbitMq:Port"] = Infra.Settings.AmqpPort.ToString(CultureInfo.InvariantCulture);
        builder.Configuration["RabbitMq:Username"] = Infra.Settings.AmqpUser;
        builder.Configuration["RabbitMq:Password"] = Infra.Settings.AmqpPassword;
        builder.Configuration["RabbitMq:VirtualHost"] = virtualHost;
        builder.Services.AddSingleton(new ServiceIdentity("storage-tests"));
        builder.AddPerfEvalDatabase("storage-tests", typeof(Infra).Assembly);
        builder.AddPerfEvalMessaging("storage-tests");
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    sealed class Subscriber : IAsyncDisposable
    {
        readonly IConnection _connection;
        readonly IChannel _channel;
        readonly Channel<(string? Subject, string? Type, LedgerChanged Message)> _received = Channel.CreateUnbounded<(string?, string?, LedgerChanged)>();

        Subscriber(IConnection connection, IChannel channel) => (_connection, _channel) = (connection, channel);

        public static async Task<Subscriber> StartAsync()
        {
            var connection = await new ConnectionFactory
            {
                HostName = Infra.Settings.AmqpHost,
                Port = Infra.Settings.AmqpPort,
                UserName = Infra.Settings.AmqpUser,
                Password = Infra.Settings.AmqpPassword,
            }.CreateConnectionAsync();
            var channel = await connection.CreateChannelAsync();
            var subscriber = new Subscriber(connection, channel);
            // Declared as MassTransit declares it, so whichever comes first, the other agrees.
            await channel.ExchangeDeclareAsync(Exchange, ExchangeType.Fanout, durable: true, autoDelete: false);
            var queue = await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true);
            await channel.QueueBindAsync(queue.QueueName, Exchange, routingKey: "");
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += async (_, delivery) =>
            {
                string? Header(string name) => delivery.BasicProperties.Headers is { } headers && headers.TryGetValue(name, out var value) && value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : null;
                await subscriber._received.Writer.WriteAsync((Header(CloudEventHeaders.Subject), Header(CloudEventHeaders.Type),
                    LedgerChanged.Parser.ParseFrom(delivery.Body.Span)));
            };
            await channel.BasicConsumeAsync(queue.QueueName, autoAck: true, consumer);
            return subscriber;
        }

        /// <summary>The next <paramref name="count"/> events about <paramref name="subject"/>, in the order the broker delivered them.</summary>
        public async Task<List<(string? Type, LedgerChanged Message)>> ReceiveAsync(string subject, int count)
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var events = new List<(string?, LedgerChanged)>();
            while (events.Count < count)
            {
                var (eventSubject, type, message) = await _received.Reader.ReadAsync(deadline.Token);
                if (eventSubject == subject)
                    events.Add((type, message));
            }
            return events;
        }

        public async ValueTask DisposeAsync()
        {
            await _channel.DisposeAsync();
            await _connection.DisposeAsync();
        }
    }

    [Fact]
    public async Task Committed_rows_are_published_in_order_and_marked()
    {
        var (dataSource, database) = await Infra.NewDatabaseAsync();
        await using var subscriber = await Subscriber.StartAsync();
        var subject = $"in-order/{Guid.NewGuid():N}";
        await EnqueueAsync(dataSource, subject, replacePending: false, 1, 2, 3);

        using var host = await StartDispatcherAsync(database);
        var events = await subscriber.ReceiveAsync(subject, 3);

        Assert.Equal([1L, 2L, 3L], events.Select(e => e.Message.LedgerVersion));
        Assert.All(events, e => Assert.Equal(LedgerChanged.Descriptor.FullName, e.Type));
        await UntilPublishedAsync(dataSource, "the 3 rows marked published", 3, TimeSpan.FromSeconds(10));
        await host.StopAsync();
    }

    [Fact]
    public async Task Pending_events_of_one_subject_coalesce_into_the_latest()
    {
        var (dataSource, database) = await Infra.NewDatabaseAsync();
        await using var subscriber = await Subscriber.StartAsync();
        var subject = $"coalesced/{Guid.NewGuid():N}";
        await EnqueueAsync(dataSource, subject, replacePending: true, 1);
        await EnqueueAsync(dataSource, subject, replacePending: true, 2);
        await EnqueueAsync(dataSource, subject, replacePending: true, 3);
        Assert.Equal((1L, 1L), await OutboxRowsAsync(dataSource));

        using var host = await StartDispatcherAsync(database);
        var events = await subscriber.ReceiveAsync(subject, 1);
        Assert.Equal(3, events.Single().Message.LedgerVersion);
        await UntilPublishedAsync(dataSource, "the coalesced row marked published", 1, TimeSpan.FromSeconds(10));

        // Once published, a row is history: the next change is a new event, not a rewrite of the sent one.
        await EnqueueAsync(dataSource, subject, replacePending: true, 4);
        Assert.Equal(4, (await subscriber.ReceiveAsync(subject, 1)).Single().Message.LedgerVersion);
        await UntilPublishedAsync(dataSource, "both rows marked published", 2, TimeSpan.FromSeconds(10));
        await host.StopAsync();
    }

    [Fact]
    public async Task The_dispatcher_survives_a_broker_that_refuses_it_and_publishes_once_it_accepts()
    {
        var (dataSource, database) = await Infra.NewDatabaseAsync();
        // A virtual host of this test alone, missing at first: the broker refuses the connection,
        // as it does when it is down or misconfigured, without disturbing the tests sharing it.
        var virtualHost = $"outbox-tests-{Guid.NewGuid():N}";
        using var host = await StartDispatcherAsync(database, virtualHost);
        try
        {
            await EnqueueAsync(dataSource, $"refused/{Guid.NewGuid():N}", replacePending: false, 1, 2);
            Assert.Equal((2L, 2L), await OutboxRowsAsync(dataSource));

            await RabbitMqCtlAsync("add_vhost", virtualHost);
            await RabbitMqCtlAsync("set_permissions", "-p", virtualHost, Infra.Settings.AmqpUser, ".*", ".*", ".*");

            await UntilPublishedAsync(dataSource, "the rows published after the broker accepted", 2, TimeSpan.FromSeconds(90));
        }
        finally
        {
            await host.StopAsync();
            await RabbitMqCtlAsync("delete_vhost", virtualHost);
        }
    }

    /// <summary>Waits until the outbox holds <paramref name="rows"/> rows, none of them pending.</summary>
    static Task UntilPublishedAsync(NpgsqlDataSource dataSource, string what, long rows, TimeSpan timeout) =>
        Poll.UntilAsync(what, timeout, _ => OutboxRowsAsync(dataSource), counts => counts == (rows, 0),
            describe: counts => $"{counts.Rows} rows, {counts.Unpublished} pending");

    static async Task RabbitMqCtlAsync(params string[] args)
    {
        var start = new ProcessStartInfo(InfraSettings.Variable("PERFEVAL_RABBITMQCTL"), ["-n", InfraSettings.Variable("PERFEVAL_RABBITMQ_NODE"), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["HOME"] = InfraSettings.Variable("PERFEVAL_RABBITMQ_HOME");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        Assert.True(process.ExitCode == 0, $"rabbitmqctl {string.Join(' ', args)} failed: {await stdout}{await stderr}");
    }
}
