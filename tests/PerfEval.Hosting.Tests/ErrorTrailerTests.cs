using System.Text;
using Grpc.Core;
using PerfEval.Hosting.Errors;
using PerfEval.SharedKernel.Errors;

namespace PerfEval.Hosting.Tests;

/// <summary>Issue 14 item 5: whatever the input, all trailers of one error stay under 8 KiB.</summary>
public class ErrorTrailerTests
{
    const int EightKiB = 8 * 1024;

    /// <summary>What the trailers cost on the wire: grpc-status, grpc-message percent-encoded, the binary details in base64.</summary>
    static int TrailerBytes(RpcException e)
    {
        var size = "grpc-status".Length + 2 + "grpc-message".Length
            + Encoding.UTF8.GetBytes(e.Status.Detail).Sum(b => b is >= 0x20 and <= 0x7E and not (byte)'%' ? 1 : 3);
        foreach (var entry in e.Trailers)
            size += entry.Key.Length + (entry.IsBinary ? (entry.ValueBytes.Length + 2) / 3 * 4 : Encoding.UTF8.GetByteCount(entry.Value));
        return size;
    }

    static readonly string HundredThousand = new('m', 100_000);
    static readonly string HundredThousandChinese = new('费', 100_000);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_100000_character_bad_value_gives_trailers_under_8_KiB_quoting_a_short_prefix(bool chinese)
    {
        var value = chinese ? HundredThousandChinese : HundredThousand;
        var e = RpcErrors.From(new InvalidRequestException("observations[0].metric", $"unknown metric \"{value}\"; known: insured-persons, beneficiaries"));
        Assert.True(TrailerBytes(e) < EightKiB, TrailerBytes(e).ToString());
        var violation = Assert.Single(e.GetRpcStatus()!.GetDetail<Google.Rpc.BadRequest>()!.FieldViolations);
        Assert.Equal("observations[0].metric", violation.Field);
        Assert.Equal($"unknown metric \"{value[..RpcErrors.MaxQuotedChars]}…\"; known: insured-persons, beneficiaries", violation.Description);
    }

    [Fact]
    public void Thousands_of_violations_with_long_paths_and_unquoted_values_stay_under_8_KiB_and_say_how_many_more()
    {
        var violations = Enumerable.Range(0, 5_000).Select(i => new FieldViolation($"levels[0].children[0].indicators[{i}].{HundredThousandChinese[..300]}", HundredThousandChinese)).ToList();
        var e = RpcErrors.From(new InvalidRequestException(violations));
        Assert.True(TrailerBytes(e) < EightKiB, TrailerBytes(e).ToString());
        var listed = e.GetRpcStatus()!.GetDetail<Google.Rpc.BadRequest>()!.FieldViolations;
        Assert.Matches(@"^and \d+ more$", listed[^1].Description);
        Assert.Equal(5_000, listed.Count - 1 + int.Parse(listed[^1].Description.Split(' ')[1]));
    }

    [Fact]
    public void Fifty_short_violations_are_listed_then_the_rest_counted()
    {
        var e = RpcErrors.From(new InvalidRequestException(Enumerable.Range(0, 120).Select(i => new FieldViolation($"actuals[{i}].value", "required")).ToList()));
        var listed = e.GetRpcStatus()!.GetDetail<Google.Rpc.BadRequest>()!.FieldViolations;
        Assert.Equal(RpcErrors.MaxViolations + 1, listed.Count);
        Assert.Equal("and 70 more", listed[^1].Description);
    }

    [Fact]
    public void Other_errors_and_region_refusals_quoting_a_long_value_stay_under_8_KiB()
    {
        Assert.True(TrailerBytes(RpcErrors.From(new NotFoundException($"no evaluation {HundredThousandChinese}"))) < EightKiB);
        Assert.True(TrailerBytes(RpcErrors.From(new ConflictException($"entry \"{HundredThousand}\" exists", HundredThousand))) < EightKiB);
        var denied = RpcErrors.PermissionDenied($"region_code: {HundredThousand} is outside", "REGION_OUT_OF_SCOPE",
            new Dictionary<string, string> { ["field"] = "region_code", ["region_code"] = HundredThousandChinese });
        Assert.True(TrailerBytes(denied) < EightKiB, TrailerBytes(denied).ToString());
    }

    [Fact]
    public void Short_messages_are_unchanged()
    {
        var e = RpcErrors.From(new InvalidRequestException("file_text.levels[0].weight", "states 90, its items add up to 100"));
        Assert.Equal("Invalid request: file_text.levels[0].weight: states 90, its items add up to 100", e.Status.Detail);
    }
}
