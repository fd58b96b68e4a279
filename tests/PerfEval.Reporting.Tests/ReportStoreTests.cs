using System.Text;
using Npgsql;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Events.V1;
using PerfEval.Hosting.Evaluations;
using PerfEval.Reporting.Api;
using PerfEval.Reporting.Domain;
using PerfEval.Reporting.Storage;

namespace PerfEval.Reporting.Tests;

/// <summary>ReportStore against the real PostgreSQL schema; each test uses its own evaluation.</summary>
public sealed class ReportStoreTests
{
    static readonly CancellationToken None = CancellationToken.None;

    static EvaluationKey NewEvaluation() => new() { RegionCode = "653129", SubjectCode = "t" + Guid.NewGuid().ToString("n"), FiscalYear = 2020 };

    static ReportPublished Published(EvaluationKey key, long scorecardVersion) => new()
    {
        Evaluation = key,
        ScorecardVersion = scorecardVersion,
        Total = "99.49",
        Grade = "优",
        LedgerVersion = 7,
        ValueVersion = 3,
        ReportDate = "2021-03-31",
        ContentSha256 = new string('a', 64),
    };

    static IReadOnlyList<ReportFile> Files(string text) =>
        [ReportFile.Of("xlsx", Encoding.UTF8.GetBytes("xlsx " + text)), ReportFile.Of("markdown", Encoding.UTF8.GetBytes("md " + text))];

    static async Task<long> OutboxRowsAsync(NpgsqlDataSource dataSource, string evaluationKey)
    {
        await using var command = dataSource.CreateCommand("select count(*) from outbox where subject = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = evaluationKey });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Save_stores_version_files_and_event_in_one_go()
    {
        var dataSource = await TestDatabase.OpenAsync();
        var store = new ReportStore(dataSource);
        var key = NewEvaluation();
        var evaluationKey = EvaluationKeys.Format(key);

        var saved = await store.SaveAsync(Published(key, 4), Files("one"), None);

        Assert.Equal(1, saved!.ReportVersion);
        Assert.Equal((4L, 0L), await store.RenderedVersionsAsync(evaluationKey, None));
        Assert.Equal(1, await OutboxRowsAsync(dataSource, evaluationKey));
        var (version, file) = (await store.FindFileAsync(evaluationKey, 0, "markdown", None))!.Value;
        Assert.Equal(1, version);
        Assert.Equal("md one", Encoding.UTF8.GetString(file.Content));
        Assert.Equal(ReportFile.Of("markdown", file.Content).Sha256, file.Sha256);
        var summary = Assert.Single(await store.ListAsync(evaluationKey, long.MaxValue, 10, None));
        Assert.Equal((1L, 4L, "99.49", "优", 7L, 3L, "2021-03-31"),
            (summary.ReportVersion, summary.ScorecardVersion, summary.Total, summary.Grade, summary.LedgerVersion, summary.ValueVersion, summary.ReportDate));
        Assert.Equal([("markdown", "md one".Length), ("xlsx", "xlsx one".Length)],
            summary.Formats.Select(f => (ReportFileFormats.Name(f.Format), (int)f.SizeBytes)).ToArray());
    }

    [Fact]
    public async Task Save_skips_a_scorecard_version_already_rendered_or_older()
    {
        var dataSource = await TestDatabase.OpenAsync();
        var store = new ReportStore(dataSource);
        var key = NewEvaluation();
        var evaluationKey = EvaluationKeys.Format(key);
        await store.SaveAsync(Published(key, 4), Files("four"), None);

        Assert.Null(await store.SaveAsync(Published(key, 4), Files("again"), None));
        Assert.Null(await store.SaveAsync(Published(key, 3), Files("older"), None));

        Assert.Single(await store.ListAsync(evaluationKey, long.MaxValue, 10, None));
        Assert.Equal(1, await OutboxRowsAsync(dataSource, evaluationKey));
        Assert.Equal("md four", Encoding.UTF8.GetString((await store.FindFileAsync(evaluationKey, 0, "markdown", None))!.Value.File.Content));
    }

    [Fact]
    public async Task Versions_are_numbered_in_order_listed_newest_first_and_found_by_number()
    {
        var store = new ReportStore(await TestDatabase.OpenAsync());
        var key = NewEvaluation();
        var evaluationKey = EvaluationKeys.Format(key);
        for (var scorecard = 1; scorecard <= 3; scorecard++)
            Assert.Equal(scorecard, (await store.SaveAsync(Published(key, scorecard * 10), Files($"v{scorecard}"), None))!.ReportVersion);

        var firstPage = await store.ListAsync(evaluationKey, long.MaxValue, 2, None);
        Assert.Equal(new[] { 3L, 2L }, firstPage.Select(v => v.ReportVersion));
        var secondPage = await store.ListAsync(evaluationKey, 2, 2, None);
        Assert.Equal(new[] { 1L }, secondPage.Select(v => v.ReportVersion));
        Assert.Equal("xlsx v2", Encoding.UTF8.GetString((await store.FindFileAsync(evaluationKey, 2, "xlsx", None))!.Value.File.Content));
        Assert.Equal(3, (await store.FindFileAsync(evaluationKey, 0, "xlsx", None))!.Value.Version);
        Assert.Null(await store.FindFileAsync(evaluationKey, 4, "xlsx", None));
        Assert.Null(await store.FindFileAsync(evaluationKey, 0, "docx", None));
        Assert.Empty(await store.ListAsync(EvaluationKeys.Format(NewEvaluation()), long.MaxValue, 10, None));
    }
}
