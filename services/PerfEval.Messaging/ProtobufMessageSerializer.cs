using System.Net.Mime;
using System.Runtime.Serialization;
using System.Text;
using Google.Protobuf;
using MassTransit;
using MassTransit.Serialization;

namespace PerfEval.Messaging;

/// <summary>
/// Carries PerfEval events as bare binary protobuf (content type <c>application/protobuf</c>), so that
/// a consumer in any language needs only the .proto. Registered beside MassTransit's JSON default,
/// which keeps MassTransit's own messages (faults) serializable.
/// </summary>
public sealed class ProtobufMessageSerializer : RawMessageSerializer, IMessageSerializer, IMessageDeserializer
{
    public static readonly ContentType ProtobufContentType = new("application/protobuf");

    public ContentType ContentType => ProtobufContentType;

    public void Probe(ProbeContext context) => context.CreateScope("protobuf").Add("contentType", ContentType.MediaType);

    public MessageBody GetMessageBody<T>(SendContext<T> context) where T : class
    {
        if (context.Message is not IMessage message)
            throw new SerializationException($"{typeof(T)} is not a protobuf message");
        SetRawMessageHeaders(context);
        return new ProtobufMessageBody(message.ToByteArray());
    }

    public ConsumeContext Deserialize(ReceiveContext receiveContext) =>
        new BodyConsumeContext(receiveContext, Deserialize(receiveContext.Body, receiveContext.TransportHeaders, receiveContext.InputAddress));

    public SerializerContext Deserialize(MessageBody body, Headers headers, Uri? destinationAddress = null)
    {
        // The type comes from the header, never from trying to parse: protobuf parsing is lenient and
        // would accept almost any bytes as almost any message.
        var typeName = ReadStringHeader(headers, CloudEventHeaders.Type)
            ?? throw new SerializationException($"The message has no {CloudEventHeaders.Type} header");
        var eventType = EventCatalog.FindByFullName(typeName)
            ?? throw new SerializationException($"Unknown event type '{typeName}'");

        IMessage message;
        try
        {
            message = EventCatalog.Parse(eventType, body.GetBytes());
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new SerializationException($"The body is not a valid {typeName}", ex);
        }

        var messageContext = new RawMessageContext(headers, destinationAddress, RawSerializerOptions.Default);
        return new ProtobufSerializerContext(messageContext, message, body);
    }

    public MessageBody GetMessageBody(string text) => new ProtobufMessageBody(Convert.FromBase64String(text));

    internal static string? ReadStringHeader(Headers headers, string key)
    {
        if (!headers.TryGetHeader(key, out var value) || value is null)
            return null;
        return value switch
        {
            string s => s,
            byte[] bytes => Encoding.UTF8.GetString(bytes),
            ReadOnlyMemory<byte> memory => Encoding.UTF8.GetString(memory.Span),
            _ => value.ToString(),
        };
    }
}

/// <summary>A binary body whose string form is base64, as MassTransit's redelivery paths expect.</summary>
public sealed class ProtobufMessageBody(byte[] bytes) : MessageBody
{
    public long? Length => bytes.Length;
    public Stream GetStream() => new MemoryStream(bytes, writable: false);
    public byte[] GetBytes() => bytes;
    public string GetString() => Convert.ToBase64String(bytes);
}

sealed class ProtobufSerializerContext(MessageContext context, IMessage message, MessageBody body)
    : BaseSerializerContext(SystemTextJsonMessageSerializer.Instance, context, [MessageUrn.ForTypeString(message.GetType())])
{
    public override bool TryGetMessage<T>(out T? result) where T : class
    {
        result = message as T;
        return result is not null;
    }

    public override bool TryGetMessage(Type messageType, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out object? result)
    {
        result = messageType.IsInstanceOfType(message) ? message : null;
        return result is not null;
    }

    public override bool IsSupportedMessageType<T>() => message is T;

    public override bool IsSupportedMessageType(Type messageType) => messageType.IsInstanceOfType(message);

    public override IMessageSerializer GetMessageSerializer() => new CopyBodySerializer(ProtobufMessageSerializer.ProtobufContentType, body);

    public override IMessageSerializer GetMessageSerializer<T>(MessageEnvelope envelope, T message2) where T : class =>
        new CopyBodySerializer(ProtobufMessageSerializer.ProtobufContentType, body);

    public override IMessageSerializer GetMessageSerializer(object message2, string[] messageTypes) =>
        new CopyBodySerializer(ProtobufMessageSerializer.ProtobufContentType, body);

    public override Dictionary<string, object> ToDictionary<T>(T? value) where T : class => new();
}

/// <summary>Plugs <see cref="ProtobufMessageSerializer"/> into MassTransit's serializer registry.</summary>
public sealed class ProtobufSerializerFactory : ISerializerFactory
{
    readonly ProtobufMessageSerializer _serializer = new();
    public ContentType ContentType => ProtobufMessageSerializer.ProtobufContentType;
    public IMessageSerializer CreateSerializer() => _serializer;
    public IMessageDeserializer CreateDeserializer() => _serializer;
}
