namespace PerfEval.Testing;

/// <summary>
/// Asks again and again until an answer is good enough or a deadline passes: the one way tests wait
/// for something asynchronous (no fixed sleeps). A timeout names what was awaited and the last
/// answer (or failure) seen, so a red test says how far the system got.
/// </summary>
public static class Poll
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Calls <paramref name="probe"/> until <paramref name="done"/> holds for its answer and returns that
    /// answer. A probe failure that <paramref name="notYet"/> accepts (e.g. NOT_FOUND before a
    /// consumer has run) counts as "not yet"; any other failure ends the wait at once.
    /// </summary>
    /// <param name="what">What is awaited, for the timeout message ("the scorecard of 653129/x/2020").</param>
    /// <param name="describe">How an answer reads in the timeout message; ToString() by default.</param>
    public static async Task<T> UntilAsync<T>(
        string what,
        TimeSpan timeout,
        Func<CancellationToken, Task<T>> probe,
        Func<T, bool> done,
        Func<Exception, bool>? notYet = null,
        Func<T, string>? describe = null,
        TimeSpan? interval = null,
        CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        var lastSeen = "nothing (no answer yet)";
        while (true)
        {
            try
            {
                var answer = await probe(timeoutSource.Token);
                if (done(answer))
                    return answer;
                lastSeen = answer is null ? "null" : describe?.Invoke(answer) ?? answer.ToString() ?? answer.GetType().Name;
            }
            // A probe cut off by the timeout (gRPC reports it as CANCELLED, not as an OperationCanceledException) is the timeout.
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested &&
                                       (timeoutSource.IsCancellationRequested || notYet?.Invoke(ex) == true))
            {
                // An expected refusal is worth reporting even when it came after the deadline (a slow
                // first call on a loaded machine); only a probe cut off by the timeout says nothing.
                if (!timeoutSource.IsCancellationRequested || notYet?.Invoke(ex) == true)
                    lastSeen = $"{ex.GetType().Name}: {ex.Message}";
            }

            var pause = Min(deadline - DateTime.UtcNow, interval ?? DefaultInterval);
            if (pause <= TimeSpan.Zero)
                throw new PollTimeoutException(what, timeout, lastSeen);
            await Task.Delay(pause, cancellationToken);
        }
    }

    /// <summary>Waits until <paramref name="probe"/> answers something that is not null, and returns it.</summary>
    public static async Task<T> UntilFoundAsync<T>(
        string what, TimeSpan timeout, Func<CancellationToken, Task<T?>> probe, Func<Exception, bool>? notYet = null,
        CancellationToken cancellationToken = default) where T : class =>
        (await UntilAsync(what, timeout, probe, found => found is not null, notYet, cancellationToken: cancellationToken))!;

    static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}

/// <summary>A wait of <see cref="Poll"/> that ran out of time.</summary>
public sealed class PollTimeoutException(string what, TimeSpan timeout, string lastSeen)
    : TimeoutException($"Waited {timeout.TotalSeconds:0.#} s for {what}; last seen: {lastSeen}")
{
    public string What { get; } = what;
    public string LastSeen { get; } = lastSeen;
}
