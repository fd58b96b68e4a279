using System.Security.Cryptography;
using Grpc.Net.Client;
using Npgsql;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Contracts.Reporting.V1;
using PerfEval.Contracts.Scoring.V1;
using PerfEval.Client;

namespace PerfEval.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The four services as child processes on loopback ports, with databases and queues of their own
/// (unique names per fixture), against the private PostgreSQL and RabbitMQ. Shared by the
/// "PerfEval cluster" collection; <see cref="DurabilityCluster"/> is a second one of its own.
/// </summary>
public class PerfEvalCluster : IAsyncLifetime
{
    /// <summary>
    /// For all four services together. The upstreams start first (their ports go into the
    /// dependents' environment), and with every test assembly running at once on two cores one
    /// service alone took over 30 s to start: generous, since it only matters when they hang.
    /// </summary>
    public static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(180);

    readonly List<GrpcChannel> _channels = [];

    public InfraSettings Settings { get; private set; } = null!;

    /// <summary>8 hex digits naming this fixture's databases and queues.</summary>
    public string RunId { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    /// <summary>This fixture's signing key, random per run: tokens of another run are worthless here.</summary>
    public AuthOptions Auth { get; } = new() { SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)) };

    /// <summary>The identity of the tests' own calls: every region.</summary>
    public const string TestCaller = "e2e-tests";

    /// <summary>A bearer token of this cluster for a caller acting for a region ("*" = every region).</summary>
    public string Token(string subject, string region, TimeSpan? lifetime = null) =>
        AccessTokens.Mint(Auth, subject, region, lifetime ?? TimeSpan.FromHours(1));

    /// <summary>
    /// Gives an evaluation its target table from a template as it stands (SetEvaluationTable): an
    /// evaluation without a table is not scored, and most tests score against the built-in tables.
    /// </summary>
    public async Task AdoptTemplateAsync(Contracts.Common.V1.EvaluationKey evaluation, string template)
    {
        await Indicator.SetEvaluationTableAsync(new Contracts.Indicator.V1.SetEvaluationTableRequest
        {
            RequestId = Guid.NewGuid().ToString(),
            Evaluation = evaluation,
            Reason = "预算批复（测试：采用模板）",
            Template = new Contracts.Indicator.V1.TemplateReference { SystemCode = template },
        }, deadline: DateTime.UtcNow.AddSeconds(30));
    }

    public ServiceProcess LedgerProcess { get; private set; } = null!;
    public ServiceProcess IndicatorProcess { get; private set; } = null!;
    public ServiceProcess ScoringProcess { get; private set; } = null!;
    public ServiceProcess ReportingProcess { get; private set; } = null!;
    public IReadOnlyList<ServiceProcess> Processes { get; private set; } = [];

    public LedgerService.LedgerServiceClient Ledger { get; private set; } = null!;
    public IndicatorService.IndicatorServiceClient Indicator { get; private set; } = null!;
    public ScoringService.ScoringServiceClient Scoring { get; private set; } = null!;
    public ReportingService.ReportingServiceClient Reporting { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Settings = InfraSettings.Load();
        var common = Settings.ServiceEnvironment();
        common["RabbitMq__QueuePrefix"] = $"e2e-{RunId}";
        // Queues of a test run vanish a while after the run stops consuming them.
        common["RabbitMq__QueueExpirySeconds"] = "600";
        // As a production cluster would declare them (the single test node holds one replica).
        common["RabbitMq__QueueType"] = "quorum";
        common["Auth__SigningKey"] = Auth.SigningKey;

        var processes = new List<ServiceProcess>();
        Processes = processes;
        ServiceProcess Create(string name)
        {
            var environment = new Dictionary<string, string>(common, StringComparer.Ordinal)
            {
                ["Postgres__Database"] = $"perfeval_e2e_{RunId}_{name.ToLowerInvariant()}",
            };
            var process = new ServiceProcess(name, name, Settings.RepoRoot, environment);
            processes.Add(process);
            return process;
        }

        try
        {
            // Each service binds port 0 and reports what it got, so the upstreams start first and
            // their addresses go into the environment of the services that call them.
            var deadline = DateTime.UtcNow + StartupTimeout;
            LedgerProcess = Create("Ledger");
            await LedgerProcess.StartAsync(deadline);
            // The ledger is reached as a Kubernetes headless Service would be (dns:/// and round
            // robin over what the name resolves to), the indicator over one plain connection.
            common["Services__Ledger"] = $"dns:///localhost:{LedgerProcess.GrpcPort}";
            IndicatorProcess = Create("Indicator");
            await IndicatorProcess.StartAsync(deadline);
            common["Services__Indicator"] = IndicatorProcess.GrpcAddress.ToString().TrimEnd('/');
            ScoringProcess = Create("Scoring");
            ReportingProcess = Create("Reporting");
            ScoringProcess.Start();
            ReportingProcess.Start();
            await WaitAllHealthyAsync(deadline);
        }
        catch (Exception ex)
        {
            var reason = ex is ServiceProcessException spe ? spe.Reason : ex.Message;
            var tails = LogTails();
            try
            {
                await StopAllAsync();
                await DropDatabasesAsync();
            }
            catch (Exception stopError)
            {
                tails += $"{Environment.NewLine}(stopping the services failed too: {stopError.Message})";
            }
            throw new InvalidOperationException(
                $"The PerfEval cluster did not start: {reason}{Environment.NewLine}{tails}", ex);
        }

        Ledger = new LedgerService.LedgerServiceClient(Channel(LedgerProcess));
        Indicator = new IndicatorService.IndicatorServiceClient(Channel(IndicatorProcess));
        Scoring = new ScoringService.ScoringServiceClient(Channel(ScoringProcess));
        Reporting = new ReportingService.ReportingServiceClient(Channel(ReportingProcess));
    }

    /// <summary>Waits until every service is SERVING; the first one that fails stops the wait for all.</summary>
    async Task WaitAllHealthyAsync(DateTime deadlineUtc)
    {
        using var stop = new CancellationTokenSource();
        var pending = Processes.Select(p => p.WaitHealthyAsync(deadlineUtc, stop.Token)).ToList();
        while (pending.Count > 0)
        {
            var done = await Task.WhenAny(pending);
            pending.Remove(done);
            if (!done.IsCompletedSuccessfully)
            {
                await stop.CancelAsync();
                await done; // throws its failure
            }
        }
    }

    /// <summary>
    /// A channel to a service's gRPC port whose calls carry <paramref name="token"/> (by default the
    /// tests' own, for every region; "" sends none), disposed with the fixture.
    /// </summary>
    public GrpcChannel Channel(ServiceProcess process, string? token = null)
    {
        token ??= Token(TestCaller, AccessTokens.AllRegions);
        var channel = token.Length == 0
            ? GrpcChannel.ForAddress(process.GrpcAddress)
            : BearerChannels.ForAddress(process.GrpcAddress.ToString(), token);
        lock (_channels)
            _channels.Add(channel);
        return channel;
    }

    /// <summary>One scalar from a service's own database (e.g. "Ledger"), for checks no API exposes.</summary>
    public async Task<object?> QueryScalarAsync(string service, string sql, params object[] parameters)
    {
        var builder = new NpgsqlConnectionStringBuilder(Settings.PostgresConnectionString)
        {
            Database = $"perfeval_e2e_{RunId}_{service.ToLowerInvariant()}",
            Pooling = false,
        };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        return await command.ExecuteScalarAsync();
    }

    /// <summary>Runs a test body; when it fails, the services' log tails go to the test output and into the failure.</summary>
    public async Task WithDiagnosticsAsync(Xunit.Abstractions.ITestOutputHelper output, Func<Task> body)
    {
        try
        {
            await body();
        }
        catch (Exception ex)
        {
            output.WriteLine(LogTails());
            throw new EndToEndFailureException($"{ex.GetType().Name}: {ex.Message}{Environment.NewLine}{LogTails(linesPerService: 60)}", ex);
        }
    }

    /// <summary>The log tails of all services, for failure messages.</summary>
    public string LogTails(int linesPerService = 400) =>
        string.Join(Environment.NewLine, Processes.Select(p => p.LogTail(linesPerService)));

    public async Task DisposeAsync()
    {
        lock (_channels)
        {
            foreach (var channel in _channels)
                channel.Dispose();
            _channels.Clear();
        }
        await StopAllAsync();
        await DropDatabasesAsync();
    }

    /// <summary>
    /// Drops this fixture's databases, so runs do not pile up in the private PostgreSQL.
    /// PERFEVAL_E2E_KEEP_DATABASES=1 keeps them for a look after a failure.
    /// </summary>
    async Task DropDatabasesAsync()
    {
        if (Settings is null || Environment.GetEnvironmentVariable("PERFEVAL_E2E_KEEP_DATABASES") == "1")
            return;
        var admin = new NpgsqlConnectionStringBuilder(Settings.PostgresConnectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(admin.ConnectionString);
        await connection.OpenAsync();
        foreach (var process in Processes)
        {
            var database = process.Environment["Postgres__Database"];
            await using var drop = new NpgsqlCommand($"drop database if exists \"{database}\" with (force)", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }

    async Task StopAllAsync()
    {
        // Downstream first, so no consumer logs a storm of errors about a vanished upstream.
        var errors = new List<Exception>();
        foreach (var process in Processes.Reverse())
        {
            try
            {
                await process.DisposeAsync();
            }
            catch (Exception ex)
            {
                errors.Add(ex);
            }
        }
        if (errors.Count > 0)
            throw new AggregateException("Stopping the PerfEval services failed", errors);
    }
}

[CollectionDefinition(Name)]
public sealed class PerfEvalClusterCollection : ICollectionFixture<PerfEvalCluster>
{
    public const string Name = "PerfEval cluster";
}

/// <summary>
/// The cluster of the durability tests, which kill services and stop the broker: its own services,
/// databases and queues, so no other test depends on what they do to it.
/// </summary>
public sealed class DurabilityCluster : PerfEvalCluster;

/// <summary>
/// Runs alone, after the parallel collections (xunit runs a collection that disables
/// parallelization on its own): the broker outage it causes then meets no other test's traffic.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DurabilityClusterCollection : ICollectionFixture<DurabilityCluster>
{
    public const string Name = "PerfEval durability cluster";
}
