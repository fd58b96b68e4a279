using System.Reflection;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace PerfEval.Messaging;

/// <summary>RabbitMQ connection settings (section "RabbitMq").</summary>
public sealed class RabbitMqOptions
{
    public string Host { get; set; } = "127.0.0.1";
    public ushort Port { get; set; } = 5672;
    public string VirtualHost { get; set; } = "/";
    public string Username { get; set; } = "guest";
    public string Password { get; set; } = "guest";

    /// <summary>Prefix of this deployment's queue names, so two deployments on one broker do not
    /// compete for each other's messages (the exchanges, the public contract, stay fixed).</summary>
    public string QueuePrefix { get; set; } = "perfeval";

    /// <summary>When set, an unused queue is deleted by the broker after this many seconds (x-expires):
    /// for short-lived deployments such as test runs. Production leaves it unset.</summary>
    public int? QueueExpirySeconds { get; set; }

    /// <summary>
    /// "quorum" declares the consumer queues as quorum queues, replicated over a RabbitMQ cluster
    /// (ARCHITECTURE §Scale); "classic" (the default) keeps single-node queues. A queue's type is
    /// fixed when it is declared: switching an existing deployment means draining and deleting its
    /// queues first, or the broker refuses the declaration (PRECONDITION_FAILED).
    /// </summary>
    public string QueueType { get; set; } = "classic";

    /// <summary>
    /// How long the outbox dispatcher waits after being woken before it publishes, so that a burst
    /// of commits (a bulk ingest commits a chunk every few tens of milliseconds) is announced by one
    /// event instead of one per commit: writers overwrite an evaluation's pending event in place.
    /// The price is this much delay on every event; 0 publishes at once.
    /// </summary>
    public int OutboxCoalesceMilliseconds { get; set; } = 100;
}

/// <summary>A consumer of one event, on its own durable queue named {prefix}.{service}.{event}.</summary>
public sealed record ConsumerEndpoint(string QueueSuffix, Type ConsumerType);

public static class MessagingSetup
{
    /// <summary>
    /// Adds MassTransit over RabbitMQ with PerfEval events as binary protobuf on their stable
    /// exchanges, the outbox dispatcher, and the given consumers with retry before the _error queue.
    /// </summary>
    public static IHostApplicationBuilder AddPerfEvalMessaging(this IHostApplicationBuilder builder, string serviceName,
        params ConsumerEndpoint[] consumers)
    {
        var options = builder.Configuration.GetSection("RabbitMq").Get<RabbitMqOptions>() ?? new RabbitMqOptions();
        if (options.QueueType is not ("classic" or "quorum"))
            throw new InvalidOperationException($"RabbitMq:QueueType must be \"classic\" or \"quorum\", not \"{options.QueueType}\"");
        builder.Services.AddSingleton(options);

        builder.Services.AddMassTransit(bus =>
        {
            // MassTransit 8.4+ reports anonymous usage telemetry to its vendor's host after start. A
            // government deployment makes no outbound call it was not configured to make (issue 14 item 13).
            // Note MASSTRANSIT_USAGE_TELEMETRY in the environment overrides this: deployments must not set it.
            bus.DisableUsageTelemetry();
            foreach (var consumer in consumers)
                bus.AddConsumer(consumer.ConsumerType);

            bus.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(options.Host, options.Port, options.VirtualHost, h =>
                {
                    h.Username(options.Username);
                    h.Password(options.Password);
                    // Publish waits for the broker's confirm: the outbox marks a row sent only then.
                    h.PublisherConfirmation = true;
                });

                var protobuf = new ProtobufSerializerFactory();
                cfg.AddSerializer(protobuf, isSerializer: false);
                cfg.AddDeserializer(protobuf);

                foreach (var eventType in EventCatalog.All)
                    ConfigureEvent(cfg, eventType);

                foreach (var consumer in consumers)
                {
                    cfg.ReceiveEndpoint($"{options.QueuePrefix}.{serviceName}.{consumer.QueueSuffix}", e =>
                    {
                        e.ConfigureConsumeTopology = true;
                        if (options.QueueType == "quorum")
                            e.SetQuorumQueue();
                        if (options.QueueExpirySeconds is { } expiry)
                            e.QueueExpiration = TimeSpan.FromSeconds(expiry);
                        // A failing message is retried with growing pauses, then moved to the _error
                        // queue: never acked silently, never redelivered in a hot loop.
                        e.UseMessageRetry(r => r.Intervals(100, 500, 1000, 2000, 5000));
                        // Inside the retry: an unknown evaluation is acknowledged, not retried.
                        e.UseConsumeFilter(typeof(UnknownEvaluationFilter<>), context);
                        e.ConfigureConsumer(context, consumer.ConsumerType);
                    });
                }
            });
        });

        builder.Services.AddHostedService<OutboxDispatcher>();
        return builder;
    }

    static void ConfigureEvent(IRabbitMqBusFactoryConfigurator cfg, EventCatalog.EventType eventType)
    {
        // The catalog knows the CLR type only at run time; MassTransit's topology is per generic type.
        var configure = typeof(MessagingSetup).GetMethod(nameof(ConfigureEventOf), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(eventType.ClrType);
        configure.Invoke(null, [cfg, eventType]);
    }

    static void ConfigureEventOf<T>(IRabbitMqBusFactoryConfigurator cfg, EventCatalog.EventType eventType) where T : class
    {
        cfg.Message<T>(m => m.SetEntityName(eventType.ExchangeName));
        cfg.Send<T>(s => s.UseSerializer(ProtobufMessageSerializer.ProtobufContentType.MediaType));
        cfg.Publish<T>(p => p.ExchangeType = "fanout");

        // Generated classes implement Google.Protobuf interfaces; without this MassTransit would
        // create an exchange for each of them and bind them in a chain.
        foreach (var iface in typeof(T).GetInterfaces().Where(i => i.Namespace?.StartsWith("Google.Protobuf", StringComparison.Ordinal) == true))
            cfg.PublishTopology.GetMessageTopology(iface).Exclude = true;
    }
}
