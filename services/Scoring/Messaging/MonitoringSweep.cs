using PerfEval.Scoring.Domain;
using PerfEval.Scoring.Application;

namespace PerfEval.Scoring.Messaging;

/// <summary>
/// Re-evaluates in-year monitoring colours on a timer: a pro-rated target grows with the calendar, so an
/// item with no new postings turns yellow, then red, and that change must be announced too. Replicas may
/// sweep at once; the state-row lock and the stored colour make the second sweep a no-op.
/// </summary>
public sealed class MonitoringSweep(Rescoring rescoring, ScoringSettings settings, ILogger<MonitoringSweep> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(Math.Max(1, settings.MonitoringSweepMinutes)));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                foreach (var key in await rescoring.OpenEvaluationsAsync(stoppingToken))
                    await rescoring.RecheckMonitoringAsync(key, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The next tick tries again; a database outage must not stop the sweep for good.
                logger.LogWarning(ex, "Monitoring sweep failed; retrying at the next tick");
            }
        }
    }
}
