namespace PerfEval.Testing;

/// <summary>The checkout the tests and benchmarks run from.</summary>
public static class RepoRoot
{
    /// <summary>Walks up from the running binaries to the folder holding PerfEval.sln or Directory.Packages.props.</summary>
    public static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PerfEval.sln")) ||
                File.Exists(Path.Combine(dir.FullName, "Directory.Packages.props")))
                return dir.FullName;
        }
        throw new InvalidOperationException(
            $"Cannot find the repository root (a folder with PerfEval.sln or Directory.Packages.props) above {AppContext.BaseDirectory}");
    }
}
