using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Grpc.Net.Client;
using Npgsql;
using NpgsqlTypes;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Client;
using PerfEval.Testing;

// Ledger ingest benchmark (issue 3, item 7). Usage, from the repository root after
// `. .local/infra/env.sh` and `dotnet build services/Ledger -c Release`:
//   dotnet run -c Release --project benchmarks/PerfEval.Ledger.Benchmarks -- [--lines 1000000] [--chunk-lines 10000] [--calls 10000] [--rounds 3]
// Every measurement uses a fresh database (dropped after it); each round prints:
//   1. raw Npgsql binary COPY of the same rows into a bare table with the same indexes (rows/s);
//   2. the streaming RPC with the outbox on and off (lines/s, ratio to raw COPY, outbox rows written);
//   3. p50/p99 latency of unary PostEntries beside a raw INSERT + COMMIT loop.
var lines = IntArg("--lines", 1_000_000);
var chunkLines = IntArg("--chunk-lines", 10_000);
var calls = IntArg("--calls", 10_000);
var rounds = IntArg("--rounds", 3);
// Chunks streamed (and rows copied) before the clock starts: past the JIT's 30-call threshold.
const int WarmUpChunks = 40;
// Chunks the ledger ingests before the clock starts (40 per warm-up stream). Measured: with 40 the
// ledger still spent a quarter more CPU per timed million lines than with 160 (JIT still tiering).
const int WarmUpStreamChunks = 160;
var runId = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));
var infra = InfraSettings.Load();
var server = new NpgsqlConnectionStringBuilder(infra.PostgresConnectionString);
var ledgerDll = ServiceProcess.BuiltDll(infra.RepoRoot, "Ledger", "Ledger", "Release");
if (!File.Exists(ledgerDll))
{
    Console.Error.WriteLine($"{ledgerDll} is missing: run `dotnet build services/Ledger -c Release` first");
    return 2;
}

Console.WriteLine($"ledger ingest benchmark: {lines:N0} journal lines ({lines / 2:N0} two-line entries), {chunkLines:N0} lines per stream message, {Environment.ProcessorCount} CPUs");
var entries = lines / 2;
var entriesPerChunk = chunkLines / 2;

// The machine is shared and noisy (raw COPY alone moves by ±20 % between runs), so each round
// measures raw COPY, the stream with the outbox off and the stream with it on back to back, and
// the ratios are taken within a round; the summary gives the median over the rounds.
var ratios = new Dictionary<bool, List<double>> { [false] = [], [true] = [] };
var outboxCosts = new List<double>();
for (var round = 1; round <= rounds; round++)
{
    Console.WriteLine($"-- round {round} of {rounds}");
    var rawRate = await RawCopyAsync(measureLatency: round == 1);
    var rates = new Dictionary<bool, double>();
    // The order alternates between rounds, so whatever the first run of a round leaves behind
    // (WAL, page cache, a busier broker) does not always land on the same side of the comparison.
    foreach (var publish in round % 2 == 1 ? new[] { false, true } : new[] { true, false })
    {
        rates[publish] = await StreamAsync(publish, rawRate, measureLatency: round == 1);
        ratios[publish].Add(rates[publish] / rawRate);
    }
    outboxCosts.Add(rates[true] / rates[false]);
    Console.WriteLine($"   outbox cost in this round: ingest with it on runs at {rates[true] / rates[false]:P1} of the rate with it off");
}
Console.WriteLine($"summary over {rounds} round(s), median: stream at {Median(ratios[false]):P1} of raw COPY with the outbox off, " +
    $"{Median(ratios[true]):P1} with it on; with it on, ingest runs at {Median(outboxCosts):P1} of the rate with it off");
return 0;

// 1. Raw COPY of the same rows into a bare table with the same indexes, in a fresh database;
//    in the first round also the latency of a raw INSERT + COMMIT.
async Task<double> RawCopyAsync(bool measureLatency)
{
    var rawDb = $"perfeval_bench_{runId}_raw";
    await CreateDatabaseAsync(rawDb);
    double rawRate;
    await using (var raw = NpgsqlDataSource.Create(Connection(rawDb)))
    {
        await using (var create = raw.CreateCommand(
            """
            create table bare_lines (entry_id text not null, line_no int not null, subject_id bigint not null, fiscal_year int not null,
                posting_date date not null, account_code text not null, side smallint not null, amount_fen bigint not null,
                primary key (entry_id, line_no));
            create index bare_lines_evaluation on bare_lines (subject_id, fiscal_year);
            create table bare_warm_up (like bare_lines including indexes);
            create table bare_single (id bigserial primary key, entry_id text not null unique, amount_fen bigint not null);
            """))
            await create.ExecuteNonQueryAsync();
        await using var connection = await raw.OpenConnectionAsync();
        // The same warm-up as the service gets: the client's COPY code compiled before the clock starts.
        await CopyBareLinesAsync(connection, "bare_warm_up", Math.Min(entries, WarmUpChunks * entriesPerChunk));
        await CheckpointAsync();
        var cpuBefore = CpuSeconds(ledgerPid: -1);
        var watch = Stopwatch.StartNew();
        await CopyBareLinesAsync(connection, "bare_lines", entries);
        watch.Stop();
        var cpu = CpuSeconds(ledgerPid: -1) - cpuBefore;
        rawRate = lines / watch.Elapsed.TotalSeconds;
        Console.WriteLine($"raw binary COPY (8 columns, PK + 1 index):   {rawRate,12:N0} rows/s  ({watch.Elapsed.TotalSeconds:N2} s)");
        Console.WriteLine($"   CPU seconds during the COPY: client {cpu.Client:N2}, postgres {cpu.Postgres:N2}");

        if (measureLatency)
        {
            // Latency baseline: one INSERT + COMMIT per call.
            var latencies = new double[calls];
            await using var single = await raw.OpenConnectionAsync();
            for (var i = 0; i < calls; i++)
            {
                var t = Stopwatch.GetTimestamp();
                await using var tx = await single.BeginTransactionAsync();
                await using (var insert = new NpgsqlCommand("insert into bare_single (entry_id, amount_fen) values ($1, $2)", single, tx))
                {
                    insert.Parameters.Add(new NpgsqlParameter { Value = EntryId("single", i) });
                    insert.Parameters.Add(new NpgsqlParameter { Value = 100L });
                    await insert.ExecuteNonQueryAsync();
                }
                await tx.CommitAsync();
                latencies[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            }
            PrintLatency("raw Npgsql INSERT + COMMIT", latencies);
        }
    }
    await DropDatabaseAsync(rawDb);
    return rawRate;
}

// The synchronous Write, as the service uses: the fastest way Npgsql offers, so the baseline is
// not slowed by a Task per value.
static async Task CopyBareLinesAsync(NpgsqlConnection connection, string table, int entries)
{
    await using var copy = await connection.BeginBinaryImportAsync(
        $"copy {table} (entry_id, line_no, subject_id, fiscal_year, posting_date, account_code, side, amount_fen) from stdin (format binary)");
    var date = new DateOnly(2020, 6, 30);
    for (var e = 0; e < entries; e++)
    for (var l = 0; l < 2; l++)
    {
        copy.StartRow();
        copy.Write(EntryId("raw", e), NpgsqlDbType.Text);
        copy.Write(l, NpgsqlDbType.Integer);
        copy.Write(1L, NpgsqlDbType.Bigint);
        copy.Write(2020, NpgsqlDbType.Integer);
        copy.Write(date, NpgsqlDbType.Date);
        copy.Write(l == 0 ? "1002" : "4001", NpgsqlDbType.Text);
        copy.Write((short)(l + 1), NpgsqlDbType.Smallint);
        copy.Write(100L + e % 1000, NpgsqlDbType.Bigint);
    }
    await copy.CompleteAsync();
}

// 2. The streaming RPC into a fresh database, outbox on or off; 3. in the first round, unary latency.
async Task<double> StreamAsync(bool publish, double rawRate, bool measureLatency)
{
    var db = $"perfeval_bench_{runId}_{(publish ? "on" : "off")}";
    await using var ledger = await LedgerProcess.StartAsync(infra, db, publish);
    // Authenticated as a provincial integration system would be: the token's region check runs on every chunk.
    var token = AccessTokens.Mint(LedgerProcess.Auth, "bench-xinjiang-integration", "650000", TimeSpan.FromHours(2));
    using var channel = BearerChannels.ForAddress(ledger.Address.ToString(), token,
        new GrpcChannelOptions { MaxSendMessageSize = 64 << 20, MaxReceiveMessageSize = 64 << 20 });
    var client = new LedgerService.LedgerServiceClient(channel);
    var key = new EvaluationKey { RegionCode = "653129", SubjectCode = "bench-fund", FiscalYear = 2020 };
    await client.CreateEvaluationSubjectAsync(new CreateEvaluationSubjectRequest
    {
        RequestId = "bench-subject", RegionCode = key.RegionCode, SubjectCode = key.SubjectCode, Kind = SubjectKind.ResidentFund, Name = "benchmark fund",
    });

    // Built before the clock starts: the figure is the server's ingest, not the client's protobuf building.
    var chunks = new List<StreamPostEntriesRequest>();
    for (var start = 0; start < entries; start += entriesPerChunk)
    {
        var batch = new PostEntriesRequest { Evaluation = key };
        for (var e = start; e < Math.Min(entries, start + entriesPerChunk); e++)
            batch.Entries.Add(new JournalEntry
            {
                EntryId = EntryId("stream", e),
                PostingDate = "2020-06-30",
                Lines =
                {
                    new JournalLine { AccountCode = "1002", Side = Side.Debit, AmountFen = 100 + e % 1000 },
                    new JournalLine { AccountCode = "4001", Side = Side.Credit, AmountFen = 100 + e % 1000 },
                },
            });
        chunks.Add(new StreamPostEntriesRequest { Sequence = chunks.Count, Batch = batch });
    }

    // Warm-up on another subject, so the timed run measures the service in its steady state, not
    // its start: first connections, and the JIT's tiering, which wants 30 calls of a method before
    // it compiles it fully (profiled: with a 5-chunk warm-up the JIT took a fifth of the ledger's
    // CPU during the timed stream).
    var warm = new EvaluationKey(key) { SubjectCode = "bench-warm-up" };
    await client.CreateEvaluationSubjectAsync(new CreateEvaluationSubjectRequest
    {
        RequestId = "bench-warm-up", RegionCode = warm.RegionCode, SubjectCode = warm.SubjectCode, Kind = SubjectKind.ResidentFund, Name = "warm-up",
    });
    // The same warm-up in both modes, long enough for the publish path (dispatcher, MassTransit) to
    // pass the tiering threshold too: events are coalesced (about one per 100 ms), so 40 chunks
    // publish only a dozen, and the rest of its JIT used to land inside the timed stream.
    var warmUpChunks = 0;
    do
    {
        using var warmUp = client.StreamPostEntries();
        for (var c = 0; c < WarmUpChunks; c++)
        {
            var batch = chunks[c % chunks.Count].Batch.Clone();
            batch.Evaluation = warm;
            foreach (var entry in batch.Entries)
                entry.EntryId = $"warm{warmUpChunks + c}-{entry.EntryId}";
            await warmUp.RequestStream.WriteAsync(new StreamPostEntriesRequest { Sequence = c, Batch = batch });
        }
        await warmUp.RequestStream.CompleteAsync();
        await foreach (var _ in warmUp.ResponseStream.ReadAllAsync()) { }
        warmUpChunks += WarmUpChunks;
    } while (warmUpChunks < WarmUpStreamChunks);
    await CheckpointAsync();

    var cpuBefore = CpuSeconds(ledger.ProcessId);
    var watch = Stopwatch.StartNew();
    using (var call = client.StreamPostEntries())
    {
        var reading = Task.Run(async () =>
        {
            var acked = 0;
            await foreach (var _ in call.ResponseStream.ReadAllAsync())
                acked++;
            return acked;
        });
        foreach (var chunk in chunks)
            await call.RequestStream.WriteAsync(chunk);
        await call.RequestStream.CompleteAsync();
        var acks = await reading;
        if (acks != chunks.Count)
            throw new InvalidOperationException($"{acks} acknowledgements for {chunks.Count} chunks");
    }
    watch.Stop();
    var cpu = CpuSeconds(ledger.ProcessId) - cpuBefore;
    var rate = lines / watch.Elapsed.TotalSeconds;
    var outboxRows = await ScalarAsync(db, "select count(*) from outbox");
    var stored = await ScalarAsync(db, "select count(*) from journal_lines where entry_id like 'stream-%'");
    Console.WriteLine($"StreamPostEntries, outbox {(publish ? "on " : "off")}:             {rate,12:N0} lines/s ({watch.Elapsed.TotalSeconds:N2} s; " +
        $"{stored:N0} lines stored, {rate / rawRate:P1} of raw COPY; {outboxRows} outbox rows for {chunks.Count} chunks + {warmUpChunks} warm-up chunks)");
    // Where the two cores went while it ran: this program (the gRPC client), the ledger process,
    // every PostgreSQL process and the RabbitMQ node.
    Console.WriteLine($"   CPU seconds during the stream: client {cpu.Client:N2}, ledger {cpu.Ledger:N2}, postgres {cpu.Postgres:N2}, rabbitmq {cpu.Broker:N2}");

    if (measureLatency)
    {
        var latencies = new double[calls];
        await CheckpointAsync();
        for (var i = 0; i < calls; i++)
        {
            var request = new PostEntriesRequest
            {
                Evaluation = key,
                Entries =
                {
                    new JournalEntry
                    {
                        EntryId = EntryId("unary", i), PostingDate = "2020-07-01",
                        Lines =
                        {
                            new JournalLine { AccountCode = "1002", Side = Side.Debit, AmountFen = 100 },
                            new JournalLine { AccountCode = "4001", Side = Side.Credit, AmountFen = 100 },
                        },
                    },
                },
            };
            var t = Stopwatch.GetTimestamp();
            await client.PostEntriesAsync(request, deadline: DateTime.UtcNow.AddSeconds(30));
            latencies[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
        }
        PrintLatency($"unary PostEntries (1 entry, 2 lines), outbox {(publish ? "on" : "off")}", latencies);
        // The same round trip without a write: what gRPC, the service and a read cost on this machine.
        for (var i = 0; i < calls; i++)
        {
            var t = Stopwatch.GetTimestamp();
            await client.GetBalancesAsync(new GetBalancesRequest { Evaluation = key }, deadline: DateTime.UtcNow.AddSeconds(30));
            latencies[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
        }
        PrintLatency("unary GetBalances (read, for reference)", latencies);
        Console.WriteLine($"  outbox rows after {calls:N0} unary calls: {await ScalarAsync(db, "select count(*) from outbox")}");
    }
    await ledger.DisposeAsync();
    await DropDatabaseAsync(db);
    return rate;
}

// CPU seconds (user + system) from /proc: this process, the ledger, all postgres processes and
// the Erlang VM of RabbitMQ. Zeros where /proc is not there.
static CpuTimes CpuSeconds(int ledgerPid)
{
    if (!Directory.Exists("/proc"))
        return new CpuTimes(0, 0, 0, 0);
    double client = 0, ledger = 0, postgres = 0, broker = 0;
    var ticks = 100.0; // USER_HZ, 100 on every Linux we run on
    foreach (var dir in Directory.EnumerateDirectories("/proc"))
    {
        if (!int.TryParse(Path.GetFileName(dir), out var pid))
            continue;
        string stat;
        try { stat = File.ReadAllText(Path.Combine(dir, "stat")); }
        catch (IOException) { continue; }
        catch (UnauthorizedAccessException) { continue; }
        var open = stat.IndexOf('(');
        var close = stat.LastIndexOf(')');
        var name = stat[(open + 1)..close];
        var fields = stat[(close + 2)..].Split(' ');
        var seconds = (double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture)) / ticks;
        if (pid == Environment.ProcessId) client += seconds;
        else if (pid == ledgerPid) ledger += seconds;
        else if (name == "postgres") postgres += seconds;
        else if (name.StartsWith("beam", StringComparison.Ordinal)) broker += seconds;
    }
    return new CpuTimes(client, ledger, postgres, broker);
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

string Connection(string? database) => new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = database ?? "postgres" }.ConnectionString;

async Task CreateDatabaseAsync(string name)
{
    await using var connection = new NpgsqlConnection(Connection("postgres"));
    await connection.OpenAsync();
    await using var create = new NpgsqlCommand($"create database \"{name}\"", connection);
    await create.ExecuteNonQueryAsync();
}

async Task DropDatabaseAsync(string name)
{
    NpgsqlConnection.ClearAllPools();
    await using var connection = new NpgsqlConnection(Connection("postgres"));
    await connection.OpenAsync();
    await using var drop = new NpgsqlCommand($"drop database if exists \"{name}\" with (force)", connection);
    await drop.ExecuteNonQueryAsync();
}

// Every timed run starts from the same WAL state: a checkpoint left over from the previous run
// (or from dropping its database) would otherwise land inside the next measurement.
async Task CheckpointAsync()
{
    await using var connection = new NpgsqlConnection(Connection("postgres"));
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand("checkpoint", connection);
    await command.ExecuteNonQueryAsync();
}

async Task<long> ScalarAsync(string database, string sql)
{
    await using var connection = new NpgsqlConnection(Connection(database));
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand(sql, connection);
    return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
}

static void PrintLatency(string what, double[] milliseconds)
{
    Array.Sort(milliseconds);
    double P(double q) => milliseconds[Math.Min(milliseconds.Length - 1, (int)Math.Ceiling(q * milliseconds.Length) - 1)];
    Console.WriteLine($"{what,-45} p50 {P(0.50),7:N3} ms  p99 {P(0.99),7:N3} ms  over {milliseconds.Length:N0} calls");
}

static string EntryId(string prefix, int n) => $"{prefix}-{n:D8}";

int IntArg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

readonly record struct CpuTimes(double Client, double Ledger, double Postgres, double Broker)
{
    public static CpuTimes operator -(CpuTimes a, CpuTimes b) =>
        new(a.Client - b.Client, a.Ledger - b.Ledger, a.Postgres - b.Postgres, a.Broker - b.Broker);
}

/// <summary>The Release ledger as a child process on loopback ports of its choosing, with its own database.</summary>
sealed class LedgerProcess : IAsyncDisposable
{
    readonly ServiceProcess _service;

    LedgerProcess(ServiceProcess service) => _service = service;

    public Uri Address => _service.GrpcAddress;

    public int ProcessId => _service.ProcessId;

    /// <summary>The benchmark's own signing key, random per run.</summary>
    public static AuthOptions Auth { get; } = new() { SigningKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48)) };

    public static async Task<LedgerProcess> StartAsync(InfraSettings infra, string database, bool publish)
    {
        var environment = infra.ServiceEnvironment();
        environment["Postgres__Database"] = database;
        environment["Ledger__PublishEvents"] = publish ? "true" : "false";
        environment["Auth__SigningKey"] = Auth.SigningKey;
        environment["RabbitMq__QueuePrefix"] = $"bench-{database}";
        // The service logs as it would in production; the ring buffer only serves a failure message.
        var service = new ServiceProcess("Ledger", "Ledger", infra.RepoRoot, environment, configuration: "Release");
        service.Start();
        try
        {
            await service.WaitHealthyAsync(DateTime.UtcNow.AddSeconds(60));
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
        return new LedgerProcess(service);
    }

    public ValueTask DisposeAsync() => _service.DisposeAsync();
}
