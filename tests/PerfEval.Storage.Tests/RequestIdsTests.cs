using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Npgsql;
using PerfEval.SharedKernel.Errors;

namespace PerfEval.Storage.Tests;

public class RequestIdsTests
{
    /// <summary>An idempotent write that counts its own runs in a table of the test's database.</summary>
    static async Task<(Int64Value Response, bool Replayed)> WriteAsync(NpgsqlDataSource dataSource, string requestId, IMessage request,
        double holdSeconds = 0) =>
        await RequestIds.OnceAsync(dataSource, requestId, request, Int64Value.Parser, async (connection, transaction) =>
        {
            var run = (long)(await Sql.ScalarAsync(connection, transaction, "insert into runs default values returning id", CancellationToken.None))!;
            if (holdSeconds > 0)
                await Sql.ExecuteAsync(connection, transaction, "select pg_sleep($1)", CancellationToken.None, holdSeconds);
            return new Int64Value { Value = run };
        }, CancellationToken.None);

    static async Task<NpgsqlDataSource> DatabaseWithRunsAsync()
    {
        var (dataSource, _) = await Infra.NewDatabaseAsync();
        await using var connection = await dataSource.OpenConnectionAsync();
        await Sql.ExecuteAsync(connection, null, "create table runs (id bigserial primary key)", CancellationToken.None);
        return dataSource;
    }

    static async Task<long> RunsAsync(NpgsqlDataSource dataSource)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        return (long)(await Sql.ScalarAsync(connection, null, "select count(*) from runs", CancellationToken.None))!;
    }

    [Fact]
    public async Task The_first_write_runs_and_is_stored_with_its_caller()
    {
        var dataSource = await DatabaseWithRunsAsync();
        var (response, replayed) = await WriteAsync(dataSource, "req-1", new StringValue { Value = "define" });

        Assert.False(replayed);
        Assert.Equal(1, await RunsAsync(dataSource));
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var command = Sql.Command(connection, null, "select response, caller from request_ids where request_id = $1", "req-1");
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(response, Int64Value.Parser.ParseFrom((byte[])reader[0]));
        Assert.Equal("service", reader.GetString(1));
    }

    [Fact]
    public async Task A_retry_replays_the_first_answer_without_writing_again()
    {
        var dataSource = await DatabaseWithRunsAsync();
        var (first, _) = await WriteAsync(dataSource, "req-1", new StringValue { Value = "define" });
        var (again, replayed) = await WriteAsync(dataSource, "req-1", new StringValue { Value = "define" });

        Assert.True(replayed);
        Assert.Equal(first, again);
        Assert.Equal(1, await RunsAsync(dataSource));
    }

    [Fact]
    public async Task Another_request_under_a_used_id_is_refused_as_a_conflict()
    {
        var dataSource = await DatabaseWithRunsAsync();
        await WriteAsync(dataSource, "req-1", new StringValue { Value = "define" });

        var otherContent = await Assert.ThrowsAsync<ConflictException>(() => WriteAsync(dataSource, "req-1", new StringValue { Value = "bind" }));
        Assert.Equal("request_id", otherContent.Field);
        // The same bytes as another message type are another request too.
        var otherType = await Assert.ThrowsAsync<ConflictException>(() => WriteAsync(dataSource, "req-1", new BytesValue { Value = new StringValue { Value = "define" }.ToByteString() }));
        Assert.Equal("request_id", otherType.Field);
        Assert.Equal(1, await RunsAsync(dataSource));
    }

    [Fact]
    public async Task Concurrent_retries_are_serialized_and_write_once()
    {
        var dataSource = await DatabaseWithRunsAsync();
        // The first holds its transaction open a little, so the others arrive while it runs.
        var calls = Enumerable.Range(0, 6)
            .Select(_ => Task.Run(() => WriteAsync(dataSource, "req-1", new StringValue { Value = "define" }, holdSeconds: 0.3)))
            .ToList();
        var results = await Task.WhenAll(calls);

        Assert.Equal(1, await RunsAsync(dataSource));
        Assert.Single(results, r => !r.Replayed);
        Assert.Single(results.Select(r => r.Response).Distinct());
    }
}
