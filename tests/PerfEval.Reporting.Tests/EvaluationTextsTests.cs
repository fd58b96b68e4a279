using System.Text;
using Google.Protobuf.WellKnownTypes;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Reporting.V1;
using PerfEval.Hosting.Evaluations;
using PerfEval.Reporting.Api;
using PerfEval.Reporting.Application;
using PerfEval.Reporting.Application.Rendering;
using PerfEval.Reporting.Domain;
using PerfEval.Reporting.Storage;
using PerfEval.SharedKernel.Errors;
using Signatories = PerfEval.Contracts.Reporting.V1.Signatories;

namespace PerfEval.Reporting.Tests;

/// <summary>The bureau's own words (DOMAIN.md §6): validated at the door, stored with history, printed verbatim.</summary>
public sealed class EvaluationTextsTests
{
    static readonly EvaluationKey Jiashi = new() { RegionCode = "653129", SubjectCode = "resident-fund", FiscalYear = 2020 };

    static string Markdown(ReportModel model) =>
        Encoding.UTF8.GetString(NarrativeReport.Markdown(model, [], ReportTemplates.Default));

    static UpdateEvaluationTextsRequest Update(EvaluationKey key, EvaluationTexts texts, params string[] mask) => new()
    {
        Evaluation = key,
        RequestId = Guid.NewGuid().ToString(),
        Texts = texts,
        UpdateMask = mask.Length == 0 ? null : new FieldMask { Paths = { mask } },
    };

    [Fact]
    public void The_report_prints_the_bureaus_texts_verbatim_and_the_signatories()
    {
        var texts = new BureauTexts
        {
            Version = 3,
            BasicSituation = "伽师县城乡居民基本医疗保险基金由县医疗保障局管理。",
            Problems = "部分乡镇参保登记信息更新不及时。",
            ResultApplication = "自评结果报县财政局，并在局门户网站公开。",
            Signatories = new("伽师县医疗保障局", "张三", "李四", "0998-6721234", new DateOnly(2021, 2, 20)),
        };
        var text = Markdown(JiashiExample.Model() with { Texts = texts });

        Assert.Contains("伽师县城乡居民基本医疗保险基金由县医疗保障局管理。", text);
        Assert.Contains("存在问题：部分乡镇参保登记信息更新不及时。", text);
        Assert.Contains("自评结果报县财政局，并在局门户网站公开。", text);
        Assert.Contains("填报人：李四　　联系电话：0998-6721234　　单位负责人：张三", text);
    }

    [Fact]
    public void Without_texts_the_report_says_pending_and_writes_no_sentence_of_its_own()
    {
        var text = Markdown(JiashiExample.Model() with { OverallTarget = "", OverallResult = "", Texts = BureauTexts.None });

        Assert.Contains("年度总体目标：（待填写）", text);
        Assert.Contains("实际完成情况：（待填写）", text);
        Assert.Contains("存在问题：（待填写）", text);
        Assert.Contains("填报人：（待填写）", text);
        // The old default claimed a use of the results the bureau never stated.
        Assert.DoesNotContain("自评结果将作为", text);
    }

    [Fact]
    public void Sentences_drafted_from_data_are_marked_until_the_bureau_accepts_them()
    {
        const string Mark = "（系统依据账簿和指标数据草拟，待填报单位确认）";
        var drafted = Markdown(JiashiExample.Model() with { Texts = BureauTexts.None });
        Assert.Contains(Mark, drafted);
        Assert.True(drafted.IndexOf(Mark, StringComparison.Ordinal) < drafted.IndexOf("基金收入", StringComparison.Ordinal));

        var accepted = Markdown(JiashiExample.Model() with { Texts = new BureauTexts { DraftsAccepted = true } });
        Assert.DoesNotContain(Mark, accepted);
    }

    [Fact]
    public void Markup_in_a_text_is_printed_as_text_in_the_html_report()
    {
        var model = JiashiExample.Model() with { Texts = new BureauTexts { Problems = "<script>alert(1)</script>" } };
        var html = Encoding.UTF8.GetString(NarrativeReport.Html(model, [], ReportTemplates.Default));
        Assert.DoesNotContain("<script>", html);
    }

    [Theory]
    [InlineData("texts.signatories.phone", "phone")]
    [InlineData("texts.signatories.filing_date", "date")]
    [InlineData("texts.problems", "long")]
    [InlineData("texts.basic_situation", "nul")]
    [InlineData("update_mask", "mask")]
    [InlineData("request_id", "request")]
    public void Bad_input_is_refused_naming_the_field(string field, string fault)
    {
        var texts = new EvaluationTexts { Signatories = new Signatories() };
        var request = Update(Jiashi, texts);
        switch (fault)
        {
            case "phone": texts.Signatories.Phone = "call 0998"; break;
            case "date": texts.Signatories.FilingDate = "2021-02-30"; break;
            case "long": texts.Problems = new string('问', EvaluationTextsRequests.MaxTextLength + 1); break;
            case "nul": texts.BasicSituation = "a\0b"; break;
            case "mask": request.UpdateMask = new FieldMask { Paths = { "signatories.fax" } }; break;
            case "request": request.RequestId = ""; break;
        }
        var refused = Assert.Throws<InvalidRequestException>(() => EvaluationTextsRequests.Validate(request));
        Assert.Equal([field], refused.Violations.Select(v => v.Field).Distinct());
    }

    [Fact]
    public void A_mask_changes_only_the_fields_it_names()
    {
        var current = new EvaluationTexts { Problems = "旧问题", OverallGoalExpected = "预期", Signatories = new Signatories { Preparer = "李四", Phone = "123" } };
        var request = Update(Jiashi, new EvaluationTexts { Problems = "", Signatories = new Signatories { Preparer = "王五" } },
            "problems", "signatories.preparer");

        var next = EvaluationTextsEditing.Apply(current, request);

        Assert.Equal("", next.Problems);
        Assert.Equal("预期", next.OverallGoalExpected);
        Assert.Equal(("王五", "123"), (next.Signatories.Preparer, next.Signatories.Phone));
    }

    [Fact]
    public async Task The_store_keeps_every_earlier_state_and_replays_a_retry()
    {
        var store = new EvaluationTextsStore(await TestDatabase.OpenAsync());
        var key = Jiashi.Clone();
        key.SubjectCode = "t" + Guid.NewGuid().ToString("n");
        var evaluationKey = EvaluationKeys.Format(key);

        var first = Update(key, new EvaluationTexts { Problems = "一" });
        var stored = await store.UpdateAsync(evaluationKey, first, _ => first.Texts.Clone(), CancellationToken.None);
        var second = Update(key, new EvaluationTexts { Problems = "二" });
        await store.UpdateAsync(evaluationKey, second, _ => second.Texts.Clone(), CancellationToken.None);
        var retry = await store.UpdateAsync(evaluationKey, first, _ => throw new InvalidOperationException("a replay must not apply"), CancellationToken.None);

        Assert.Equal(1, stored.TextsVersion);
        Assert.True(retry.Replayed);
        Assert.Equal(1, retry.TextsVersion);
        var current = await store.GetAsync(evaluationKey, CancellationToken.None);
        Assert.Equal(("二", 2L), (current.Texts.Problems, current.Version));
        var history = await store.HistoryAsync(evaluationKey, CancellationToken.None);
        Assert.Equal([("一", 1L)], history.Select(h => (h.Texts.Problems, h.Version)));
    }

    [Fact]
    public void The_stored_filing_date_becomes_the_signatories_date()
    {
        var stored = new StoredTexts(new EvaluationTexts { Signatories = new Signatories { FilingDate = "2021-02-20", UnitHead = "张三" } }, 4, "t", null);
        var texts = EvaluationTextsMapping.ToDomain(stored);
        Assert.Equal((new DateOnly(2021, 2, 20), "张三", 4L), (texts.Signatories.FilingDate, texts.Signatories.UnitHead, texts.Version));
    }
}
