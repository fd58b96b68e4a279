using Grpc.Core;
using PerfEval.Contracts.Scoring.V1;
using PerfEval.Hosting.Errors;
using PerfEval.Hosting.Evaluations;
using PerfEval.Scoring.Storage;

namespace PerfEval.Scoring.Api;

public sealed class ScoringApi(ScoringStore store) : ScoringService.ScoringServiceBase
{
    public override async Task<GetScorecardResponse> GetScorecard(GetScorecardRequest request, ServerCallContext context)
    {
        var violations = new FieldViolations();
        EvaluationKeys.Validate(request.Evaluation, "evaluation", violations);
        violations.ThrowIfAny();
        var key = EvaluationKeys.Format(request.Evaluation);
        return await store.GetLatestAsync(key, context.CancellationToken) ?? throw RpcErrors.NotFound($"no scorecard for {key} yet");
    }
}
