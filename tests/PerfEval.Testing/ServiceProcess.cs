using System.Diagnostics;
using System.Globalization;
using System.Text;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace PerfEval.Testing;

/// <summary>
/// One PerfEval service running as a child process (<c>dotnet services/&lt;Folder&gt;/bin/&lt;Configuration&gt;/net10.0/PerfEval.&lt;Name&gt;.dll</c>)
/// on loopback ports, with its console output kept in a ring buffer for failure messages.
/// The child binds port 0 and reports the ports it got in a file (see <see cref="BoundPortsFileVariable"/>),
/// so no port is chosen here and released before the child can bind it.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    /// <summary>Names the file a service writes its bound ports to (services/PerfEval.Hosting, BoundPortsReport).</summary>
    public const string BoundPortsFileVariable = "PERFEVAL_BOUND_PORTS_FILE";

    const int LogCapacity = 400;

    readonly Dictionary<string, string> _environment;
    readonly Queue<string> _log = new();
    readonly Lock _logLock = new();
    readonly string _boundPortsFile;
    Process? _process;
    int _starts;

    /// <param name="folder">The service's folder under services/ (e.g. "Ledger").</param>
    /// <param name="configuration">The build to run; by default the configuration of the calling assembly.</param>
    public ServiceProcess(string name, string folder, string repoRoot, IReadOnlyDictionary<string, string> environment, string? configuration = null)
    {
        Name = name;
        DllPath = BuiltDll(repoRoot, folder, name, configuration ?? TestConfiguration);
        _boundPortsFile = Path.Combine(Path.GetTempPath(), $"perfeval-{name.ToLowerInvariant()}-{Guid.NewGuid():N}.ports");
        _environment = new Dictionary<string, string>(environment, StringComparer.Ordinal)
        {
            ["Ports__BindAddress"] = "127.0.0.1",
            ["Ports__Grpc"] = "0",
            ["Ports__Http"] = "0",
            [BoundPortsFileVariable] = _boundPortsFile,
            ["DOTNET_ENVIRONMENT"] = "Development",
        };
    }

    /// <summary>"Ledger", "Indicator", "Scoring" or "Reporting".</summary>
    public string Name { get; }
    /// <summary>The gRPC port the child bound (0 until <see cref="WaitForPortsAsync"/> has read it).</summary>
    public int GrpcPort { get; private set; }
    /// <summary>The HTTP/1.1 port the child bound (0 until <see cref="WaitForPortsAsync"/> has read it).</summary>
    public int HttpPort { get; private set; }
    public string DllPath { get; }
    public Uri GrpcAddress => GrpcPort != 0
        ? new($"http://127.0.0.1:{GrpcPort}")
        : throw new InvalidOperationException($"{Name} has not reported its ports yet (await WaitForPortsAsync)");
    public IReadOnlyDictionary<string, string> Environment => _environment;
    public bool HasExited => _process is null || _process.HasExited;
    /// <summary>The process id of the running child.</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException($"{Name} was not started");

    /// <summary>Where the build puts a service: services/&lt;folder&gt;/bin/&lt;configuration&gt;/net10.0/PerfEval.&lt;name&gt;.dll.</summary>
    public static string BuiltDll(string repoRoot, string folder, string name, string configuration) =>
        Path.Combine(repoRoot, "services", folder, "bin", configuration, "net10.0", $"PerfEval.{name}.dll");

    /// <summary>The build configuration of the test assembly itself (…/bin/&lt;Configuration&gt;/net10.0/), Debug if unknown.</summary>
    public static string TestConfiguration { get; } = DetectConfiguration();

    static string DetectConfiguration()
    {
        var parts = Path.GetFullPath(typeof(ServiceProcess).Assembly.Location)
            .Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
        for (var i = parts.Length - 3; i >= 0; i--)
        {
            if (parts[i] == "bin" && parts[i + 2].StartsWith("net", StringComparison.Ordinal))
                return parts[i + 1];
        }
        return "Debug";
    }

    public void Start()
    {
        if (_process is { HasExited: false })
            throw new InvalidOperationException($"{Name} is already running (pid {_process.Id})");
        if (!File.Exists(DllPath))
            throw new FileNotFoundException(
                $"{Name} is not built: {DllPath} is missing (build the solution in {TestConfiguration} first)", DllPath);

        var start = new ProcessStartInfo("dotnet")
        {
            // appsettings.json is read from the content root, which is the working directory.
            WorkingDirectory = Path.GetDirectoryName(DllPath)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(DllPath);
        foreach (var (key, value) in _environment)
            start.Environment[key] = value;
        // A restart binds the ports of the first start again: the other services hold its address.
        if (GrpcPort != 0)
        {
            start.Environment["Ports__Grpc"] = GrpcPort.ToString(CultureInfo.InvariantCulture);
            start.Environment["Ports__Http"] = HttpPort.ToString(CultureInfo.InvariantCulture);
        }
        File.Delete(_boundPortsFile);

        var startNumber = Interlocked.Increment(ref _starts);
        AppendLog($"---- starting {Name} (start #{startNumber}): grpc {PortText(GrpcPort)}, http {PortText(HttpPort)}, {DllPath}");
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) AppendLog(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) AppendLog("[stderr] " + e.Data); };
        process.Exited += (_, _) => AppendLog($"---- {Name} exited (start #{startNumber})");
        if (!process.Start())
            throw new InvalidOperationException($"Could not start {Name}");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        Running.TryAdd(process, 0);
        process.Exited += (_, _) => Running.TryRemove(process, out _);
    }

    /// <summary>Children still running; killed if the test host exits without disposing them.</summary>
    static readonly System.Collections.Concurrent.ConcurrentDictionary<Process, byte> Running = new();

    static ServiceProcess() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var process in Running.Keys)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (Exception)
            {
                // Already gone; nothing else can be done while the host exits.
            }
        }
    };

    /// <summary>Starts the process and waits until it has reported its ports.</summary>
    public async Task StartAsync(DateTime deadlineUtc, CancellationToken cancellationToken = default)
    {
        Start();
        await WaitForPortsAsync(deadlineUtc, cancellationToken);
    }

    /// <summary>
    /// Waits for the file in which the child reports the ports it bound (written once Kestrel listens);
    /// fails early, with the log tail, when the process exits, and at the deadline.
    /// </summary>
    public async Task WaitForPortsAsync(DateTime deadlineUtc, CancellationToken cancellationToken = default)
    {
        var process = _process ?? throw new InvalidOperationException($"{Name} was not started");
        var ports = await UntilAsync($"{Name} to report its bound ports in {_boundPortsFile}", process, deadlineUtc,
            async _ => File.Exists(_boundPortsFile) ? await File.ReadAllLinesAsync(_boundPortsFile, cancellationToken) : null,
            lines => lines is not null, cancellationToken);
        var values = InfraSettings.ParseEnvFile(ports!);
        GrpcPort = ReportedPort(values, "grpc");
        HttpPort = ReportedPort(values, "http");
        AppendLog($"---- {Name} listens on grpc {GrpcPort}, http {HttpPort}");
    }

    /// <summary>
    /// Polls grpc.health.v1 Health/Check on the gRPC port until SERVING (reading the reported ports
    /// first if need be); fails early, with the log tail, when the process exits, and at the deadline.
    /// </summary>
    public async Task WaitHealthyAsync(DateTime deadlineUtc, CancellationToken cancellationToken = default)
    {
        var process = _process ?? throw new InvalidOperationException($"{Name} was not started");
        if (GrpcPort == 0)
            await WaitForPortsAsync(deadlineUtc, cancellationToken);
        using var channel = GrpcChannel.ForAddress(GrpcAddress);
        var health = new Health.HealthClient(channel);
        await UntilAsync($"{Name} to be SERVING on port {GrpcPort}", process, deadlineUtc,
            async token => (await health.CheckAsync(new HealthCheckRequest(), deadline: Min(deadlineUtc, DateTime.UtcNow.AddSeconds(2)),
                cancellationToken: token)).Status,
            status => status == HealthCheckResponse.Types.ServingStatus.Serving, cancellationToken);
    }

    /// <summary><see cref="Poll.UntilAsync"/> that stops at once, with the log tail, when the process exits.</summary>
    async Task<T> UntilAsync<T>(string what, Process process, DateTime deadlineUtc, Func<CancellationToken, Task<T>> probe,
        Func<T, bool> done, CancellationToken cancellationToken)
    {
        try
        {
            return await Poll.UntilAsync(what, Max(TimeSpan.Zero, deadlineUtc - DateTime.UtcNow), async token =>
            {
                if (process.HasExited)
                {
                    await DrainOutputAsync(process);
                    throw Failure($"{Name} exited with code {SafeExitCode(process)} while waiting for {what}");
                }
                return await probe(token);
            }, done, notYet: ex => ex is RpcException or IOException, cancellationToken: cancellationToken);
        }
        catch (PollTimeoutException timeout)
        {
            throw Failure(timeout.Message);
        }
    }

    static int ReportedPort(Dictionary<string, string> values, string name) =>
        values.TryGetValue(name, out var text) && int.TryParse(text, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
            ? port
            : throw new InvalidOperationException($"the bound-ports file has no valid '{name}=' line: [{string.Join(", ", values.Select(v => $"{v.Key}={v.Value}"))}]");

    static string PortText(int port) => port == 0 ? "any" : port.ToString(CultureInfo.InvariantCulture);

    static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>Kills the process tree at once (a crash, not a graceful stop) and waits for it to exit.</summary>
    public async Task KillAsync()
    {
        var process = _process;
        if (process is null)
            return;
        try
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw Failure($"{Name} (pid {process.Id}) did not exit within 30 s of being killed");
        }
    }

    /// <summary>Synchronous <see cref="KillAsync"/>, for crash tests.</summary>
    public void Kill() => KillAsync().GetAwaiter().GetResult();

    /// <summary>Kills the process if it runs and starts it again on the ports it bound first, with the same environment.</summary>
    public async Task RestartAsync()
    {
        await KillAsync();
        _process?.Dispose();
        _process = null;
        Start();
    }

    /// <summary>Synchronous <see cref="RestartAsync"/>.</summary>
    public void Restart() => RestartAsync().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        finally
        {
            _process?.Dispose();
            _process = null;
            File.Delete(_boundPortsFile);
        }
    }

    /// <summary>The last lines the process wrote (stdout and stderr interleaved).</summary>
    public IReadOnlyList<string> LogLines()
    {
        lock (_logLock)
            return [.. _log];
    }

    /// <summary>The last <paramref name="lines"/> lines, headed with the service name, for failure messages.</summary>
    public string LogTail(int lines = LogCapacity)
    {
        var all = LogLines();
        var tail = all.Skip(Math.Max(0, all.Count - lines));
        return $"==== {Name} (grpc {PortText(GrpcPort)}, http {PortText(HttpPort)}) last {Math.Min(lines, all.Count)} lines ====" +
               System.Environment.NewLine + string.Join(System.Environment.NewLine, tail);
    }

    void AppendLog(string line)
    {
        lock (_logLock)
        {
            _log.Enqueue(line);
            while (_log.Count > LogCapacity)
                _log.Dequeue();
        }
    }

    ServiceProcessException Failure(string reason) => new(Name, reason, LogTail());

    static string SafeExitCode(Process process)
    {
        try
        {
            return process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (InvalidOperationException)
        {
            return "?";
        }
    }

    /// <summary>Lets the last lines a dead process wrote reach the ring buffer before a failure message reads it.</summary>
    static async Task DrainOutputAsync(Process process)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            // Also waits for the redirected streams to reach end of file.
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // A grandchild may hold the pipes open; report what there is.
        }
    }

    static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;
}

/// <summary>A service that did not start or stop as expected; the message carries its last log lines.</summary>
public sealed class ServiceProcessException(string service, string reason, string logTail)
    : Exception(reason + Environment.NewLine + logTail)
{
    public string Service { get; } = service;

    /// <summary>What went wrong, without the log lines.</summary>
    public string Reason { get; } = reason;
}
