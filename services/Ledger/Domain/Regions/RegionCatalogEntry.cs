namespace PerfEval.Ledger.Domain.Regions;

/// <summary>One row of the shipped region catalog (Storage/Regions/regions.csv).</summary>
public sealed record RegionCatalogEntry(string Code, string Name, int Level, string? ParentCode);

/// <summary>Reads the catalog file and checks that it forms one tree of province → prefecture → county.</summary>
public static class RegionCatalogFile
{
    public const string Header = "code,name,level,parent_code";

    /// <summary>The rows of the file; a malformed line is refused with its line number.</summary>
    public static IReadOnlyList<RegionCatalogEntry> Parse(TextReader reader)
    {
        if (reader.ReadLine() != Header)
            throw new FormatException($"line 1: the header must be \"{Header}\"");
        var entries = new List<RegionCatalogEntry>();
        var lineNumber = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            // Names hold no comma (the generator would have quoted them, and the tree check below
            // would then fail on the level column), so a plain split reads the file.
            var fields = line.Split(',');
            if (fields.Length != 4 || !int.TryParse(fields[2], out var level))
                throw new FormatException($"line {lineNumber}: expected code,name,level,parent_code, got \"{line}\"");
            entries.Add(new RegionCatalogEntry(fields[0], fields[1], level, fields[3].Length == 0 ? null : fields[3]));
        }
        return entries;
    }

    /// <summary>
    /// Every problem of the tree, empty when there is none: codes unique and six digits, names
    /// non-empty, the level the code's shape says, and every prefecture under its province, every
    /// county under its prefecture (or its province for 省直辖县级, digits 3–4 "90"), the parent listed.
    /// </summary>
    public static IReadOnlyList<string> CheckTree(IReadOnlyList<RegionCatalogEntry> entries)
    {
        var problems = new List<string>();
        var byCode = new Dictionary<string, RegionCatalogEntry>(StringComparer.Ordinal);
        foreach (var entry in entries)
            if (!byCode.TryAdd(entry.Code, entry))
                problems.Add($"{entry.Code}: listed twice");
        foreach (var entry in entries)
        {
            if (RegionCodes.CheckShape(entry.Code) is { } shape)
            {
                problems.Add($"{entry.Code}: {shape}");
                continue;
            }
            if (string.IsNullOrWhiteSpace(entry.Name))
                problems.Add($"{entry.Code}: no name");
            if (entry.Level != RegionCodes.Level(entry.Code))
                problems.Add($"{entry.Code}: level {entry.Level}, but the code is of level {RegionCodes.Level(entry.Code)}");
            if (RegionCodes.CheckParent(entry.Code, entry.ParentCode) is { } parent)
                problems.Add($"{entry.Code}: {parent}");
            else if (entry.ParentCode is not null && !byCode.ContainsKey(entry.ParentCode))
                problems.Add($"{entry.Code}: its parent {entry.ParentCode} is not listed");
        }
        return problems;
    }
}
