using Grpc.Core;
using Npgsql;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Hosting.Errors;
using PerfEval.Hosting.Evaluations;
using PerfEval.Ledger.Domain;
using PerfEval.Ledger.Storage;
using Serilog.Context;

namespace PerfEval.Ledger.Api;

/// <summary>gRPC surface of the ledger: validates every field, then lets the store commit all or nothing.</summary>
public sealed class LedgerApi(LedgerStore store, ILogger<LedgerApi> logger) : LedgerService.LedgerServiceBase
{
    public override async Task<CreateEvaluationSubjectResponse> CreateEvaluationSubject(CreateEvaluationSubjectRequest request,
        ServerCallContext context)
    {
        SubjectRules.Validate(request).ThrowIfAny();
        var subject = await store.CreateSubjectAsync(request, context.CancellationToken);
        return new CreateEvaluationSubjectResponse { Subject = subject };
    }

    public override async Task<PostEntriesResponse> PostEntries(PostEntriesRequest request, ServerCallContext context)
    {
        var accounts = await store.AccountCodesAsync(context.CancellationToken);
        JournalRules.Validate(request, accounts).ThrowIfAny();
        using var _ = LogContext.PushProperty("EvaluationKey", EvaluationKeys.Format(request.Evaluation));

        // Two batches racing to insert the same new entry id for different evaluations: the loser
        // retries once and then sees the winner's entry as earlier content.
        try
        {
            return await Posted(await store.PostEntriesAsync(request, context.CancellationToken));
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return await Posted(await store.PostEntriesAsync(request, context.CancellationToken));
        }

        Task<PostEntriesResponse> Posted(PostEntriesResponse response)
        {
            logger.LogInformation("Posted {EntryCount} entries ({Replayed} replayed) at ledger version {LedgerVersion}",
                response.Results.Count, response.Results.Count(r => r.Replayed), response.LedgerVersion);
            return Task.FromResult(response);
        }
    }

    public override async Task<SetBudgetResponse> SetBudget(SetBudgetRequest request, ServerCallContext context)
    {
        var accounts = await store.AccountCodesAsync(context.CancellationToken);
        SubjectRules.Validate(request, accounts).ThrowIfAny();
        using var _ = LogContext.PushProperty("EvaluationKey", EvaluationKeys.Format(request.Evaluation));
        var response = await store.SetBudgetAsync(request, context.CancellationToken);
        logger.LogInformation("Budget of {AccountCode} set to {BudgetFen} fen at ledger version {LedgerVersion}",
            request.AccountCode, request.BudgetFen, response.LedgerVersion);
        return response;
    }

    public override async Task<GetBalancesResponse> GetBalances(GetBalancesRequest request, ServerCallContext context)
    {
        var violations = new FieldViolations();
        EvaluationKeys.Validate(request.Evaluation, "evaluation", violations);
        violations.ThrowIfAny();
        return await store.GetBalancesAsync(request.Evaluation, context.CancellationToken);
    }
}
