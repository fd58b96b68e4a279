using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace PerfEval.EndToEnd.Tests.Infrastructure;

/// <summary>
/// One PerfEval service running as a child process (<c>dotnet services/&lt;Folder&gt;/bin/&lt;Configuration&gt;/net10.0/PerfEval.&lt;Name&gt;.dll</c>)
/// on its own loopback ports, with its console output kept in a ring buffer for failure messages.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    const int LogCapacity = 400;

    readonly Dictionary<string, string> _environment;
    readonly Queue<string> _log = new();
    readonly Lock _logLock = new();
    Process? _process;
    int _starts;

    public ServiceProcess(string name, string folder, string repoRoot, int grpcPort, int httpPort,
        IReadOnlyDictionary<string, string> environment)
    {
        Name = name;
        GrpcPort = grpcPort;
        HttpPort = httpPort;
        DllPath = Path.Combine(repoRoot, "services", folder, "bin", TestConfiguration, "net10.0", $"PerfEval.{name}.dll");
        _environment = new Dictionary<string, string>(environment, StringComparer.Ordinal)
        {
            ["Ports__BindAddress"] = "127.0.0.1",
            ["Ports__Grpc"] = grpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Ports__Http"] = httpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["DOTNET_ENVIRONMENT"] = "Development",
        };
    }

    /// <summary>"Ledger", "Indicator", "Scoring" or "Reporting".</summary>
    public string Name { get; }
    public int GrpcPort { get; }
    public int HttpPort { get; }
    public string DllPath { get; }
    public Uri GrpcAddress => new($"http://127.0.0.1:{GrpcPort}");
    public IReadOnlyDictionary<string, string> Environment => _environment;
    public bool HasExited => _process is null || _process.HasExited;

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

    /// <summary>A port free right now on 127.0.0.1 (bound to port 0 and released).</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
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

        var startNumber = Interlocked.Increment(ref _starts);
        AppendLog($"---- starting {Name} (start #{startNumber}): grpc {GrpcPort}, http {HttpPort}, {DllPath}");
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

    /// <summary>
    /// Polls grpc.health.v1 Health/Check on the gRPC port until SERVING; fails early, with the log
    /// tail, when the process exits, and at the deadline.
    /// </summary>
    public async Task WaitHealthyAsync(DateTime deadlineUtc, CancellationToken cancellationToken = default)
    {
        var process = _process ?? throw new InvalidOperationException($"{Name} was not started");
        using var channel = GrpcChannel.ForAddress(GrpcAddress);
        var health = new Health.HealthClient(channel);
        var exited = process.WaitForExitAsync(cancellationToken);
        string last = "no answer yet";

        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                await DrainOutputAsync(process);
                throw Failure($"{Name} exited with code {SafeExitCode(process)} before it became healthy");
            }
            var now = DateTime.UtcNow;
            if (now >= deadlineUtc)
                throw Failure($"{Name} was not SERVING on port {GrpcPort} by the deadline (last: {last})");

            try
            {
                var callDeadline = Min(deadlineUtc, now.AddSeconds(2));
                var reply = await health.CheckAsync(new HealthCheckRequest(), deadline: callDeadline, cancellationToken: cancellationToken);
                if (reply.Status == HealthCheckResponse.Types.ServingStatus.Serving)
                    return;
                last = reply.Status.ToString();
            }
            catch (RpcException ex)
            {
                last = $"{ex.StatusCode}: {ex.Status.Detail}";
            }

            // Poll again shortly, or at once when the process exits.
            var pause = Min(deadlineUtc, DateTime.UtcNow.AddMilliseconds(200)) - DateTime.UtcNow;
            if (pause > TimeSpan.Zero)
                await Task.WhenAny(exited, Task.Delay(pause, cancellationToken));
        }
    }

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

    /// <summary>Kills the process if it runs and starts it again on the same ports with the same environment.</summary>
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
        return $"==== {Name} (grpc {GrpcPort}, http {HttpPort}) last {Math.Min(lines, all.Count)} lines ====" +
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
