using Google.Protobuf;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Scoring.V1;
using PerfEval.Hosting.Evaluations;
using PerfEval.Scoring.Domain;
using PerfEval.Scoring.Storage;
using PerfEval.SharedKernel.Errors;

namespace PerfEval.Scoring.Application;

/// <summary>What a judgment submission answers: the scorecard version that includes it.</summary>
public sealed record JudgmentResult(long ScorecardVersion, string Total, string Grade);

/// <summary>
/// One path for every kind of judgment (assessment, override, deduction, deviation note): stored
/// (audited, with what it replaced) and the latest scorecard rescored with it, in one transaction.
/// </summary>
public sealed class JudgmentSubmission(ScoringStore store, ScorecardWriter writer)
{
    /// <summary>
    /// AIP-155: a repeated request id answers its first result; with another request it is refused.
    /// <paramref name="request"/> is the RPC's request message, hashed to tell a retry from a reuse.
    /// </summary>
    public async Task<JudgmentResult> SubmitAsync(EvaluationKey key, string requestId, IMessage request, Judgment judgment,
        CancellationToken cancellationToken)
    {
        var evaluationKey = EvaluationKeys.Format(key);
        // The state lock first: two submissions of one request id then meet in order, and the second replays.
        await using var transaction = await store.BeginAsync(evaluationKey, cancellationToken);
        // Every judgment RPC answers the same three fields, so one message shape stores them all.
        if (await transaction.ReplayAsync(requestId, request, SubmitAssessmentResponse.Parser, cancellationToken) is { } first)
            return new JudgmentResult(first.ScorecardVersion, first.Total, first.Grade);

        var latest = await transaction.LatestAsync(cancellationToken);
        if (latest is not { System: { } system, Values: { } values })
            throw new NotFoundException($"no scorecard for {evaluationKey} yet: judgments need the scored system");
        if (ScoringInputsBuilder.Check(system, judgment) is { } problem)
        {
            if (problem.Field == "indicator_code" && !system.Indicators.Any(d => d.Code == judgment.IndicatorCode))
                throw new NotFoundException(problem.Description);
            throw new InvalidRequestException(problem.Field, problem.Description);
        }

        if (judgment.Kind == Domain.JudgmentKind.Refusal
            && latest.Scored?.Items.FirstOrDefault(i => i.IndicatorCode == judgment.IndicatorCode) is { } scoredItem
            && scoredItem.ValueOrigin != Contracts.Events.V1.ScoredValueOrigin.Declared)
            throw new PreconditionFailedException(
                $"{judgment.IndicatorCode} is not scored on a declared value (it is {scoredItem.ValueOrigin}): only a declared value can be refused",
                "NOT_A_DECLARED_VALUE");
        if (judgment.Kind == Domain.JudgmentKind.RefusalWithdrawal
            && !Judgment.RefusalsIn(await transaction.JudgmentsAsync(cancellationToken)).ContainsKey(judgment.IndicatorCode))
            throw new PreconditionFailedException($"{judgment.IndicatorCode} has no refusal to withdraw", "NO_REFUSAL");

        var replaces = Judgment.Replaces(judgment.Kind)
            ? await transaction.LatestJudgmentIdAsync(judgment.IndicatorCode, judgment.Kind, cancellationToken)
            : null;
        await transaction.InsertJudgmentAsync(judgment, requestId, replaces, cancellationToken);

        var judgments = await transaction.JudgmentsAsync(cancellationToken);
        var scored = writer.Compute(key, system, values, latest.Findings, judgments);
        var newVersion = await ScorecardWriter.SaveIfChangedAsync(transaction, scored, system, values, latest.Findings, cancellationToken);
        if (newVersion is { } v)
            await transaction.SetScorecardVersionAsync(v, cancellationToken);

        var result = new JudgmentResult(newVersion ?? transaction.ScorecardVersion, scored.Total, scored.Grade);
        await transaction.RememberAsync(requestId, request,
            new SubmitAssessmentResponse { ScorecardVersion = result.ScorecardVersion, Total = result.Total, Grade = result.Grade },
            cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }
}
