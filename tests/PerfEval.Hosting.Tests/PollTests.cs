using PerfEval.Testing;

namespace PerfEval.Hosting.Tests;

/// <summary>The test kit's polling: it returns the first good answer, and a timeout says what it waited for and what it saw last.</summary>
public class PollTests
{
    [Fact]
    public async Task Returns_the_first_answer_that_is_good_enough()
    {
        var calls = 0;
        var answer = await Poll.UntilAsync("the third call", TimeSpan.FromSeconds(10),
            _ => Task.FromResult(++calls), n => n >= 3, interval: TimeSpan.FromMilliseconds(1));
        Assert.Equal(3, answer);
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task A_timeout_names_what_was_awaited_and_the_last_answer_seen()
    {
        var calls = 0;
        var timeout = await Assert.ThrowsAsync<PollTimeoutException>(() => Poll.UntilAsync("the ledger version 7", TimeSpan.FromMilliseconds(300),
            _ => Task.FromResult(++calls), n => n > 1_000_000, describe: n => $"version {n}", interval: TimeSpan.FromMilliseconds(20)));
        Assert.Equal("the ledger version 7", timeout.What);
        Assert.Equal($"version {calls}", timeout.LastSeen);
        Assert.Contains("the ledger version 7", timeout.Message);
        Assert.Contains($"last seen: version {calls}", timeout.Message);
    }

    [Fact]
    public async Task Failures_it_is_told_to_expect_count_as_not_yet_and_are_reported_when_they_last()
    {
        var calls = 0;
        var answer = await Poll.UntilAsync("a value after two refusals", TimeSpan.FromSeconds(10),
            _ => ++calls < 3 ? throw new KeyNotFoundException("not there yet") : Task.FromResult("there"),
            _ => true, notYet: e => e is KeyNotFoundException, interval: TimeSpan.FromMilliseconds(1));
        Assert.Equal("there", answer);

        var timeout = await Assert.ThrowsAsync<PollTimeoutException>(() => Poll.UntilAsync<string>("a value that never comes", TimeSpan.FromMilliseconds(100),
            _ => throw new KeyNotFoundException("still not there"), _ => true, notYet: e => e is KeyNotFoundException));
        Assert.Equal("KeyNotFoundException: still not there", timeout.LastSeen);
    }

    [Fact]
    public async Task Any_other_failure_ends_the_wait_at_once()
    {
        var calls = 0;
        await Assert.ThrowsAsync<InvalidOperationException>(() => Poll.UntilAsync<int>("a probe that breaks", TimeSpan.FromSeconds(10),
            _ => { calls++; throw new InvalidOperationException("broken"); }, _ => true, notYet: e => e is KeyNotFoundException));
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task A_probe_cut_off_by_the_deadline_is_the_timeout_not_its_own_failure()
    {
        var timeout = await Assert.ThrowsAsync<PollTimeoutException>(() => Poll.UntilAsync("a hanging call", TimeSpan.FromMilliseconds(200),
            async token => { await Task.Delay(Timeout.Infinite, token); return 0; }, _ => true));
        Assert.Equal("nothing (no answer yet)", timeout.LastSeen);
    }
}
