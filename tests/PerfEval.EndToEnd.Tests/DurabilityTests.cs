using System.Diagnostics;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Events.V1;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Contracts.Reporting.V1;
using PerfEval.Hosting.Evaluations;
using PerfEval.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace PerfEval.EndToEnd.Tests;

/// <summary>
/// An acknowledged posting is never lost: not when services crash (kill -9) around it, not when the
/// broker is away while it is made. Each proof ends in the report that the posting must produce.
/// They kill services and stop the broker, so they run on a cluster of their own, alone.
/// </summary>
[Collection(DurabilityClusterCollection.Name)]
public sealed class DurabilityTests(DurabilityCluster ownCluster, ITestOutputHelper testOutput)
    : WalkingSkeletonScenario(ownCluster, testOutput)
{
    [Fact(DisplayName = "Acknowledged postings survive a crash of every service")]
    public Task AcknowledgedPostingsSurviveACrashOfEveryService() => WithDiagnosticsAsync(async () =>
    {
        var evaluation = NewEvaluation();
        await CreateSubjectAsync(evaluation);

        // The consumers are dead while the ledger acknowledges; then the ledger dies too, possibly
        // before its outbox row was published.
        await Cluster.IndicatorProcess.KillAsync();
        await Cluster.ScoringProcess.KillAsync();
        await Cluster.ReportingProcess.KillAsync();
        await SetBudgetAsync(evaluation);
        var posted = await Cluster.Ledger.PostEntriesAsync(Batch(evaluation, QuarterlyIncome()), deadline: Deadline());
        Assert.All(posted.Results, r => Assert.False(r.Replayed));
        await Cluster.LedgerProcess.KillAsync();

        foreach (var process in Cluster.Processes)
            await process.RestartAsync();
        await AwaitHealthyAsync();

        // The ledger's figures reach the report header before the scorecard catches up, so the
        // report that proves the posting arrived is the one scored on it.
        await WaitForReportAsync(evaluation, "scored 100.00 on the posted income (105.91% of budget)",
            (report, text) => report.Total == "100.00" && text.Contains("105.91%", StringComparison.Ordinal));
        var balances = await Cluster.Ledger.GetBalancesAsync(new GetBalancesRequest { Evaluation = evaluation }, deadline: Deadline());
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
            await Cluster.Ledger.PostEntriesAsync(Batch(evaluation, QuarterlyIncome()), deadline: Deadline());
        }
        finally
        {
            await RabbitMqCtlAsync("start_app");
        }

        await WaitForReportAsync(evaluation, "graded 优 on the posted income (105.91% of budget)",
            (report, text) => report.Grade == "优" && text.Contains("105.91%", StringComparison.Ordinal));
    });

    async Task AwaitHealthyAsync()
    {
        var deadline = DateTime.UtcNow + PerfEvalCluster.StartupTimeout;
        foreach (var process in Cluster.Processes)
            await process.WaitHealthyAsync(deadline);
    }

    /// <summary>
    /// Polls the reporting service (no subscription can outlive a broker outage) until its latest
    /// version of the evaluation is <paramref name="settled"/>; a timeout shows the last version seen.
    /// </summary>
    async Task WaitForReportAsync(EvaluationKey evaluation, string expectation, Func<ReportVersionSummary, string, bool> settled) =>
        await Poll.UntilAsync($"the latest report of {KeyText(evaluation)} to be {expectation}", ChainTimeout, async _ =>
        {
            var versions = await Cluster.Reporting.ListReportVersionsAsync(
                new ListReportVersionsRequest { Evaluation = evaluation, PageSize = 1 }, deadline: Deadline());
            if (versions.Versions.FirstOrDefault() is not { } latest)
                return (Version: (ReportVersionSummary?)null, Text: "");
            return (Version: latest, Text: System.Text.Encoding.UTF8.GetString(await DownloadAsync(evaluation, latest.ReportVersion, ReportFileFormat.Markdown)));
        }, found => found.Version is { } version && settled(version, found.Text),
            describe: found => found.Version is not { } version ? "no report yet"
                : $"version {version.ReportVersion} (scorecard {version.ScorecardVersion}, ledger {version.LedgerVersion}): total {version.Total}, grade {version.Grade}");

    static async Task RabbitMqCtlAsync(string command)
    {
        var start = new ProcessStartInfo(InfraSettings.Variable("PERFEVAL_RABBITMQCTL"), ["-n", InfraSettings.Variable("PERFEVAL_RABBITMQ_NODE"), command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["HOME"] = InfraSettings.Variable("PERFEVAL_RABBITMQ_HOME");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"rabbitmqctl {command} failed: {await stdout}{await stderr}");
    }
}
