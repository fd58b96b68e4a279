using System.Globalization;
using PerfEval.Contracts.Events.V1;
using PerfEval.Hosting.Evaluations;
using PerfEval.Reporting.Api;
using PerfEval.Reporting.Application.Rendering;
using PerfEval.Reporting.Domain;
using PerfEval.Reporting.Storage;
using PerfEval.Reporting.Upstream;

namespace PerfEval.Reporting.Application;

/// <summary>
/// Renders and stores a report version (xlsx, docx, html, markdown) for each new scorecard version,
/// and publishes ReportPublished through the outbox in the same transaction. EvaluationScored carries
/// the whole scorecard, so a stale or repeated event (an older scorecard version) is simply skipped.
/// </summary>
public sealed class ScorecardReporting(ReportSourcesReader upstream, ReportStore store, EvaluationTextsStore textsStore,
    ReportTemplates templates, IConfiguration configuration, ILogger<ScorecardReporting> logger)
{
    /// <summary>
    /// Renders again from the latest scorecard after the bureau changed its texts; nothing to do
    /// before the first scorecard (the first report will print them).
    /// </summary>
    public async Task OnTextsChangedAsync(string evaluationKey, CancellationToken ct)
    {
        if (await store.LastScoredAsync(evaluationKey, ct) is { } last)
            await OnScoredAsync(last.Scored, last.PublishedAt, ct);
    }

    /// <summary>Reports are dated in China Standard Time.</summary>
    static readonly TimeSpan ChinaStandardTime = TimeSpan.FromHours(8);

    /// <param name="publishedAt">When the scorecard was published; the report's date unless Reporting:ReportDate fixes one.</param>
    public async Task OnScoredAsync(EvaluationScored scored, DateTimeOffset publishedAt, CancellationToken ct)
    {
        var evaluationKey = EvaluationKeys.Format(scored.Evaluation);
        // A texts change that lands while this render runs renders once more, so the newest report
        // always prints the newest texts; the bound only guards against a writer that never stops.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var texts = await textsStore.GetAsync(evaluationKey, ct);
            var rendered = await store.RenderedVersionsAsync(evaluationKey, ct);
            if (scored.ScorecardVersion < rendered.Scorecard
                || (scored.ScorecardVersion == rendered.Scorecard && texts.Version <= rendered.Texts))
                return;
            await RenderAsync(scored, publishedAt, EvaluationTextsMapping.ToDomain(texts), ct);
        }
    }

    async Task RenderAsync(EvaluationScored scored, DateTimeOffset publishedAt, BureauTexts texts, CancellationToken ct)
    {
        var sources = await upstream.ReadAsync(scored.Evaluation, scored.LedgerVersion, ct);
        var model = ReportModelBuilder.Build(new ReportSources(scored, sources.Balances, texts.Signatories.FilingDate ?? ReportDate(publishedAt))
        {
            // The bureau's own 填报单位 (UpdateEvaluationTexts), never a deployment-wide setting: one
            // deployment serves many bureaus. Missing, the report says 待填写.
            ResponsibleUnit = texts.Signatories.FilingUnit,
            Texts = texts,
            Metrics = sources.Metrics,
            LedgerFindings = sources.LedgerFindings,
            IndicatorFindings = sources.IndicatorFindings,
        });
        var rendered = ReportRenderer.Render(model, templates);
        if (rendered.ChartsError.Length > 0)
            logger.LogWarning("Report rendered without charts: {ChartsError}", rendered.ChartsError);

        var published = new ReportPublished
        {
            Evaluation = scored.Evaluation,
            ScorecardVersion = scored.ScorecardVersion,
            Total = scored.Total,
            Grade = scored.Grade,
            SubjectName = model.SubjectName,
            RegionName = model.RegionName,
            Items = { scored.Items },
            Formats = { rendered.Files.Select(f => new ReportFormat { Format = ReportFileFormats.FromName(f.Format), Sha256 = f.Sha256, SizeBytes = f.Content.Length }) },
            LedgerVersion = model.Inputs.LedgerVersion,
            ValueVersion = scored.ValueVersion,
            ReportDate = model.ReportDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ContentSha256 = rendered.ContentSha256,
            TextsVersion = texts.Version,
            Draft = model.Draft,
        };
        var stored = await store.SaveAsync(published, rendered.Files, ct, model.Inputs, (scored, publishedAt));
        logger.LogInformation("Report version {ReportVersion} rendered from scorecard version {ScorecardVersion}, ledger version {LedgerVersion} and texts version {TextsVersion}",
            stored?.ReportVersion, scored.ScorecardVersion, model.Inputs.LedgerVersion, texts.Version);
    }

    /// <summary>
    /// The one date inside the files: Reporting:ReportDate when configured (a fixed date), else the
    /// day the scorecard was published, so a redelivered event renders the same bytes.
    /// </summary>
    DateOnly ReportDate(DateTimeOffset publishedAt) =>
        DateOnly.TryParseExact(configuration["Reporting:ReportDate"], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var fixedDate)
            ? fixedDate
            : DateOnly.FromDateTime(publishedAt.ToOffset(ChinaStandardTime).DateTime);
}
