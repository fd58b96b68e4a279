using PerfEval.SharedKernel.Errors;

namespace PerfEval.SharedKernel.Requests;

/// <summary>The shape of an AIP-155 request id, checked by every write RPC that carries one.</summary>
public static class RequestIdRule
{
    public const int MaxLength = 128;

    public static void Validate(string requestId, FieldViolations violations)
    {
        if (requestId.Length is 0 or > MaxLength)
            violations.Add("request_id", $"must be 1 to {MaxLength} characters");
    }
}
