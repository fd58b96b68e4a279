using PerfEval.Hosting.Requests;
using Grpc.Core;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.SharedKernel.Errors;
using PerfEval.Hosting.Evaluations;
using PerfEval.Hosting.Security;
using PerfEval.Ledger.Application;
using PerfEval.Ledger.Application.Regions;
using PerfEval.Ledger.Domain;
using Serilog.Context;

namespace PerfEval.Ledger.Api;

/// <summary>gRPC surface of the ledger: validates every field of a request, then hands it to its use case (Application), which commits all or nothing.</summary>
public sealed class LedgerApi(Journal journal, Budgets budgets, YearClosing yearClosing, TransferDocuments transfers, DeclaredFigures declaredFigures,
    FundFigures fundFigures, ReferenceData referenceData, RegionAdministration regions, ILogger<LedgerApi> logger) : LedgerService.LedgerServiceBase
{
    /// <summary>The authenticated caller (the token's subject), stored with every write.</summary>
    static string Caller(ServerCallContext context) => Callers.Identity(context);

    public override async Task<CreateEvaluationSubjectResponse> CreateEvaluationSubject(CreateEvaluationSubjectRequest request,
        ServerCallContext context)
    {
        NulCharacters.ThrowIfAny(request);
        SubjectRules.Validate(request).ThrowIfAny();
        var subject = await referenceData.CreateSubjectAsync(request, context.CancellationToken);
        return new CreateEvaluationSubjectResponse { Subject = subject };
    }

    public override async Task<PostEntriesResponse> PostEntries(PostEntriesRequest request, ServerCallContext context)
    {
        var accounts = await referenceData.AccountCodesAsync(request.Entries.SelectMany(e => e.Lines).Select(l => l.AccountCode), context.CancellationToken);
        JournalRules.Validate(request, accounts).ThrowIfAny();
        using var _ = LogContext.PushProperty("EvaluationKey", EvaluationKeys.Format(request.Evaluation));
        var response = await journal.PostAsync(request, Caller(context), "", null, context.CancellationToken);
        logger.LogInformation("Posted {EntryCount} entries ({Replayed} replayed) at ledger version {LedgerVersion}",
            response.Results.Count, response.Results.Count(r => r.Replayed), response.LedgerVersion);
        return response;
    }

    public override async Task StreamPostEntries(IAsyncStreamReader<StreamPostEntriesRequest> requestStream,
        IServerStreamWriter<StreamPostEntriesResponse> responseStream, ServerCallContext context)
    {
        var caller = Caller(context);
        var cancellationToken = context.CancellationToken;
        // Reading and validating the next chunk overlaps with committing the current one; a bad
        // chunk travels down the pipe as its error, so every chunk before it is still committed
        // and acknowledged first. The content hashes are computed on this side of the pipe too.
        var pipe = System.Threading.Channels.Channel.CreateBounded<(StreamPostEntriesRequest? Chunk, byte[][]? Hashes, InvalidRequestException? Error)>(2);
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
            var posted = await journal.PostAsync(chunk!.Batch, caller, $"chunks[{chunk.Sequence}].", hashes, cancellationToken);
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

    async Task<InvalidRequestException?> ValidateChunkAsync(StreamPostEntriesRequest chunk, CancellationToken cancellationToken)
    {
        var prefix = $"chunks[{chunk.Sequence}].";
        if (chunk.Batch is null)
            return new InvalidRequestException($"{prefix}batch", "is required");
        var accounts = await referenceData.AccountCodesAsync(chunk.Batch.Entries.SelectMany(e => e.Lines).Select(l => l.AccountCode), cancellationToken);
        var violations = JournalRules.Validate(chunk.Batch, accounts);
        return violations.Any ? new InvalidRequestException(violations.Items.Select(v => v with { Field = prefix + v.Field }).ToList()) : null;
    }

    public override async Task<SetBudgetResponse> SetBudget(SetBudgetRequest request, ServerCallContext context)
    {
        NulCharacters.ThrowIfAny(request);
        // A budget may sit on a group too (基金收入 "4" as the summary table budgets it): it covers every
        // account under it (FundMetrics). Postings stay on postable accounts only.
        var accounts = await referenceData.ChartCodesAsync(context.CancellationToken);
        SubjectRules.Validate(request, accounts).ThrowIfAny();
        using var _ = LogContext.PushProperty("EvaluationKey", EvaluationKeys.Format(request.Evaluation));
        var response = await budgets.SetAsync(request, Caller(context), context.CancellationToken);
        logger.LogInformation("Budget of {AccountCode} set to {BudgetFen} fen ({BudgetKind}) at ledger version {LedgerVersion}",
            request.AccountCode, request.BudgetFen, request.Kind, response.LedgerVersion);
        return response;
    }

    public override async Task<GetBalancesResponse> GetBalances(GetBalancesRequest request, ServerCallContext context)
    {
        NulCharacters.ThrowIfAny(request);
        var violations = new FieldViolations();
        EvaluationKeys.Validate(request.Evaluation, "evaluation", violations);
        violations.ThrowIfAny();
        return await journal.BalancesAsync(request.Evaluation, context.CancellationToken);
    }

    public override async Task<GetFundMetricsResponse> GetFundMetrics(GetFundMetricsRequest request, ServerCallContext context)
    {
        NulCharacters.ThrowIfAny(request);
        RequestRules.Validate(request).ThrowIfAny();
        return await fundFigures.MetricsAsync(request, context.CancellationToken);
    }

    public override async Task<ReverseEntryResponse> ReverseEntry(ReverseEntryRequest request, ServerCallContext context)
    {
        NulCharacters.ThrowIfAny(request);
        RequestRules.Validate(request).ThrowIfAny();
        using var _ = LogContext.PushProperty("EvaluationKey", EvaluationKeys.Format(request.Evaluation));
        var response = await journal.ReverseAsync(request, Caller(context), context.CancellationToken);
        logger.LogInformation("Entry {ReversedEntryId} reversed by {ReversalEntryId} at ledger version {LedgerVersion}",
            request.ReversedEntryId, request.ReversalEntryId, response.LedgerVersion);
        return response;
    }

    public override async Task<CloseYearResponse> CloseYear(CloseYearRequest request, ServerCallContext context)
    {
        NulCharacters.ThrowIfAny(request);
        RequestRules.Validate(request).ThrowIfAny();
        using var _ = LogContext.PushProperty("EvaluationKey", EvaluationKeys.Format(request.Evaluation));
        var response = await yearClosing.CloseAsync(request.Evaluation, Caller(context), context.CancellationToken);
        logger.LogInformation("Closed the year carrying {CarriedBalanceFen} fen", response.CarriedBalanceFen);
        return response;
    }

    public override async Task<RecordTransferDocumentResponse> RecordTransferDocument(RecordTransferDocumentRequest request, ServerCallContext context)
    {
        NulCharacters.ThrowIfAny(request);
        RequestRules.Validate(request).ThrowIfAny();
        using var _ = LogContext.PushProperty("EvaluationKey", EvaluationKeys.Format(request.Evaluation));
        return await transfers.RecordAsync(request, Caller(context), context.CancellationToken);
    }

    public override async Task<FileDeclaredFiguresResponse> FileDeclaredFigures(FileDeclaredFiguresRequest request, ServerCallContext context)
    {
        NulCharacters.ThrowIfAny(request);
        RequestRules.Validate(request).ThrowIfAny();
        using var _ = LogContext.PushProperty("EvaluationKey", EvaluationKeys.Format(request.Evaluation));
        return await declaredFigures.FileAsync(request, Caller(context), context.CancellationToken);
    }

    public override async Task<GetReconciliationFindingsResponse> GetReconciliationFindings(GetReconciliationFindingsRequest request,
        ServerCallContext context)
    {
        NulCharacters.ThrowIfAny(request);
        var violations = new FieldViolations();
        EvaluationKeys.Validate(request.Evaluation, "evaluation", violations);
        violations.ThrowIfAny();
        return await fundFigures.ReconciliationFindingsAsync(request.Evaluation, context.CancellationToken);
    }

    public override async Task<ListRegionsResponse> ListRegions(ListRegionsRequest request, ServerCallContext context)
    {
        NulCharacters.ThrowIfAny(request);
        RequestRules.Validate(request).ThrowIfAny();
        return await regions.ListAsync(request, context.CancellationToken);
    }

    public override async Task<ListAccountsResponse> ListAccounts(ListAccountsRequest request, ServerCallContext context)
    {
        NulCharacters.ThrowIfAny(request);
        RequestRules.Validate(request).ThrowIfAny();
        return await referenceData.ListAccountsAsync(request, context.CancellationToken);
    }

    public override async Task<AddAccountResponse> AddAccount(AddAccountRequest request, ServerCallContext context)
    {
        NulCharacters.ThrowIfAny(request);
        RequestRules.Validate(request).ThrowIfAny();
        return await referenceData.AddAccountAsync(request, context.CancellationToken);
    }

    public override async Task<ListBudgetChangesResponse> ListBudgetChanges(ListBudgetChangesRequest request, ServerCallContext context)
    {
        NulCharacters.ThrowIfAny(request);
        RequestRules.Validate(request).ThrowIfAny();
        return await budgets.ChangesAsync(request, context.CancellationToken);
    }
}
