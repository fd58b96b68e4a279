using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;

namespace PerfEval.Reporting.Application.Rendering;

/// <summary>
/// Makes an Office package (xlsx, docx: a zip) byte-for-byte reproducible. The libraries stamp the
/// save time into every zip entry and into the core properties, and System.IO.Packaging names
/// relationships (R + 16 hex) and the core-properties part (32 hex) at random. Times become the
/// report date; random names become sequential ones, replaced consistently in every part so every
/// reference still resolves; entries are written in a fixed order.
/// </summary>
public static partial class DeterministicPackage
{
    public static byte[] Normalize(byte[] package, DateOnly reportDate)
    {
        var stamp = new DateTimeOffset(reportDate.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var w3c = reportDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) + "T00:00:00Z";
        using var input = new ZipArchive(new MemoryStream(package), ZipArchiveMode.Read);
        var entries = input.Entries
            .Select(e => (Name: e.FullName, Content: Read(e)))
            .OrderBy(e => e.Name == "[Content_Types].xml" ? 0 : 1)
            .ThenBy(e => RandomName().Replace(e.Name, ""), StringComparer.Ordinal)
            .ToList();

        // Number random names in order of first appearance; the order above does not depend on them.
        var renames = new Dictionary<string, string>(StringComparer.Ordinal);
        string Rename(Match m) => renames.TryGetValue(m.Value, out var name) ? name
            : renames[m.Value] = m.Value.StartsWith('R') ? $"RidP{renames.Count + 1:D4}" : $"core{renames.Count + 1:D4}";
        bool IsText(string name) => name.EndsWith(".xml", StringComparison.Ordinal) || name.EndsWith(".rels", StringComparison.Ordinal)
            || name.EndsWith(".psmdcp", StringComparison.Ordinal);

        var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                var bytes = content;
                if (IsText(name))
                {
                    var text = Encoding.UTF8.GetString(content);
                    text = RandomName().Replace(RandomRelationshipId().Replace(text, Rename), Rename);
                    if (name.EndsWith("core.xml", StringComparison.Ordinal) || name.EndsWith(".psmdcp", StringComparison.Ordinal))
                        text = DateElements().Replace(text, m => $"{m.Groups[1].Value}{w3c}{m.Groups[3].Value}");
                    bytes = Encoding.UTF8.GetBytes(text);
                }
                var copy = zip.CreateEntry(RandomName().Replace(name, Rename), CompressionLevel.Optimal);
                copy.LastWriteTime = stamp;
                using var target = copy.Open();
                target.Write(bytes);
            }
        }
        return output.ToArray();
    }

    static byte[] Read(ZipArchiveEntry entry)
    {
        using var source = entry.Open();
        var bytes = new MemoryStream();
        source.CopyTo(bytes);
        return bytes.ToArray();
    }

    [GeneratedRegex("(<dcterms:(?:created|modified)[^>]*>)([^<]*)(</dcterms:(?:created|modified)>)")]
    private static partial Regex DateElements();

    [GeneratedRegex("(?<=\")R[0-9a-f]{16}(?=\")")]
    private static partial Regex RandomRelationshipId();

    [GeneratedRegex("[0-9a-f]{32}(?=\\.psmdcp)")]
    private static partial Regex RandomName();
}
