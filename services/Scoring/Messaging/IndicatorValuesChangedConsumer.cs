using System.Globalization;
using MassTransit;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Events.V1;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Scoring.Domain;
using PerfEval.Scoring.Storage;

namespace PerfEval.Scoring.Messaging;

/// <summary>
/// Rescores "to latest": reads the indicator service's current values, so events that arrive late,
/// twice or out of order never roll a scorecard back.
/// </summary>
public sealed class IndicatorValuesChangedConsumer(IndicatorService.IndicatorServiceClient indicators, ScoringStore store,
    ILogger<IndicatorValuesChangedConsumer> logger) : IConsumer<IndicatorValuesChanged>
{
    public async Task Consume(ConsumeContext<IndicatorValuesChanged> context)
    {
        var message = context.Message;
        using var _ = Serilog.Context.LogContext.PushProperty("EvaluationKey", message.EvaluationKey);
        if (message.ValueVersion <= await store.ScoredValueVersionAsync(message.EvaluationKey, context.CancellationToken))
            return;

        var key = new EvaluationKey { RegionCode = message.RegionCode, SubjectCode = message.SubjectCode, FiscalYear = message.FiscalYear };
        var values = await indicators.GetIndicatorValuesAsync(new GetIndicatorValuesRequest { Evaluation = key },
            deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: context.CancellationToken);

        var actuals = values.Values.ToDictionary(v => v.IndicatorCode,
            v => v.Value.Length == 0 ? (decimal?)null : decimal.Parse(v.Value, NumberStyles.Number, CultureInfo.InvariantCulture));
        var scorecard = SkeletonSystem.Score(actuals, Grades.Default);

        var scored = new EvaluationScored
        {
            EvaluationKey = message.EvaluationKey,
            RegionCode = message.RegionCode,
            SubjectCode = message.SubjectCode,
            FiscalYear = message.FiscalYear,
            ValueVersion = values.ValueVersion,
            Total = Scorecard.Format(scorecard.Total),
            Grade = scorecard.Grade,
        };
        scored.Items.AddRange(scorecard.Items.Select(i => new ScoredItem
        {
            IndicatorCode = i.Indicator.Code,
            Name = i.Indicator.Name,
            Target = i.Indicator.TargetText,
            Unit = i.Indicator.Unit,
            Actual = i.Actual?.ToString(CultureInfo.InvariantCulture) ?? "",
            Weight = i.Indicator.Weight.ToString(CultureInfo.InvariantCulture),
            Score = i.Score is { } s ? Scorecard.Format(s) : "",
        }));

        var version = await store.SaveAsync(scored, context.CancellationToken);
        logger.LogInformation("Scored value version {ValueVersion}: total {Total} {Grade}, scorecard version {ScorecardVersion}",
            values.ValueVersion, scored.Total, scored.Grade, version);
    }
}
