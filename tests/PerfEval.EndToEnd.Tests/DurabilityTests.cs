using System.Diagnostics;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Events.V1;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Contracts.Reporting.V1;
using PerfEval.Hosting.Evaluations;
using PerfEval.EndToEnd.Tests.Infrastructure;

namespace PerfEval.EndToEnd.Tests;

/// <summary>
/// An acknowledged posting is never lost: not when services crash (kill -9) around it, not when the
/// broker is away while it is made. Each proof ends in the report that the posting must produce.
/// </summary>
public sealed partial class WalkingSkeletonTests
{
    [Fact(DisplayName = "Acknowledged postings survive a crash of every service")]
    public Task AcknowledgedPostingsSurviveACrashOfEveryService() => WithDiagnosticsAsync(async () =>
    {
        var evaluation = NewEvaluation();
        await CreateSubjectAsync(evaluation);

        // The consumers are dead while the ledger acknowledges; then the ledger dies too, possibly
        // before its outbox row was published.
        await cluster.IndicatorProcess.KillAsync();
        await cluster.ScoringProcess.KillAsync();
        await cluster.ReportingProcess.KillAsync();
        await SetBudgetAsync(evaluation);
        var posted = await cluster.Ledger.PostEntriesAsync(Batch(evaluation, QuarterlyIncome()), deadline: Deadline());
        Assert.All(posted.Results, r => Assert.False(r.Replayed));
        await cluster.LedgerProcess.KillAsync();

        foreach (var process in cluster.Processes)
            await process.RestartAsync();
        await AwaitHealthyAsync();

        var report = await WaitForReportAsync(evaluation, text => text.Contains("105.91%", StringComparison.Ordinal));
        Assert.Equal("100.00", report.Total);
        var balances = await cluster.Ledger.GetBalancesAsync(new GetBalancesRequest { Evaluation = evaluation }, deadline: Deadline());
        Assert.Equal(ActualFen, ActualOf(balances, IncomeAccount));
    });

    [Fact(DisplayName = "Acknowledged postings survive a broker outage")]
    public Task AcknowledgedPostingsSurviveABrokerOutage() => WithDiagnosticsAsync(async () =>
    {
        var evaluation = NewEvaluation();
        await CreateSubjectAsync(evaluation);

        await RabbitMqCtlAsync("stop_app");
        try
        {
            // The ledger only needs PostgreSQL to acknowledge: the event waits in its outbox.
            await SetBudgetAsync(evaluation);
            await cluster.Ledger.PostEntriesAsync(Batch(evaluation, QuarterlyIncome()), deadline: Deadline());
        }
        finally
        {
            await RabbitMqCtlAsync("start_app");
        }

        var report = await WaitForReportAsync(evaluation, text => text.Contains("105.91%", StringComparison.Ordinal));
        Assert.Equal("优", report.Grade);
    });

    async Task AwaitHealthyAsync()
    {
        var deadline = DateTime.UtcNow + PerfEvalCluster.StartupTimeout;
        foreach (var process in cluster.Processes)
            await process.WaitHealthyAsync(deadline);
    }

    /// <summary>Polls the reporting service (no subscription can outlive a broker outage) for a version whose text matches.</summary>
    async Task<ReportVersionSummary> WaitForReportAsync(EvaluationKey evaluation, Func<string, bool> matches)
    {
        var deadline = DateTime.UtcNow + ChainTimeout;
        while (true)
        {
            var versions = await cluster.Reporting.ListReportVersionsAsync(
                new ListReportVersionsRequest { Evaluation = evaluation, PageSize = 1 }, deadline: Deadline());
            if (versions.Versions.FirstOrDefault() is { } latest)
            {
                var text = System.Text.Encoding.UTF8.GetString(await DownloadAsync(evaluation, latest.ReportVersion, ReportFileFormat.Markdown));
                if (matches(text))
                    return latest;
            }
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"no matching report of {EvaluationKeys.Format(evaluation)} within {ChainTimeout.TotalSeconds:0} s");
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
    }

    async Task RabbitMqCtlAsync(string command)
    {
        var env = InfraSettings.ParseEnvFile(File.Exists(EnvFile()) ? File.ReadAllLines(EnvFile()) : []);
        string Value(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v
            : env.TryGetValue(name, out var f) ? f : throw new InvalidOperationException($"{name} is not set; {InfraSettings.StartHint}");

        var start = new ProcessStartInfo(Value("PERFEVAL_RABBITMQCTL"), ["-n", Value("PERFEVAL_RABBITMQ_NODE"), command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["HOME"] = Value("PERFEVAL_RABBITMQ_HOME");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        Assert.True(process.ExitCode == 0, $"rabbitmqctl {command} failed: {await stdout}{await stderr}");
    }

    static string EnvFile() => Path.Combine(InfraSettings.FindRepoRoot(), ".local", "infra", "env.sh");
}
