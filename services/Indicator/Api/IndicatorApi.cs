using PerfEval.Hosting.Errors;
using PerfEval.Client;
using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.SharedKernel.Errors;
using PerfEval.SharedKernel.Requests;
using PerfEval.Hosting.Evaluations;
using PerfEval.Hosting.Paging;
using PerfEval.Indicator.Domain;
using PerfEval.Indicator.Application;
using PerfEval.Indicator.Storage;

namespace PerfEval.Indicator.Api;

public sealed class IndicatorApi(IndicatorStore store, SystemCatalog systems, IndicatorWrites writes, EvaluationTableStore tables)
    : IndicatorService.IndicatorServiceBase
{
    public override async Task<GetIndicatorValuesResponse> GetIndicatorValues(GetIndicatorValuesRequest request, ServerCallContext context)
    {
        var key = ValidEvaluation(request.Evaluation, "evaluation");
        return await store.GetLatestAsync(key, context.CancellationToken)
            ?? throw NotFoundException.Evaluation(key);
    }

    public override async Task<GetEvaluationSystemResponse> GetEvaluationSystem(GetEvaluationSystemRequest request, ServerCallContext context)
    {
        var key = ValidEvaluation(request.Evaluation, "evaluation");
        var system = await systems.ResolveAsync(key, context.CancellationToken);
        return new GetEvaluationSystemResponse { System = system };
    }

    public override async Task<DefineSystemResponse> DefineSystem(DefineSystemRequest request, ServerCallContext context)
    {
        RequireNationalScopeForNationalTemplate(request.RegionCode, context);
        var violations = new FieldViolations();
        RequestIdRule.Validate(request.RequestId, violations);
        if (request.System is null)
            violations.Add("system", "required");
        Publisher(request.RegionCode, violations);
        violations.ThrowIfAny();
        return new DefineSystemResponse
        {
            System = await DefineAsync(request.RequestId, request, request.System!, "system.", request.RegionCode, context.CancellationToken),
        };
    }

    public override async Task<ImportSystemResponse> ImportSystem(ImportSystemRequest request, ServerCallContext context)
    {
        RequireNationalScopeForNationalTemplate(request.RegionCode, context);
        var violations = new FieldViolations();
        RequestIdRule.Validate(request.RequestId, violations);
        if (string.IsNullOrWhiteSpace(request.FileText))
            violations.Add("file_text", "required");
        Publisher(request.RegionCode, violations);
        violations.ThrowIfAny();
        IndicatorSystem system;
        try
        {
            system = SystemFiles.Read(request.FileText);
        }
        catch (SystemValidationException e)
        {
            throw Invalid(e, "file_text.");
        }
        return new ImportSystemResponse
        {
            System = await DefineAsync(request.RequestId, request, system, "file_text.", request.RegionCode, context.CancellationToken),
        };
    }

    static void Publisher(string regionCode, FieldViolations violations)
    {
        if (regionCode.Length > 0 && EvaluationKeys.CheckRegionCode(regionCode) is { } problem)
            violations.Add("region_code", problem);
    }

    /// <summary>
    /// A template without a publishing region is national: only a caller for every region may publish
    /// it. A regional one is checked by the region-scope interceptor like any region_code field.
    /// </summary>
    static void RequireNationalScopeForNationalTemplate(string regionCode, ServerCallContext context)
    {
        if (regionCode.Length > 0)
            return;
        var claim = context.GetHttpContext().User.FindFirst(AccessTokens.RegionClaim)?.Value;
        if (AccessTokens.RegionPrefix(claim) != "")
            throw RpcErrors.PermissionDenied(
                $"{context.Method} without region_code publishes a national template; it needs a token for every region (\"{AccessTokens.RegionClaim}\": \"*\"), or set region_code to the region publishing it",
                "NATIONAL_SCOPE_REQUIRED", new Dictionary<string, string> { ["method"] = context.Method, ["caller_region"] = claim ?? "" });
    }

    async Task<IndicatorSystem> DefineAsync(string requestId, IMessage request, IndicatorSystem system, string prefix, string publisher,
        CancellationToken cancellationToken)
    {
        CompiledSystem compiled;
        try
        {
            compiled = CompiledSystem.Compile(system);
        }
        catch (SystemValidationException e)
        {
            throw Invalid(e, prefix);
        }
        return await store.DefineSystemAsync(requestId, request, compiled.System, publisher, cancellationToken);
    }

    static InvalidRequestException Invalid(SystemValidationException e, string prefix) =>
        new(e.Problems.Select(p => new FieldViolation(prefix + p.Field, p.Description)).ToList());

    public override async Task<ExportSystemResponse> ExportSystem(ExportSystemRequest request, ServerCallContext context)
    {
        var violations = new FieldViolations();
        if (string.IsNullOrEmpty(request.SystemCode))
            violations.Add("system_code", "required");
        if (request.Version < 0)
            violations.Add("version", "0 for the latest, or a version");
        if (!Enum.IsDefined(request.Format))
            violations.Add("format", "SYSTEM_FILE_FORMAT_YAML, SYSTEM_FILE_FORMAT_JSON or unspecified (YAML)");
        violations.ThrowIfAny();
        // An evaluation's own table belongs to its region: read it with GetEvaluationSystem, which checks the scope.
        if (request.SystemCode.StartsWith(CompiledSystem.TableCodePrefix, StringComparison.Ordinal))
            throw new NotFoundException($"no catalog system {request.SystemCode}; an evaluation's table is read with GetEvaluationSystem");
        var system = await systems.GetAsync(request.SystemCode, request.Version, context.CancellationToken);
        return new ExportSystemResponse
        {
            System = system,
            FileText = request.Format == SystemFileFormat.Json ? SystemFiles.WriteJson(system) : SystemFiles.WriteYaml(system),
        };
    }

    public override async Task<ListSystemsResponse> ListSystems(ListSystemsRequest request, ServerCallContext context)
    {
        var violations = new FieldViolations();
        if (!PageTokens.IsValidPageSize(request.PageSize))
            violations.Add("page_size", PageTokens.PageSizeRule);
        var after = SystemPageKey.Parse(request.PageToken);
        if (after is null)
            violations.Add("page_token", PageTokens.PageTokenRule);
        violations.ThrowIfAny();
        var size = PageTokens.PageSize(request.PageSize);
        var systems = await store.ListSystemsAsync(request.SubjectKind, after!.Value, size + 1, context.CancellationToken);
        var response = new ListSystemsResponse();
        response.Systems.AddRange(systems.Take(size));
        if (systems.Count > size)
            response.NextPageToken = SystemPageKey.Format(response.Systems[^1]);
        return response;
    }

    public override async Task<BindEvaluationSystemResponse> BindEvaluationSystem(BindEvaluationSystemRequest request, ServerCallContext context)
    {
        var violations = new FieldViolations();
        RequestIdRule.Validate(request.RequestId, violations);
        EvaluationKeys.Validate(request.Evaluation, "evaluation", violations);
        if (string.IsNullOrEmpty(request.SystemCode))
            violations.Add("system_code", "required");
        else if (request.SystemCode.StartsWith(CompiledSystem.TableCodePrefix, StringComparison.Ordinal))
            violations.Add("system_code", "an evaluation's own table is set with SetEvaluationTable, not bound by code");
        if (request.Version < 0)
            violations.Add("version", "0 for the latest, or a version");
        violations.ThrowIfAny();
        return await writes.BindAsync(request, context.CancellationToken);
    }

    public override async Task<SetEvaluationTableResponse> SetEvaluationTable(SetEvaluationTableRequest request, ServerCallContext context)
    {
        var violations = new FieldViolations();
        RequestIdRule.Validate(request.RequestId, violations);
        EvaluationKeys.Validate(request.Evaluation, "evaluation", violations);
        if (string.IsNullOrWhiteSpace(request.Reason) || request.Reason.Length > 500)
            violations.Add("reason", "why the table is set, 1 to 500 characters (e.g. \"预算批复\")");
        switch (request.SourceCase)
        {
            case SetEvaluationTableRequest.SourceOneofCase.None:
                violations.Add("source", "one of template, table, file_text or xlsx");
                break;
            case SetEvaluationTableRequest.SourceOneofCase.Template when string.IsNullOrEmpty(request.Template.SystemCode) || request.Template.Version < 0:
                violations.Add("template", "a catalog system_code and a version (0 for the latest)");
                break;
            case SetEvaluationTableRequest.SourceOneofCase.Template when request.Template.SystemCode.StartsWith(CompiledSystem.TableCodePrefix, StringComparison.Ordinal):
                violations.Add("template.system_code", "another evaluation's table is not a template");
                break;
            case SetEvaluationTableRequest.SourceOneofCase.FileText when request.FileText.Length > MaxTableFileLength:
                violations.Add("file_text", $"at most {MaxTableFileLength} characters");
                break;
            case SetEvaluationTableRequest.SourceOneofCase.Xlsx when request.Xlsx.Length > MaxTableFileLength:
                violations.Add("xlsx", $"at most {MaxTableFileLength} bytes");
                break;
        }
        violations.ThrowIfAny();
        return await writes.SetTableAsync(request, context.CancellationToken);
    }

    /// <summary>A target table is tens of rows: a megabyte is far beyond any real one.</summary>
    const int MaxTableFileLength = 1024 * 1024;

    public override Task<GetEvaluationTableHistoryResponse> GetEvaluationTableHistory(GetEvaluationTableHistoryRequest request, ServerCallContext context)
    {
        ValidEvaluation(request.Evaluation, "evaluation");
        return writes.TableHistoryAsync(request.Evaluation, context.CancellationToken);
    }

    public override async Task<RecordObservationsResponse> RecordObservations(RecordObservationsRequest request, ServerCallContext context)
    {
        // The tables' own metrics, read once per region and year of the batch.
        var declared = new Dictionary<(string, int), IReadOnlyDictionary<string, ObservationMetric>>();
        async Task<IReadOnlyDictionary<string, ObservationMetric>> DeclaredAsync(string region, int year)
        {
            if (!declared.TryGetValue((region, year), out var metrics))
                declared[(region, year)] = metrics = await tables.DeclaredMetricsAsync(region, year, context.CancellationToken);
            return metrics;
        }
        var violations = new FieldViolations();
        RequestIdRule.Validate(request.RequestId, violations);
        if (request.Observations.Count is 0 or > 1000)
            violations.Add("observations", "1 to 1,000 observations");
        for (var i = 0; i < request.Observations.Count; i++)
        {
            var o = request.Observations[i];
            var path = $"observations[{i}]";
            if (EvaluationKeys.CheckRegionCode(o.RegionCode) is { } region)
                violations.Add($"{path}.region_code", region);
            if (o.SubjectCode.Length > 0 && EvaluationKeys.CheckSubjectCode(o.SubjectCode) is { } subject)
                violations.Add($"{path}.subject_code", subject);
            if (EvaluationKeys.CheckFiscalYear(o.FiscalYear) is { } year)
                violations.Add($"{path}.fiscal_year", year);
            if (o.Month is < 0 or > 12)
                violations.Add($"{path}.month", "0 for the whole year, or 1 to 12");
            // A metric no built-in covers is accepted where a table of that region and year declares it.
            ObservationMetrics.Metric? metric = ObservationMetrics.All.GetValueOrDefault(o.Metric);
            if (metric is null && o.Metric.Length is > 0 and <= 64 && EvaluationKeys.CheckRegionCode(o.RegionCode) is null
                && (await DeclaredAsync(o.RegionCode, o.FiscalYear)).GetValueOrDefault(o.Metric) is { } own)
                metric = new ObservationMetrics.Metric(own.Code, own.Name, own.Unit);
            if (metric is null)
                violations.Add($"{path}.metric", $"unknown metric \"{o.Metric}\"; known: {string.Join(", ", ObservationMetrics.All.Keys)}, or one the region's table declares under metrics");
            else if (o.Unit != metric.Unit)
                violations.Add($"{path}.unit", $"{metric.Name} ({metric.Code}) is recorded in \"{metric.Unit}\", got \"{o.Unit}\"");
            if (!decimal.TryParse(o.Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
                violations.Add($"{path}.value", "a non-negative decimal string, e.g. \"413449\"");
            else if (DecimalValues.Check(o.Value) is { } outOfRange)
                violations.Add($"{path}.value", outOfRange);
            else if (metric?.Unit == "分" && value != decimal.Truncate(value))
                violations.Add($"{path}.value", "money is recorded in whole fen (分)");
            if (o.Respondents < 0)
                violations.Add($"{path}.respondents", "must not be negative");
            // A survey result without its respondent count is accepted: GetFindings lists it (DOMAIN.md §7).
        }
        violations.ThrowIfAny();

        return await writes.RecordObservationsAsync(request, context.CancellationToken);
    }

    public override async Task<RecordDeclaredActualsResponse> RecordDeclaredActuals(RecordDeclaredActualsRequest request, ServerCallContext context)
    {
        var violations = new FieldViolations();
        RequestIdRule.Validate(request.RequestId, violations);
        EvaluationKeys.Validate(request.Evaluation, "evaluation", violations);
        if (request.Actuals.Count is 0 or > 1000)
            violations.Add("actuals", "1 to 1,000 declared actuals");
        for (var i = 0; i < request.Actuals.Count; i++)
        {
            var a = request.Actuals[i];
            if (!Codes.IsValid(a.IndicatorCode))
                violations.Add($"actuals[{i}].indicator_code", "an indicator code of the bound system");
            if (!decimal.TryParse(a.Value, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
                violations.Add($"actuals[{i}].value", "a decimal string in the indicator's unit, e.g. \"100\" for 100%");
            else if (DecimalValues.Check(a.Value) is { } outOfRange)
                violations.Add($"actuals[{i}].value", outOfRange);
        }
        violations.ThrowIfAny();
        return await writes.RecordDeclaredActualsAsync(request, context.CancellationToken);
    }

    public override async Task<GetFindingsResponse> GetFindings(GetFindingsRequest request, ServerCallContext context)
    {
        var key = ValidEvaluation(request.Evaluation, "evaluation");
        var declared = await store.CurrentDeclaredActualsAsync(key, context.CancellationToken);
        var computed = await store.LatestValuesAsync(key, context.CancellationToken);
        var response = new GetFindingsResponse { ValueVersion = (await store.StateAsync(key, context.CancellationToken)).ValueVersion };
        response.Findings.AddRange(Findings.Reconcile(declared.Select(d => (d.Code, d.Value)), computed));
        // Scoring scores a declared-only item on its declared value and shows where it comes from.
        var sources = declared.ToDictionary(d => d.Code, d => d.Source, StringComparer.Ordinal);
        foreach (var finding in response.Findings)
            if (finding.IndicatorCode.Length > 0 && sources.TryGetValue(finding.IndicatorCode, out var source))
                finding.DeclaredSource = source;
        foreach (var (subject, value) in await store.SurveysWithoutRespondentsAsync(request.Evaluation.RegionCode, request.Evaluation.FiscalYear,
                     context.CancellationToken))
            if (subject.Length == 0 || subject == request.Evaluation.SubjectCode)
                response.Findings.Add(new ReconciliationFinding
                {
                    Kind = FindingKind.SurveyWithoutRespondents,
                    IndicatorName = "满意度",
                    Unit = "%",
                    ComputedValue = value.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Message = $"满意度调查结果{value}%未说明调查人数（样本量），无法判断其可信度",
                });
        return response;
    }

    static string ValidEvaluation(EvaluationKey? evaluation, string field)
    {
        var violations = new FieldViolations();
        EvaluationKeys.Validate(evaluation, field, violations);
        violations.ThrowIfAny();
        return EvaluationKeys.Format(evaluation!);
    }
}
