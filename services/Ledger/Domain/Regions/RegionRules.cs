using System.Globalization;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Hosting.Paging;
using PerfEval.SharedKernel.Errors;

namespace PerfEval.Ledger.Domain.Regions;

/// <summary>A region as stored: what the rules need to decide on a change.</summary>
public sealed record RegionState(string Code, string Name, string? ParentCode, DateTime? RetiredAt)
{
    public bool Retired => RetiredAt is not null;
}

/// <summary>
/// The rules of region administration: the shape of a request, then what the stored regions allow
/// (a parent that exists, is current and is the level above; no retirement under a live region).
/// </summary>
public static class RegionRules
{
    public const int MaxRequestIdLength = 128;
    public const int MaxNameLength = 100;
    public const int MaxReasonLength = 500;

    public static FieldViolations Validate(AddRegionRequest request)
    {
        var violations = new FieldViolations();
        CheckRequestId(request.RequestId, violations);
        if (RegionCodes.CheckShape(request.Code) is { } code)
            violations.Add("code", code);
        else if (request.ParentCode.Length > 0 && RegionCodes.CheckShape(request.ParentCode) is { } parentShape)
            violations.Add("parent_code", parentShape);
        else if (RegionCodes.CheckParent(request.Code, request.ParentCode.Length == 0 ? null : request.ParentCode) is { } parent)
            violations.Add("parent_code", parent);
        CheckName(request.Name, violations);
        CheckReason(request.Reason, violations);
        return violations;
    }

    public static FieldViolations Validate(RenameRegionRequest request)
    {
        var violations = new FieldViolations();
        CheckRequestId(request.RequestId, violations);
        if (RegionCodes.CheckShape(request.Code) is { } code)
            violations.Add("code", code);
        CheckName(request.Name, violations);
        CheckReason(request.Reason, violations);
        return violations;
    }

    public static FieldViolations Validate(RetireRegionRequest request)
    {
        var violations = new FieldViolations();
        CheckRequestId(request.RequestId, violations);
        if (RegionCodes.CheckShape(request.Code) is { } code)
            violations.Add("code", code);
        CheckReason(request.Reason, violations);
        return violations;
    }

    public static FieldViolations Validate(GetRegionHistoryRequest request)
    {
        var violations = new FieldViolations();
        if (RegionCodes.CheckShape(request.Code) is { } code)
            violations.Add("code", code);
        if (!PageTokens.IsValidPageSize(request.PageSize))
            violations.Add("page_size", PageTokens.PageSizeRule);
        if (request.PageToken.Length > 0 && HistoryPageKey(request.PageToken) is null)
            violations.Add("page_token", PageTokens.PageTokenRule);
        return violations;
    }

    /// <summary>The last change id a history page token carries (0 for no token), or null when it is not such a token.</summary>
    public static long? HistoryPageKey(string token) =>
        PageTokens.Decode(token) switch
        {
            "" => 0,
            { } key when long.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var changeId) => changeId,
            _ => null,
        };

    /// <summary>Refuses an addition the stored regions do not allow.</summary>
    public static void CheckAdd(AddRegionRequest request, RegionState? existing, RegionState? parent)
    {
        if (existing is not null)
            throw new ConflictException(
                $"region {request.Code} exists already ({existing.Name}{(existing.Retired ? ", retired" : "")})", "code");
        if (request.ParentCode.Length == 0)
            return;
        if (parent is null)
            throw new InvalidRequestException("parent_code", $"no region with code {request.ParentCode} is known");
        if (parent.Retired)
            throw new InvalidRequestException("parent_code", $"region {parent.Code} ({parent.Name}) is retired and takes no new region");
    }

    /// <summary>Refuses a rename of an unknown or retired region, or to the name it has.</summary>
    public static void CheckRename(RenameRegionRequest request, RegionState? current)
    {
        var region = Known(request.Code, current);
        if (region.Retired)
            throw Retired(region);
        if (region.Name == request.Name)
            throw new InvalidRequestException("name", $"is the name region {region.Code} has already");
    }

    /// <summary>
    /// Refuses to retire an unknown or retired region, or one still in use: a current child would
    /// be left under a retired parent, an active subject would lose its region mid-year.
    /// </summary>
    public static void CheckRetire(RetireRegionRequest request, RegionState? current, IReadOnlyList<string> currentChildren,
        IReadOnlyList<string> activeSubjects)
    {
        var region = Known(request.Code, current);
        if (region.Retired)
            throw Retired(region);
        if (currentChildren.Count > 0)
            throw new PreconditionFailedException(
                $"region {region.Code} still has current regions under it ({string.Join(", ", currentChildren)}); retire them first",
                "REGION_HAS_CHILDREN");
        if (activeSubjects.Count > 0)
            throw new PreconditionFailedException(
                $"region {region.Code} still has active subjects ({string.Join(", ", activeSubjects)}): close their open fiscal years first",
                "REGION_HAS_ACTIVE_SUBJECTS");
    }

    static RegionState Known(string code, RegionState? current) =>
        current ?? throw new InvalidRequestException("code", $"no region with code {code} is known");

    static PreconditionFailedException Retired(RegionState region) =>
        new($"region {region.Code} ({region.Name}) was retired on {region.RetiredAt:yyyy-MM-dd}", "REGION_RETIRED");

    static void CheckRequestId(string requestId, FieldViolations violations)
    {
        if (requestId.Length is 0 or > MaxRequestIdLength)
            violations.Add("request_id", $"must be 1 to {MaxRequestIdLength} characters");
    }

    static void CheckName(string name, FieldViolations violations)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > MaxNameLength || name.Trim().Length != name.Length)
            violations.Add("name", $"must be 1 to {MaxNameLength} characters, without leading or trailing blanks");
    }

    static void CheckReason(string reason, FieldViolations violations)
    {
        if (string.IsNullOrWhiteSpace(reason) || reason.Length > MaxReasonLength)
            violations.Add("reason", $"must say why, 1 to {MaxReasonLength} characters");
    }
}
