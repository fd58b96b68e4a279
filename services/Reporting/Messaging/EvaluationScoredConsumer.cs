using System.Globalization;
using MassTransit;
using PerfEval.Contracts.Events.V1;
using PerfEval.Hosting.Evaluations;
using PerfEval.Messaging;
using PerfEval.Reporting.Application;

namespace PerfEval.Reporting.Messaging;

/// <summary>Each new scorecard version becomes a report version (see <see cref="ScorecardReporting"/>).</summary>
public sealed class EvaluationScoredConsumer(ScorecardReporting reporting) : IConsumer<EvaluationScored>
{
    public async Task Consume(ConsumeContext<EvaluationScored> context)
    {
        using var _ = Serilog.Context.LogContext.PushProperty("EvaluationKey", EvaluationKeys.Format(context.Message.Evaluation));
        await reporting.OnScoredAsync(context.Message, PublishedAt(context), context.CancellationToken);
    }

    /// <summary>The scorecard's publish time (its cloudEvents_time), so a redelivered event keeps its date.</summary>
    static DateTimeOffset PublishedAt(ConsumeContext context) =>
        context.Headers.Get<string>(CloudEventHeaders.Time) is { } header
        && DateTimeOffset.TryParse(header, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : context.SentTime is { } sentTime ? new DateTimeOffset(sentTime, TimeSpan.Zero) : DateTimeOffset.UtcNow;
}
