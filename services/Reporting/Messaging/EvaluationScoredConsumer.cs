using System.Security.Cryptography;
using MassTransit;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Events.V1;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Reporting.Domain;
using PerfEval.Reporting.Storage;

namespace PerfEval.Reporting.Messaging;

/// <summary>
/// Renders and stores a report version for each new scorecard version. EvaluationScored carries the
/// whole scorecard, so a stale or repeated event (an older scorecard version) is simply skipped.
/// </summary>
public sealed class EvaluationScoredConsumer(LedgerService.LedgerServiceClient ledger, ReportStore store,
    ILogger<EvaluationScoredConsumer> logger) : IConsumer<EvaluationScored>
{
    public async Task Consume(ConsumeContext<EvaluationScored> context)
    {
        var scored = context.Message;
        using var _ = Serilog.Context.LogContext.PushProperty("EvaluationKey", scored.EvaluationKey);
        if (scored.ScorecardVersion <= await store.RenderedScorecardVersionAsync(scored.EvaluationKey, context.CancellationToken))
            return;

        var key = new EvaluationKey { RegionCode = scored.RegionCode, SubjectCode = scored.SubjectCode, FiscalYear = scored.FiscalYear };
        var subject = (await ledger.GetBalancesAsync(new GetBalancesRequest { Evaluation = key },
            deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: context.CancellationToken)).Subject;

        var markdown = MarkdownReport.Render(new ReportInput(scored, subject.Name, subject.RegionName));
        var file = new ReportFile("markdown", markdown, Convert.ToHexStringLower(SHA256.HashData(markdown)));

        var published = new ReportPublished
        {
            EvaluationKey = scored.EvaluationKey,
            RegionCode = scored.RegionCode,
            SubjectCode = scored.SubjectCode,
            FiscalYear = scored.FiscalYear,
            ScorecardVersion = scored.ScorecardVersion,
            Total = scored.Total,
            Grade = scored.Grade,
            SubjectName = subject.Name,
            Items = { scored.Items },
            Formats = { new ReportFormat { Format = file.Format, Sha256 = file.Sha256, SizeBytes = file.Content.Length } },
        };
        var stored = await store.SaveAsync(published, [file], context.CancellationToken);
        logger.LogInformation("Report version {ReportVersion} rendered from scorecard version {ScorecardVersion}",
            stored?.ReportVersion, scored.ScorecardVersion);
    }
}
