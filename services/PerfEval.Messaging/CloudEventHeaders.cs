namespace PerfEval.Messaging;

/// <summary>CloudEvents AMQP binding: application properties carried by every event.</summary>
public static class CloudEventHeaders
{
    public const string SpecVersion = "cloudEvents_specversion";
    public const string Id = "cloudEvents_id";
    public const string Source = "cloudEvents_source";
    public const string Type = "cloudEvents_type";
    public const string Subject = "cloudEvents_subject";
    public const string Time = "cloudEvents_time";
}
