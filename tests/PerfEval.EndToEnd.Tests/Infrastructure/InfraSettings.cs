using System.Text.RegularExpressions;

namespace PerfEval.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Where the private PostgreSQL and RabbitMQ of <c>deploy/local/infra.sh</c> listen: from the
/// PERFEVAL_* environment variables, else from <c>&lt;repo&gt;/.local/infra/env.sh</c>.
/// </summary>
public sealed partial record InfraSettings(
    string RepoRoot,
    string PgHost, int PgPort, string PgUser, string PgPassword,
    string AmqpHost, int AmqpPort, string AmqpUser, string AmqpPassword)
{
    public const string StartHint = "start the infrastructure first: bash deploy/local/infra.sh up";

    static readonly string[] Names =
    [
        "PERFEVAL_PG_HOST", "PERFEVAL_PG_PORT", "PERFEVAL_PG_USER", "PERFEVAL_PG_PASSWORD",
        "PERFEVAL_AMQP_HOST", "PERFEVAL_AMQP_PORT", "PERFEVAL_AMQP_USER", "PERFEVAL_AMQP_PASSWORD",
    ];

    /// <summary>Server and credentials only; each service picks its own database name.</summary>
    public string PostgresConnectionString => $"Host={PgHost};Port={PgPort};Username={PgUser};Password={PgPassword}";

    public static InfraSettings Load()
    {
        var repoRoot = FindRepoRoot();
        var envFile = Path.Combine(repoRoot, ".local", "infra", "env.sh");
        var fromFile = File.Exists(envFile) ? ParseEnvFile(File.ReadAllLines(envFile)) : new Dictionary<string, string>();

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var name in Names)
        {
            var value = Environment.GetEnvironmentVariable(name);
            if (string.IsNullOrEmpty(value))
                fromFile.TryGetValue(name, out value);
            if (string.IsNullOrEmpty(value))
                missing.Add(name);
            else
                values[name] = value;
        }

        if (missing.Count > 0)
        {
            var where = File.Exists(envFile) ? $"{envFile} lacks them" : $"{envFile} does not exist";
            throw new InvalidOperationException(
                $"PerfEval end-to-end tests need PostgreSQL and RabbitMQ: {string.Join(", ", missing)} not set and {where}; {StartHint}");
        }

        return new InfraSettings(repoRoot,
            values["PERFEVAL_PG_HOST"], ParsePort(values, "PERFEVAL_PG_PORT"), values["PERFEVAL_PG_USER"], values["PERFEVAL_PG_PASSWORD"],
            values["PERFEVAL_AMQP_HOST"], ParsePort(values, "PERFEVAL_AMQP_PORT"), values["PERFEVAL_AMQP_USER"], values["PERFEVAL_AMQP_PASSWORD"]);
    }

    /// <summary>Walks up from the test binaries to the folder holding PerfEval.sln or Directory.Packages.props.</summary>
    public static string FindRepoRoot()
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

    /// <summary>Reads <c>export NAME=value</c>, <c>export NAME="value"</c> and <c>export NAME='value'</c> lines.</summary>
    public static Dictionary<string, string> ParseEnvFile(IEnumerable<string> lines)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            var match = ExportLine().Match(line);
            if (!match.Success)
                continue;
            var value = match.Groups["value"].Value.Trim();
            if (value.Length >= 2 && (value[0] == '"' && value[^1] == '"' || value[0] == '\'' && value[^1] == '\''))
                value = value[1..^1];
            result[match.Groups["name"].Value] = value;
        }
        return result;
    }

    static int ParsePort(Dictionary<string, string> values, string name) =>
        int.TryParse(values[name], out var port) && port is > 0 and < 65536
            ? port
            : throw new InvalidOperationException($"{name}='{values[name]}' is not a port; {StartHint}");

    [GeneratedRegex(@"^\s*(?:export\s+)?(?<name>[A-Za-z_][A-Za-z0-9_]*)=(?<value>.*)$")]
    private static partial Regex ExportLine();
}
