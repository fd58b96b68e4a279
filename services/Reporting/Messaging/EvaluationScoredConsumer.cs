using System.Globalization;
using MassTransit;
using PerfEval.Contracts.Events.V1;
using Grpc.Core;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Hosting.Evaluations;
using PerfEval.Messaging;
using PerfEval.Reporting.Api;
using PerfEval.Reporting.Application.Rendering;
using PerfEval.Reporting.Domain;
using PerfEval.Reporting.Storage;

namespace PerfEval.Reporting.Messaging;

/// <summary>
/// Renders and stores a report version (xlsx, docx, html, markdown) for each new scorecard version.
/// EvaluationScored carries the whole scorecard, so a stale or repeated event (an older scorecard
/// version) is simply skipped. Money comes from the ledger's fund metrics at the ledger version the
/// scorecard was computed from (so figures and scores agree), its reconciliation findings and the
/// indicator service's findings at their latest; a source that has nothing (NotFound) leaves its part
/// of the report at 暂无数据.
/// </summary>
public sealed class EvaluationScoredConsumer(LedgerService.LedgerServiceClient ledger, IndicatorService.IndicatorServiceClient indicator, ReportStore store, ReportTemplates templates,
    IConfiguration configuration, ILogger<EvaluationScoredConsumer> logger) : IConsumer<EvaluationScored>
{
    /// <summary>Reports are dated in China Standard Time.</summary>
    static readonly TimeSpan ChinaStandardTime = TimeSpan.FromHours(8);

    public async Task Consume(ConsumeContext<EvaluationScored> context)
    {
        var scored = context.Message;
        var key = scored.Evaluation;
        var evaluationKey = EvaluationKeys.Format(key);
        using var _ = Serilog.Context.LogContext.PushProperty("EvaluationKey", evaluationKey);
        if (scored.ScorecardVersion <= await store.RenderedScorecardVersionAsync(evaluationKey, context.CancellationToken))
            return;

        var ct = context.CancellationToken;
        var balances = await ledger.GetBalancesAsync(new GetBalancesRequest { Evaluation = key }, deadline: Soon(), cancellationToken: ct);
        var metrics = await OrNull(() => ledger.GetFundMetricsAsync(new GetFundMetricsRequest { Evaluation = key, AsOfLedgerVersion = scored.LedgerVersion },
            deadline: Soon(), cancellationToken: ct).ResponseAsync);
        var ledgerFindings = await OrNull(() => ledger.GetReconciliationFindingsAsync(new GetReconciliationFindingsRequest { Evaluation = key },
            deadline: Soon(), cancellationToken: ct).ResponseAsync);
        var indicatorFindings = await OrNull(() => indicator.GetFindingsAsync(new GetFindingsRequest { Evaluation = key },
            deadline: Soon(), cancellationToken: ct).ResponseAsync);

        var model = ReportModelBuilder.Build(new ReportSources(scored, balances, ReportDate(context))
        {
            ResponsibleUnit = configuration["Reporting:ResponsibleUnit"] ?? "",
            Metrics = metrics,
            LedgerFindings = ledgerFindings,
            IndicatorFindings = indicatorFindings is null ? null : new IndicatorFindings(indicatorFindings.ValueVersion,
                indicatorFindings.Findings.Select(f => ReportModelBuilder.IndicatorFinding(IndicatorFindingKind(f.Kind), f.IndicatorName, f.Unit,
                    f.DeclaredValue, f.ComputedValue, f.Difference, f.Message)).ToList()),
        });
        var rendered = ReportRenderer.Render(model, templates);
        if (rendered.ChartsError.Length > 0)
            logger.LogWarning("Report rendered without charts: {ChartsError}", rendered.ChartsError);

        var published = new ReportPublished
        {
            Evaluation = key,
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
        };
        var stored = await store.SaveAsync(published, rendered.Files, context.CancellationToken, model.Inputs);
        logger.LogInformation("Report version {ReportVersion} rendered from scorecard version {ScorecardVersion} and ledger version {LedgerVersion}",
            stored?.ReportVersion, scored.ScorecardVersion, model.Inputs.LedgerVersion);
    }

    static DateTime Soon() => DateTime.UtcNow.AddSeconds(30);

    /// <summary>The report's names of the indicator service's finding kinds.</summary>
    static string IndicatorFindingKind(Contracts.Indicator.V1.FindingKind kind) => kind switch
    {
        Contracts.Indicator.V1.FindingKind.DeclaredActualMismatch => "DECLARED_ACTUAL_MISMATCH",
        Contracts.Indicator.V1.FindingKind.DeclaredActualWithoutValue => "DECLARED_ACTUAL_WITHOUT_VALUE",
        Contracts.Indicator.V1.FindingKind.ZeroDenominator => "ZERO_DENOMINATOR",
        _ => "",
    };

    /// <summary>
    /// A source that does not know the evaluation (NotFound) or cannot read at that version
    /// (InvalidArgument, e.g. a ledger version not reached yet) gives no data; other errors are
    /// retried by the bus like any failure.
    /// </summary>
    async Task<T?> OrNull<T>(Func<Task<T>> call) where T : class
    {
        try { return await call(); }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.NotFound or StatusCode.InvalidArgument or StatusCode.Unimplemented)
        {
            logger.LogWarning("Report source answered {StatusCode}: {Detail}; its figures show as 暂无数据", ex.StatusCode, ex.Status.Detail);
            return null;
        }
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
