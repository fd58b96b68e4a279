using System.Buffers.Text;
using System.Text;

namespace PerfEval.Hosting.Paging;

/// <summary>
/// AIP-158 page tokens: the key of the last item of a page, base64url-encoded so clients treat the
/// token as opaque rather than build one, and page sizes with one default and one maximum.
/// </summary>
public static class PageTokens
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    public static string Encode(string lastKey) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(lastKey));

    /// <summary>The key a token of <see cref="Encode"/> carries ("" for no token), or null when it is not one.</summary>
    public static string? Decode(string token)
    {
        if (token.Length == 0)
            return "";
        if (!Base64Url.IsValid(token))
            return null;
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Base64Url.DecodeFromChars(token));
        }
        catch (FormatException)
        {
            return null;
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    public const string PageSizeRule = "must be 0 (default 100) to 1000";
    public const string PageTokenRule = "not a token this service issued";

    public static bool IsValidPageSize(int pageSize) => pageSize is >= 0 and <= MaxPageSize;

    public static int PageSize(int requested) => requested is > 0 and <= MaxPageSize ? requested : DefaultPageSize;
}
