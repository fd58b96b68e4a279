using Google.Protobuf;
using Grpc.Core;
using PerfEval.Contracts.Reporting.V1;
using PerfEval.SharedKernel.Errors;
using PerfEval.Hosting.Evaluations;
using PerfEval.Reporting.Application;
using PerfEval.Reporting.Domain;
using PerfEval.Reporting.Storage;

namespace PerfEval.Reporting.Api;

public sealed class ReportingApi(ReportStore store, EvaluationTextsEditing texts) : ReportingService.ReportingServiceBase
{
    public override Task<GetEvaluationTextsResponse> GetEvaluationTexts(GetEvaluationTextsRequest request, ServerCallContext context)
    {
        EvaluationTextsRequests.Validate(request);
        return texts.GetAsync(request.Evaluation, context.CancellationToken);
    }

    public override Task<UpdateEvaluationTextsResponse> UpdateEvaluationTexts(UpdateEvaluationTextsRequest request, ServerCallContext context)
    {
        EvaluationTextsRequests.Validate(request);
        return texts.UpdateAsync(request, context.CancellationToken);
    }

    const int DefaultPageSize = 50;
    const int MaxPageSize = 500;
    const int ChunkSize = 64 * 1024;

    public override async Task<ListReportVersionsResponse> ListReportVersions(ListReportVersionsRequest request, ServerCallContext context)
    {
        var violations = new FieldViolations();
        EvaluationKeys.Validate(request.Evaluation, "evaluation", violations);
        if (request.PageSize is < 0 or > MaxPageSize)
            violations.Add("page_size", $"must be 0 (default {DefaultPageSize}) to {MaxPageSize}");
        // The page token is the version to continue below; opaque to callers, but checked.
        long before = long.MaxValue;
        if (request.PageToken.Length > 0 && (!long.TryParse(request.PageToken, out before) || before <= 0))
            violations.Add("page_token", "is not a token from a previous response");
        violations.ThrowIfAny();

        var size = request.PageSize == 0 ? DefaultPageSize : request.PageSize;
        var versions = await store.ListAsync(EvaluationKeys.Format(request.Evaluation), before, size + 1, context.CancellationToken);
        var response = new ListReportVersionsResponse { Versions = { versions.Take(size) } };
        if (versions.Count > size)
            response.NextPageToken = versions[size - 1].ReportVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return response;
    }

    public override async Task DownloadReport(DownloadReportRequest request, IServerStreamWriter<DownloadReportResponse> responseStream,
        ServerCallContext context)
    {
        var violations = new FieldViolations();
        EvaluationKeys.Validate(request.Evaluation, "evaluation", violations);
        if (request.ReportVersion < 0)
            violations.Add("report_version", "must be 0 (latest) or a version number");
        if (!ReportFileFormats.IsKnown(request.Format))
            violations.Add("format", "must be REPORT_FILE_FORMAT_XLSX, _DOCX, _HTML or _MARKDOWN");
        violations.ThrowIfAny();

        var key = EvaluationKeys.Format(request.Evaluation);
        var format = ReportFileFormats.Name(request.Format);
        var (version, file) = await store.FindFileAsync(key, request.ReportVersion, format, context.CancellationToken)
            ?? throw new NotFoundException($"no {format} report version {request.ReportVersion} for {key}");

        for (var offset = 0; offset == 0 || offset < file.Content.Length; offset += ChunkSize)
        {
            var chunk = new DownloadReportResponse
            {
                ReportVersion = version,
                Chunk = ByteString.CopyFrom(file.Content, offset, Math.Min(ChunkSize, file.Content.Length - offset)),
            };
            if (offset == 0)
                chunk.Format = new Contracts.Events.V1.ReportFormat { Format = request.Format, Sha256 = file.Sha256, SizeBytes = file.Content.Length };
            await responseStream.WriteAsync(chunk, context.CancellationToken);
        }
    }
}
