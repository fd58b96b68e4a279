using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace PerfEval.EndToEnd.Tests.Infrastructure;

/// <summary>One delivery as it came off the queue: its AMQP properties and a copy of its body.</summary>
public sealed record Delivery(BasicProperties Properties, byte[] Body);

/// <summary>A parsed event with its CloudEvents application properties.</summary>
public sealed record ReceivedEvent<T>(T Message, IReadOnlyDictionary<string, string> Headers, BasicProperties Properties)
    where T : IMessage<T>
{
    public string? Header(string name) => Headers.GetValueOrDefault(name);
}

/// <summary>
/// A downstream consumer written with plain RabbitMQ.Client and the .proto alone (no MassTransit):
/// it binds its own exclusive, server-named queue to a published event's durable fanout exchange
/// and parses <c>application/protobuf</c> bodies by their <c>cloudEvents_type</c>.
/// </summary>
public sealed class PlainSubscriber : IAsyncDisposable
{
    public const string ProtobufContentType = "application/protobuf";
    public const string TypeHeader = "cloudEvents_type";
    public const string SubjectHeader = "cloudEvents_subject";
    public const string SpecVersionHeader = "cloudEvents_specversion";
    public const string IdHeader = "cloudEvents_id";
    public const string SourceHeader = "cloudEvents_source";
    public const string TimeHeader = "cloudEvents_time";

    readonly IConnection _connection;
    readonly IChannel _channel;
    readonly Channel<Delivery> _deliveries = Channel.CreateUnbounded<Delivery>(new UnboundedChannelOptions { SingleReader = true });
    readonly List<string> _seen = [];
    readonly ConditionalWeakTable<object, IReadOnlyDictionary<string, string>> _headersOf = new();

    PlainSubscriber(string exchange, string queue, IConnection connection, IChannel channel)
    {
        Exchange = exchange;
        QueueName = queue;
        _connection = connection;
        _channel = channel;
    }

    public string Exchange { get; }
    public string QueueName { get; }

    /// <summary>Connects, declares the exchange and a private queue, binds and starts consuming.</summary>
    public static async Task<PlainSubscriber> StartAsync(InfraSettings settings, string exchange, CancellationToken cancellationToken = default)
    {
        var factory = new ConnectionFactory
        {
            HostName = settings.AmqpHost,
            Port = settings.AmqpPort,
            UserName = settings.AmqpUser,
            Password = settings.AmqpPassword,
            ClientProvidedName = $"perfeval-e2e-plain-subscriber:{exchange}",
        };
        var connection = await factory.CreateConnectionAsync(cancellationToken);
        try
        {
            var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            // Same arguments as the publisher's declaration, so whoever is first wins and the other agrees.
            await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false,
                cancellationToken: cancellationToken);
            var queue = await channel.QueueDeclareAsync(queue: "", durable: false, exclusive: true, autoDelete: true,
                cancellationToken: cancellationToken);
            await channel.QueueBindAsync(queue.QueueName, exchange, routingKey: "", cancellationToken: cancellationToken);

            var subscriber = new PlainSubscriber(exchange, queue.QueueName, connection, channel);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += (_, delivery) =>
            {
                // The body memory belongs to the client library only for the duration of this call.
                subscriber._deliveries.Writer.TryWrite(new Delivery(new BasicProperties(delivery.BasicProperties), delivery.Body.ToArray()));
                return Task.CompletedTask;
            };
            await channel.BasicConsumeAsync(queue.QueueName, autoAck: true, consumer, cancellationToken);
            return subscriber;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Waits for the first message of type <typeparamref name="T"/> that satisfies <paramref name="predicate"/>,
    /// skipping every other delivery; throws <see cref="TimeoutException"/> listing what was seen.
    /// </summary>
    public async Task<T> WaitForAsync<T>(Func<T, bool> predicate, TimeSpan timeout) where T : IMessage<T>, new() =>
        (await WaitForEventAsync(predicate, timeout)).Message;

    /// <summary><see cref="WaitForAsync{T}"/> with the message's headers.</summary>
    public async Task<ReceivedEvent<T>> WaitForEventAsync<T>(Func<T, bool> predicate, TimeSpan timeout) where T : IMessage<T>, new()
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            var received = await NextEventCoreAsync<T>(deadline.Token);
            if (received is null)
                throw new TimeoutException(
                    $"No {Descriptor<T>().FullName} matching the condition arrived on {Exchange} within {timeout.TotalSeconds:0.#} s. {DescribeSeen()}");
            if (predicate(received.Message))
            {
                Note($"matched: {Summary(received)}");
                return received;
            }
            Note($"did not match the condition: {Summary(received)}");
        }
    }

    /// <summary>The next message of type <typeparamref name="T"/> (others skipped), or null when none arrives in time.</summary>
    public async Task<T?> NextOrNullAsync<T>(TimeSpan timeout) where T : class, IMessage<T>, new() =>
        (await NextEventOrNullAsync<T>(timeout))?.Message;

    /// <summary><see cref="NextOrNullAsync{T}"/> with the message's headers.</summary>
    public async Task<ReceivedEvent<T>?> NextEventOrNullAsync<T>(TimeSpan timeout) where T : IMessage<T>, new()
    {
        using var deadline = new CancellationTokenSource(timeout);
        var received = await NextEventCoreAsync<T>(deadline.Token);
        if (received is not null)
            Note($"returned: {Summary(received)}");
        return received;
    }

    /// <summary>The CloudEvents headers of a message this subscriber returned.</summary>
    public IReadOnlyDictionary<string, string> HeadersOf(object message) =>
        _headersOf.TryGetValue(message, out var headers)
            ? headers
            : throw new ArgumentException("That message was not received by this subscriber", nameof(message));

    /// <summary>Everything seen so far, one line each, for failure messages.</summary>
    public string DescribeSeen()
    {
        lock (_seen)
            return _seen.Count == 0
                ? "Nothing arrived."
                : $"Seen ({_seen.Count}):{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", _seen.TakeLast(50));
    }

    async Task<ReceivedEvent<T>?> NextEventCoreAsync<T>(CancellationToken deadline) where T : IMessage<T>, new()
    {
        var descriptor = Descriptor<T>();
        var parser = new MessageParser<T>(() => new T());
        while (true)
        {
            Delivery delivery;
            try
            {
                delivery = await _deliveries.Reader.ReadAsync(deadline);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                return null;
            }

            var headers = ReadHeaders(delivery.Properties);
            var type = headers.GetValueOrDefault(TypeHeader);
            if (delivery.Properties.ContentType != ProtobufContentType || type != descriptor.FullName)
            {
                Note($"skipped: content_type={delivery.Properties.ContentType ?? "(none)"} {TypeHeader}={type ?? "(none)"} " +
                     $"{SubjectHeader}={headers.GetValueOrDefault(SubjectHeader) ?? "(none)"} ({delivery.Body.Length} bytes)");
                continue;
            }

            T message;
            try
            {
                message = parser.ParseFrom(delivery.Body);
            }
            catch (InvalidProtocolBufferException ex)
            {
                Note($"unparsable {type}: {ex.Message} ({delivery.Body.Length} bytes)");
                continue;
            }

            _headersOf.AddOrUpdate(message, headers);
            return new ReceivedEvent<T>(message, headers, delivery.Properties);
        }
    }

    /// <summary>String application properties; AMQP long strings arrive as byte[] (UTF-8).</summary>
    public static IReadOnlyDictionary<string, string> ReadHeaders(IReadOnlyBasicProperties properties)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (properties.Headers is null)
            return result;
        foreach (var (key, value) in properties.Headers)
        {
            var text = value switch
            {
                null => null,
                byte[] bytes => Encoding.UTF8.GetString(bytes),
                ReadOnlyMemory<byte> memory => Encoding.UTF8.GetString(memory.Span),
                string s => s,
                _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
            };
            if (text is not null)
                result[key] = text;
        }
        return result;
    }

    static MessageDescriptor Descriptor<T>() where T : IMessage<T>, new() => new T().Descriptor;

    static string Summary<T>(ReceivedEvent<T> received) where T : IMessage<T>
    {
        var json = received.Message.ToString() ?? "";
        if (json.Length > 600)
            json = json[..600] + "…";
        return $"{received.Message.Descriptor.FullName} {SubjectHeader}={received.Header(SubjectHeader) ?? "(none)"} {json}";
    }

    void Note(string line)
    {
        lock (_seen)
        {
            _seen.Add($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");
            if (_seen.Count > 500)
                _seen.RemoveAt(0);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _deliveries.Writer.TryComplete();
        try
        {
            await _channel.CloseAsync();
        }
        catch (Exception)
        {
            // The connection may already be gone; closing it below is what matters.
        }
        await _channel.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
