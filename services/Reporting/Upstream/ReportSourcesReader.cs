using Grpc.Core;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Reporting.Domain;

namespace PerfEval.Reporting.Upstream;

/// <summary>What the ledger and indicator services know of one evaluation; a null part shows as 暂无数据.</summary>
public sealed record UpstreamReportSources(
    GetBalancesResponse Balances,
    GetFundMetricsResponse? Metrics,
    GetReconciliationFindingsResponse? LedgerFindings,
    IndicatorFindings? IndicatorFindings);

/// <summary>
/// The gRPC reads a report needs. Money comes from the ledger's fund metrics at the ledger version the
/// scorecard was computed from (so figures and scores agree), its reconciliation findings and the
/// indicator service's findings at their latest.
/// </summary>
public sealed class ReportSourcesReader(LedgerService.LedgerServiceClient ledger, IndicatorService.IndicatorServiceClient indicator,
    ILogger<ReportSourcesReader> logger)
{
    /// <summary>
    /// The balances are required: their failure (an unknown evaluation included) propagates as the
    /// ledger's own RpcException, which the bus's UnknownEvaluationFilter recognises.
    /// </summary>
    public async Task<UpstreamReportSources> ReadAsync(EvaluationKey key, long ledgerVersion, CancellationToken ct)
    {
        var balances = await ledger.GetBalancesAsync(new GetBalancesRequest { Evaluation = key }, deadline: Soon(), cancellationToken: ct);
        var metrics = await OrNull(() => ledger.GetFundMetricsAsync(new GetFundMetricsRequest { Evaluation = key, AsOfLedgerVersion = ledgerVersion },
            deadline: Soon(), cancellationToken: ct).ResponseAsync);
        var ledgerFindings = await OrNull(() => ledger.GetReconciliationFindingsAsync(new GetReconciliationFindingsRequest { Evaluation = key },
            deadline: Soon(), cancellationToken: ct).ResponseAsync);
        var indicatorFindings = await OrNull(() => indicator.GetFindingsAsync(new GetFindingsRequest { Evaluation = key },
            deadline: Soon(), cancellationToken: ct).ResponseAsync);
        return new UpstreamReportSources(balances, metrics, ledgerFindings, indicatorFindings is null ? null : new IndicatorFindings(indicatorFindings.ValueVersion,
            indicatorFindings.Findings.Select(f => ReportModelBuilder.IndicatorFinding(IndicatorFindingKind(f.Kind), f.IndicatorName, f.Unit,
                f.DeclaredValue, f.ComputedValue, f.Difference, f.MissingInputs) with { IndicatorCode = f.IndicatorCode }).ToList()));
    }

    static DateTime Soon() => DateTime.UtcNow.AddSeconds(30);

    /// <summary>The report's names of the indicator service's finding kinds.</summary>
    static string IndicatorFindingKind(Contracts.Indicator.V1.FindingKind kind) => kind switch
    {
        Contracts.Indicator.V1.FindingKind.DeclaredActualMismatch => "DECLARED_ACTUAL_MISMATCH",
        Contracts.Indicator.V1.FindingKind.DeclaredActualWithoutValue => "DECLARED_ACTUAL_WITHOUT_VALUE",
        Contracts.Indicator.V1.FindingKind.ZeroDenominator => "ZERO_DENOMINATOR",
        Contracts.Indicator.V1.FindingKind.SurveyWithoutRespondents => "SURVEY_WITHOUT_RESPONDENTS",
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
}
