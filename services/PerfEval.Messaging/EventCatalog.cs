using Google.Protobuf;
using Google.Protobuf.Reflection;
using PerfEval.Contracts.Events.V1;

namespace PerfEval.Messaging;

/// <summary>
/// The published events, their stable exchange names and their parsers. Exchange names are part of
/// the public contract (README, "Events"): downstream systems bind their own queues to them.
/// </summary>
public static class EventCatalog
{
    public sealed record EventType(Type ClrType, MessageDescriptor Descriptor, string ExchangeName)
    {
        /// <summary>Full protobuf name, sent as <c>cloudEvents_type</c>.</summary>
        public string FullName => Descriptor.FullName;
    }

    public static readonly EventType LedgerChanged =
        new(typeof(LedgerChanged), Contracts.Events.V1.LedgerChanged.Descriptor, "perfeval.ledger.v1.ledger-changed");

    public static readonly EventType IndicatorValuesChanged =
        new(typeof(IndicatorValuesChanged), Contracts.Events.V1.IndicatorValuesChanged.Descriptor,
            "perfeval.indicator.v1.indicator-values-changed");

    public static readonly EventType EvaluationScored =
        new(typeof(EvaluationScored), Contracts.Events.V1.EvaluationScored.Descriptor, "perfeval.scoring.v1.evaluation-scored");

    public static readonly EventType ReportPublished =
        new(typeof(ReportPublished), Contracts.Events.V1.ReportPublished.Descriptor, "perfeval.reporting.v1.report-published");

    public static readonly EventType MonitoringStatusChanged =
        new(typeof(MonitoringStatusChanged), Contracts.Events.V1.MonitoringStatusChanged.Descriptor,
            "perfeval.scoring.v1.monitoring-status-changed");

    public static readonly EventType DeclaredActualsRecorded =
        new(typeof(DeclaredActualsRecorded), Contracts.Events.V1.DeclaredActualsRecorded.Descriptor,
            "perfeval.indicator.v1.declared-actuals-recorded");

    public static readonly IReadOnlyList<EventType> All =
        [LedgerChanged, IndicatorValuesChanged, EvaluationScored, ReportPublished, MonitoringStatusChanged, DeclaredActualsRecorded];

    static readonly Dictionary<string, EventType> ByFullName = All.ToDictionary(e => e.FullName, StringComparer.Ordinal);
    static readonly Dictionary<Type, EventType> ByClrType = All.ToDictionary(e => e.ClrType);

    public static EventType? FindByFullName(string fullName) => ByFullName.GetValueOrDefault(fullName);

    public static EventType ForClrType(Type type) =>
        ByClrType.TryGetValue(type, out var e) ? e : throw new ArgumentException($"{type} is not a PerfEval event", nameof(type));

    public static IMessage Parse(EventType type, ReadOnlySpan<byte> bytes) => type.Descriptor.Parser.ParseFrom(bytes);
}
