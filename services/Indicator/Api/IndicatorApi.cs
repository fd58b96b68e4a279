using Grpc.Core;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Hosting.Errors;
using PerfEval.Hosting.Evaluations;
using PerfEval.Indicator.Storage;

namespace PerfEval.Indicator.Api;

public sealed class IndicatorApi(IndicatorStore store) : IndicatorService.IndicatorServiceBase
{
    public override async Task<GetIndicatorValuesResponse> GetIndicatorValues(GetIndicatorValuesRequest request, ServerCallContext context)
    {
        var violations = new FieldViolations();
        EvaluationKeys.Validate(request.Evaluation, "evaluation", violations);
        violations.ThrowIfAny();
        var key = EvaluationKeys.Format(request.Evaluation);
        return await store.GetLatestAsync(key, context.CancellationToken)
            ?? throw RpcErrors.NotFound($"no indicator values for {key} yet");
    }

    public override Task<GetEvaluationSystemResponse> GetEvaluationSystem(GetEvaluationSystemRequest request, ServerCallContext context)
    {
        var violations = new FieldViolations();
        EvaluationKeys.Validate(request.Evaluation, "evaluation", violations);
        violations.ThrowIfAny();
        return Task.FromResult(new GetEvaluationSystemResponse { System = Domain.SkeletonSystem.Definition });
    }
}
