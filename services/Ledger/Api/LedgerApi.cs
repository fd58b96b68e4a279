using Grpc.Core;
using Npgsql;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Hosting.Errors;
using PerfEval.SharedKernel.Errors;
using PerfEval.Hosting.Evaluations;
using PerfEval.Hosting.Security;
using PerfEval.Ledger.Application.Regions;
using PerfEval.Ledger.Domain;
using PerfEval.Ledger.Storage;
using Serilog.Context;

namespace PerfEval.Ledger.Api;

/// <summary>gRPC surface of the ledger: validates every field, then lets the store commit all or nothing.</summary>
public sealed class LedgerApi(LedgerStore store, RegionAdministration regions, ILogger<LedgerApi> logger) : LedgerService.LedgerServiceBase
{
    /// <summary>The authenticated caller (the token's subject), stored with every write.</summary>
    static string Caller(ServerCallContext context) => Callers.Identity(context);

    public override async Task<CreateEvaluationSubjectResponse> CreateEvaluationSubject(CreateEvaluationSubjectRequest request,
        ServerCallContext context)
    {
        SubjectRules.Validate(request).ThrowIfAny();
        var subject = await store.CreateSubjectAsync(request, context.CancellationToken);
        return new CreateEvaluationSubjectResponse { Subject = subject };
    }

    public override async Task<PostEntriesResponse> PostEntries(PostEntriesRequest request, ServerCallContext context)
    {
        var accounts = await store.AccountCodesAsync(request.Entries.SelectMany(e => e.Lines).Select(l => l.AccountCode), context.CancellationToken);
        JournalRules.Validate(request, accounts).ThrowIfAny();
        using var _ = LogContext.PushProperty("EvaluationKey", EvaluationKeys.Format(request.Evaluation));
        var response = await PostWithRetryAsync(request, Caller(context), "", context.CancellationToken);
        logger.LogInformation("Posted {EntryCount} entries ({Replayed} replayed) at ledger version {LedgerVersion}",
            response.Results.Count, response.Results.Count(r => r.Replayed), response.LedgerVersion);
        return response;
    }

    /// <summary>
    /// Two batches racing to insert the same new entry id for different evaluations: the loser
    /// retries once and then sees the winner's entry as earlier content.
    /// </summary>
    async Task<PostEntriesResponse> PostWithRetryAsync(PostEntriesRequest request, string caller, string prefix, CancellationToken cancellationToken,
        byte[][]? hashes = null)
    {
        try
        {
            return await store.PostEntriesAsync(request, caller, cancellationToken, prefix, hashes);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return await store.PostEntriesAsync(request, caller, cancellationToken, prefix, hashes);
        }
    }

    public override async Task StreamPostEntries(IAsyncStreamReader<StreamPostEntriesRequest> requestStream,
        IServerStreamWriter<StreamPostEntriesResponse> responseStream, ServerCallContext context)
    {
        var caller = Caller(context);
        var cancellationToken = context.CancellationToken;
        // Reading and validating the next chunk overlaps with committing the current one; a bad
        // chunk travels down the pipe as its error, so every chunk before it is still committed
        // and acknowledged first. The content hashes are computed on this side of the pipe too.
        var pipe = System.Threading.Channels.Channel.CreateBounded<(StreamPostEntriesRequest? Chunk, byte[][]? Hashes, RpcException? Error)>(2);
        var reading = Task.Run(async () =>
        {
            try
            {
                await foreach (var chunk in requestStream.ReadAllAsync(cancellationToken))
                {
                    var error = await ValidateChunkAsync(chunk, cancellationToken);
                    var hashes = error is null ? JournalRules.ContentHashes(chunk.Batch) : null;
                    await pipe.Writer.WriteAsync((chunk, hashes, error), cancellationToken);
                    if (error is not null)
                        break;
                }
                pipe.Writer.Complete();
            }
            catch (Exception ex)
            {
                pipe.Writer.Complete(ex);
            }
        }, cancellationToken);

        long chunks = 0, entries = 0;
        await foreach (var (chunk, hashes, error) in pipe.Reader.ReadAllAsync(cancellationToken))
        {
            if (error is not null)
                throw error;
            var posted = await PostWithRetryAsync(chunk!.Batch, caller, $"chunks[{chunk.Sequence}].", cancellationToken, hashes);
            var replayed = posted.Results.Count(r => r.Replayed);
            await responseStream.WriteAsync(new StreamPostEntriesResponse
            {
                Sequence = chunk.Sequence,
                LedgerVersion = posted.LedgerVersion,
                Stored = posted.Results.Count - replayed,
                Replayed = replayed,
            }, cancellationToken);
            chunks++;
            entries += posted.Results.Count;
        }
        await reading;
        logger.LogInformation("Streamed {ChunkCount} chunks with {EntryCount} entries", chunks, entries);
    }

    async Task<RpcException?> ValidateChunkAsync(StreamPostEntriesRequest chunk, CancellationToken cancellationToken)
    {
        var prefix = $"chunks[{chunk.Sequence}].";
        if (chunk.Batch is null)
            return RpcErrors.InvalidArgument([new FieldViolation($"{prefix}batch", "is required")]);
        var accounts = await store.AccountCodesAsync(chunk.Batch.Entries.SelectMany(e => e.Lines).Select(l => l.AccountCode), cancellationToken);
        var violations = JournalRules.Validate(chunk.Batch, accounts);
        return violations.Any ? RpcErrors.InvalidArgument(violations.Items.Select(v => v with { Field = prefix + v.Field }).ToList()) : null;
    }

    public override async Task<SetBudgetResponse> SetBudget(SetBudgetRequest request, ServerCallContext context)
    {
        var accounts = await store.AccountCodesAsync([request.AccountCode], context.CancellationToken);
        SubjectRules.Validate(request, accounts).ThrowIfAny();
        using var _ = LogContext.PushProperty("EvaluationKey", EvaluationKeys.Format(request.Evaluation));
        var response = await store.SetBudgetAsync(request, Caller(context), context.CancellationToken);
        logger.LogInformation("Budget of {AccountCode} set to {BudgetFen} fen ({BudgetKind}) at ledger version {LedgerVersion}",
            request.AccountCode, request.BudgetFen, request.Kind, response.LedgerVersion);
        return response;
    }

    public override async Task<GetBalancesResponse> GetBalances(GetBalancesRequest request, ServerCallContext context)
    {
        var violations = new FieldViolations();
        EvaluationKeys.Validate(request.Evaluation, "evaluation", violations);
        violations.ThrowIfAny();
        return await store.GetBalancesAsync(request.Evaluation, context.CancellationToken);
    }

    public override async Task<GetFundMetricsResponse> GetFundMetrics(GetFundMetricsRequest request, ServerCallContext context)
    {
        RequestRules.Validate(request).ThrowIfAny();
        return await store.GetFundMetricsAsync(request, context.CancellationToken);
    }

    public override async Task<ReverseEntryResponse> ReverseEntry(ReverseEntryRequest request, ServerCallContext context)
    {
        RequestRules.Validate(request).ThrowIfAny();
        using var _ = LogContext.PushProperty("EvaluationKey", EvaluationKeys.Format(request.Evaluation));
        var response = await store.ReverseEntryAsync(request, Caller(context), context.CancellationToken);
        logger.LogInformation("Entry {ReversedEntryId} reversed by {ReversalEntryId} at ledger version {LedgerVersion}",
            request.ReversedEntryId, request.ReversalEntryId, response.LedgerVersion);
        return response;
    }

    public override async Task<CloseYearResponse> CloseYear(CloseYearRequest request, ServerCallContext context)
    {
        RequestRules.Validate(request).ThrowIfAny();
        using var _ = LogContext.PushProperty("EvaluationKey", EvaluationKeys.Format(request.Evaluation));
        var response = await store.CloseYearAsync(request.Evaluation, Caller(context), context.CancellationToken);
        logger.LogInformation("Closed the year carrying {CarriedBalanceFen} fen", response.CarriedBalanceFen);
        return response;
    }

    public override async Task<RecordTransferDocumentResponse> RecordTransferDocument(RecordTransferDocumentRequest request, ServerCallContext context)
    {
        RequestRules.Validate(request).ThrowIfAny();
        using var _ = LogContext.PushProperty("EvaluationKey", EvaluationKeys.Format(request.Evaluation));
        return await store.RecordTransferDocumentAsync(request, Caller(context), context.CancellationToken);
    }

    public override async Task<FileDeclaredFiguresResponse> FileDeclaredFigures(FileDeclaredFiguresRequest request, ServerCallContext context)
    {
        RequestRules.Validate(request).ThrowIfAny();
        using var _ = LogContext.PushProperty("EvaluationKey", EvaluationKeys.Format(request.Evaluation));
        return await store.FileDeclaredFiguresAsync(request, Caller(context), context.CancellationToken);
    }

    public override async Task<GetReconciliationFindingsResponse> GetReconciliationFindings(GetReconciliationFindingsRequest request,
        ServerCallContext context)
    {
        var violations = new FieldViolations();
        EvaluationKeys.Validate(request.Evaluation, "evaluation", violations);
        violations.ThrowIfAny();
        return await store.GetReconciliationFindingsAsync(request.Evaluation, context.CancellationToken);
    }

    public override async Task<ListRegionsResponse> ListRegions(ListRegionsRequest request, ServerCallContext context)
    {
        RequestRules.Validate(request).ThrowIfAny();
        return await regions.ListAsync(request, context.CancellationToken);
    }

    public override async Task<ListAccountsResponse> ListAccounts(ListAccountsRequest request, ServerCallContext context)
    {
        RequestRules.Validate(request).ThrowIfAny();
        return await store.ListAccountsAsync(request, context.CancellationToken);
    }

    public override async Task<AddAccountResponse> AddAccount(AddAccountRequest request, ServerCallContext context)
    {
        RequestRules.Validate(request).ThrowIfAny();
        return await store.AddAccountAsync(request, context.CancellationToken);
    }

    public override async Task<ListBudgetChangesResponse> ListBudgetChanges(ListBudgetChangesRequest request, ServerCallContext context)
    {
        RequestRules.Validate(request).ThrowIfAny();
        return await store.ListBudgetChangesAsync(request, context.CancellationToken);
    }
}
