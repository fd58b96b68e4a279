namespace PerfEval.Hosting;

/// <summary>Which PerfEval service this process is ("ledger", "indicator", …).</summary>
public sealed record ServiceIdentity(string Name);
