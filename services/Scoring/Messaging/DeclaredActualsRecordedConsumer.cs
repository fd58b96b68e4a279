using MassTransit;
using PerfEval.Contracts.Events.V1;
using PerfEval.Hosting.Evaluations;
using PerfEval.Scoring.Storage;

namespace PerfEval.Scoring.Messaging;

/// <summary>
/// A bureau's typed actuals were recorded: the values did not move, but the scorecard's list of declared
/// differences may have. Reads the current findings ("to latest"), so a late or repeated event is harmless.
/// </summary>
public sealed class DeclaredActualsRecordedConsumer(FindingsReader findingsReader, ScoringStore store,
    ILogger<DeclaredActualsRecordedConsumer> logger) : IConsumer<DeclaredActualsRecorded>
{
    public async Task Consume(ConsumeContext<DeclaredActualsRecorded> context)
    {
        var message = context.Message;
        var key = message.Evaluation;
        using var _ = Serilog.Context.LogContext.PushProperty("EvaluationKey", EvaluationKeys.Format(key));
        var findings = await findingsReader.ReadAsync(key, context.CancellationToken);
        var version = await store.RescoreFindingsAsync(key, findings, context.CancellationToken);
        if (version is { } v)
            logger.LogInformation("Rescored with {FindingCount} findings at value version {ValueVersion}: scorecard version {ScorecardVersion}",
                findings.Findings.Count, findings.ValueVersion, v);
    }
}
