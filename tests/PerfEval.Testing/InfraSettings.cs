using System.Globalization;
using System.Text.RegularExpressions;

namespace PerfEval.Testing;

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

    /// <summary>The environment a service needs to reach this PostgreSQL server and RabbitMQ node (its database and queue prefix are its own).</summary>
    public Dictionary<string, string> ServiceEnvironment() => new(StringComparer.Ordinal)
    {
        ["Postgres__ConnectionString"] = PostgresConnectionString,
        ["RabbitMq__Host"] = AmqpHost,
        ["RabbitMq__Port"] = AmqpPort.ToString(CultureInfo.InvariantCulture),
        ["RabbitMq__Username"] = AmqpUser,
        ["RabbitMq__Password"] = AmqpPassword,
    };

    public static InfraSettings Load()
    {
        var repoRoot = Testing.RepoRoot.Find();
        var fromFile = ReadEnvFile(repoRoot);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var name in Names)
        {
            if (Lookup(name, fromFile) is { } value)
                values[name] = value;
            else
                missing.Add(name);
        }

        if (missing.Count > 0)
        {
            var envFile = EnvFile(repoRoot);
            var where = File.Exists(envFile) ? $"{envFile} lacks them" : $"{envFile} does not exist";
            throw new InvalidOperationException(
                $"PerfEval needs PostgreSQL and RabbitMQ: {string.Join(", ", missing)} not set and {where}; {StartHint}");
        }

        return new InfraSettings(repoRoot,
            values["PERFEVAL_PG_HOST"], ParsePort(values, "PERFEVAL_PG_PORT"), values["PERFEVAL_PG_USER"], values["PERFEVAL_PG_PASSWORD"],
            values["PERFEVAL_AMQP_HOST"], ParsePort(values, "PERFEVAL_AMQP_PORT"), values["PERFEVAL_AMQP_USER"], values["PERFEVAL_AMQP_PASSWORD"]);
    }

    /// <summary>
    /// Any variable of <c>env.sh</c> (e.g. PERFEVAL_RABBITMQCTL), the environment first; fails with
    /// <see cref="StartHint"/> when neither has it.
    /// </summary>
    public static string Variable(string name) =>
        Lookup(name, ReadEnvFile(Testing.RepoRoot.Find()))
        ?? throw new InvalidOperationException($"{name} is not set and not in .local/infra/env.sh; {StartHint}");

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

    static string EnvFile(string repoRoot) => Path.Combine(repoRoot, ".local", "infra", "env.sh");

    static Dictionary<string, string> ReadEnvFile(string repoRoot) =>
        File.Exists(EnvFile(repoRoot)) ? ParseEnvFile(File.ReadAllLines(EnvFile(repoRoot))) : [];

    static string? Lookup(string name, Dictionary<string, string> fromFile) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } set ? set
        : fromFile.TryGetValue(name, out var written) && written.Length > 0 ? written
        : null;

    static int ParsePort(Dictionary<string, string> values, string name) =>
        int.TryParse(values[name], out var port) && port is > 0 and < 65536
            ? port
            : throw new InvalidOperationException($"{name}='{values[name]}' is not a port; {StartHint}");

    [GeneratedRegex(@"^\s*(?:export\s+)?(?<name>[A-Za-z_][A-Za-z0-9_]*)=(?<value>.*)$")]
    private static partial Regex ExportLine();
}
