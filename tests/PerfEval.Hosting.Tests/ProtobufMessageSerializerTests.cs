using MassTransit;
using MassTransit.Serialization;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Events.V1;
using PerfEval.Hosting.Messaging;

namespace PerfEval.Hosting.Tests;

public class ProtobufMessageSerializerTests
{
    static readonly LedgerChanged Changed = new()
    {
        Evaluation = new EvaluationKey { RegionCode = "653129", SubjectCode = "resident-fund", FiscalYear = 2020 }, LedgerVersion = 7,
    };

    static Headers TypeHeader(string type)
    {
        var headers = new DictionarySendHeaders(new Dictionary<string, object?>());
        headers.Set(CloudEventHeaders.Type, type);
        return headers;
    }

    [Fact]
    public void A_body_with_its_type_header_parses_back_to_the_event()
    {
        var serializer = new ProtobufMessageSerializer();
        var context = serializer.Deserialize(new ProtobufMessageBody(Google.Protobuf.MessageExtensions.ToByteArray(Changed)),
            TypeHeader("perfeval.events.v1.LedgerChanged"));
        Assert.True(context.TryGetMessage<LedgerChanged>(out var message));
        Assert.Equal(Changed, message);
        Assert.False(context.TryGetMessage<ReportPublished>(out _));
    }

    [Fact]
    public void The_type_comes_from_the_header_never_from_guessing()
    {
        var serializer = new ProtobufMessageSerializer();
        var body = new ProtobufMessageBody(Google.Protobuf.MessageExtensions.ToByteArray(Changed));
        Assert.Throws<System.Runtime.Serialization.SerializationException>(() =>
            serializer.Deserialize(body, new DictionarySendHeaders(new Dictionary<string, object?>())));
        Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.Deserialize(body, TypeHeader("x.Unknown")));
    }

    [Fact]
    public void Invalid_bytes_are_a_serialization_error() =>
        Assert.Throws<System.Runtime.Serialization.SerializationException>(() =>
            new ProtobufMessageSerializer().Deserialize(new ProtobufMessageBody([0xFF, 0xFF, 0xFF]), TypeHeader("perfeval.events.v1.LedgerChanged")));

    [Fact]
    public void A_binary_body_reads_as_base64_text()
    {
        var body = new ProtobufMessageBody([1, 2, 250]);
        Assert.Equal(Convert.ToBase64String([1, 2, 250]), body.GetString());
        Assert.Equal([1, 2, 250], new ProtobufMessageSerializer().GetMessageBody(body.GetString()).GetBytes());
    }

    [Fact]
    public void Exchange_names_follow_the_contract()
    {
        Assert.Equal(
            ["perfeval.ledger.v1.ledger-changed", "perfeval.indicator.v1.indicator-values-changed",
             "perfeval.scoring.v1.evaluation-scored", "perfeval.reporting.v1.report-published",
             "perfeval.scoring.v1.monitoring-status-changed", "perfeval.indicator.v1.declared-actuals-recorded"],
            EventCatalog.All.Select(e => e.ExchangeName));
        Assert.All(EventCatalog.All, e => Assert.StartsWith("perfeval.events.v1.", e.FullName));
    }
}
