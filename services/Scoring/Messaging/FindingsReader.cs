using Grpc.Core;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Scoring.Domain;

namespace PerfEval.Scoring.Messaging;

/// <summary>What a scorecard lists beside its scores: the indicator service's reconciliation findings and the ledger's unbudgeted spending.</summary>
public sealed class FindingsReader(IndicatorService.IndicatorServiceClient indicators, LedgerService.LedgerServiceClient ledger)
{
    public async Task<GetFindingsResponse> ReadAsync(EvaluationKey key, CancellationToken cancellationToken)
    {
        var findings = await indicators.GetFindingsAsync(new GetFindingsRequest { Evaluation = key },
            deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: cancellationToken);
        GetReconciliationFindingsResponse? ledgerFindings = null;
        try
        {
            ledgerFindings = await ledger.GetReconciliationFindingsAsync(new GetReconciliationFindingsRequest { Evaluation = key },
                deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            // Values computed without a ledger subject have no ledger findings; the scores do not depend on them.
        }
        return IndicatorInputs.WithLedgerFindings(findings, ledgerFindings);
    }
}
