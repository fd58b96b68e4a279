using System.Globalization;
using MassTransit;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Events.V1;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Hosting.Messaging;
using PerfEval.Reporting.Domain;
using PerfEval.Reporting.Storage;

namespace PerfEval.Reporting.Messaging;

/// <summary>
/// Renders and stores a report version (xlsx, docx, html, markdown) for each new scorecard version.
/// EvaluationScored carries the whole scorecard, so a stale or repeated event (an older scorecard
/// version) is simply skipped. Money comes from the ledger's balances at its latest version.
/// </summary>
public sealed class EvaluationScoredConsumer(LedgerService.LedgerServiceClient ledger, ReportStore store, ReportTemplates templates,
    IConfiguration configuration, ILogger<EvaluationScoredConsumer> logger) : IConsumer<EvaluationScored>
{
    /// <summary>Reports are dated in China Standard Time.</summary>
    static readonly TimeSpan ChinaStandardTime = TimeSpan.FromHours(8);

    public async Task Consume(ConsumeContext<EvaluationScored> context)
    {
        var scored = context.Message;
        using var _ = Serilog.Context.LogContext.PushProperty("EvaluationKey", scored.EvaluationKey);
        if (scored.ScorecardVersion <= await store.RenderedScorecardVersionAsync(scored.EvaluationKey, context.CancellationToken))
            return;

        var key = new EvaluationKey { RegionCode = scored.RegionCode, SubjectCode = scored.SubjectCode, FiscalYear = scored.FiscalYear };
        var balances = await ledger.GetBalancesAsync(new GetBalancesRequest { Evaluation = key },
            deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: context.CancellationToken);

        var model = ReportModelBuilder.Build(new ReportSources(scored, balances, ReportDate(context))
        {
            ResponsibleUnit = configuration["Reporting:ResponsibleUnit"] ?? "",
        });
        var rendered = ReportRenderer.Render(model, templates);
        if (rendered.ChartsError.Length > 0)
            logger.LogWarning("Report rendered without charts: {ChartsError}", rendered.ChartsError);

        var published = new ReportPublished
        {
            EvaluationKey = scored.EvaluationKey,
            RegionCode = scored.RegionCode,
            SubjectCode = scored.SubjectCode,
            FiscalYear = scored.FiscalYear,
            ScorecardVersion = scored.ScorecardVersion,
            Total = scored.Total,
            Grade = scored.Grade,
            SubjectName = model.SubjectName,
            RegionName = model.RegionName,
            Items = { scored.Items },
            Formats = { rendered.Files.Select(f => new ReportFormat { Format = f.Format, Sha256 = f.Sha256, SizeBytes = f.Content.Length }) },
            LedgerVersion = balances.LedgerVersion,
            ValueVersion = scored.ValueVersion,
            ReportDate = model.ReportDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ContentSha256 = rendered.ContentSha256,
        };
        var stored = await store.SaveAsync(published, rendered.Files, context.CancellationToken);
        logger.LogInformation("Report version {ReportVersion} rendered from scorecard version {ScorecardVersion} and ledger version {LedgerVersion}",
            stored?.ReportVersion, scored.ScorecardVersion, balances.LedgerVersion);
    }

    /// <summary>
    /// The one date inside the files: Reporting:ReportDate when configured (a fixed date), else the
    /// day the scorecard was published (its cloudEvents_time), so a redelivered event renders the same bytes.
    /// </summary>
    DateOnly ReportDate(ConsumeContext context)
    {
        if (DateOnly.TryParseExact(configuration["Reporting:ReportDate"], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var fixedDate))
            return fixedDate;
        var sent = context.Headers.Get<string>(CloudEventHeaders.Time) is { } header
            && DateTimeOffset.TryParse(header, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
                ? time
                : context.SentTime is { } sentTime ? new DateTimeOffset(sentTime, TimeSpan.Zero) : DateTimeOffset.UtcNow;
        return DateOnly.FromDateTime(sent.ToOffset(ChinaStandardTime).DateTime);
    }
}
