using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Hosting.Requests;
using PerfEval.SharedKernel.Errors;

namespace PerfEval.Hosting.Tests;

/// <summary>Issue 14 item 8 for every service: a NUL character in any request string is refused by its path before the handler runs.</summary>
public class NulCharacterTests
{
    [Fact]
    public async Task A_nul_in_a_nested_repeated_string_is_refused_by_its_path_before_the_handler()
    {
        var request = new RecordObservationsRequest { RequestId = "r" };
        request.Observations.Add(new Observation { RegionCode = "653129", Metric = "beneficiaries" });
        request.Observations.Add(new Observation { RegionCode = "653129", Metric = "benefi\0ciaries" });
        var handled = false;
        var e = await Assert.ThrowsAsync<InvalidRequestException>(() => new NulCharacterInterceptor().UnaryServerHandler<RecordObservationsRequest, RecordObservationsResponse>(
            request, null!, (_, _) => { handled = true; return Task.FromResult(new RecordObservationsResponse()); }));
        var violation = Assert.Single(e.Violations);
        Assert.Equal(("observations[1].metric", NulCharacters.Rule), (violation.Field, violation.Description));
        Assert.False(handled);
    }

    [Fact]
    public async Task A_request_without_nul_reaches_the_handler()
    {
        var request = new GetFindingsRequest { Evaluation = new EvaluationKey { RegionCode = "653129", SubjectCode = "resident-fund", FiscalYear = 2020 } };
        var response = await new NulCharacterInterceptor().UnaryServerHandler<GetFindingsRequest, GetFindingsResponse>(
            request, null!, (_, _) => Task.FromResult(new GetFindingsResponse { ValueVersion = 7 }));
        Assert.Equal(7, response.ValueVersion);
    }

    [Fact]
    public void A_nul_in_a_map_key_or_value_is_refused()
    {
        var status = new Google.Rpc.ErrorInfo { Reason = "x" };
        status.Metadata["field"] = "a\0";
        Assert.Contains(Assert.Throws<InvalidRequestException>(() => NulCharacters.ThrowIfAny(status)).Violations, v => v.Field == "metadata[field]");
    }
}
