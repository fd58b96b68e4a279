using System.Globalization;
using PerfEval.Contracts.Events.V1;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Hosting.Evaluations;

namespace PerfEval.Reporting.Domain;

/// <summary>
/// What the report is built from. The scorecard and the balances are always there; the ledger's fund
/// metrics and reconciliation findings and the indicator service's findings are null when the source
/// did not answer (NotFound, unavailable), and the report then says 暂无数据 there, never 0.
/// </summary>
public sealed record ReportSources(EvaluationScored Scorecard, GetBalancesResponse Balances, DateOnly ReportDate)
{
    public string ResponsibleUnit { get; init; } = "";
    /// <summary>The bureau's own words (UpdateEvaluationTexts); <see cref="BureauTexts.None"/> before any were entered.</summary>
    public BureauTexts Texts { get; init; } = BureauTexts.None;
    public GetFundMetricsResponse? Metrics { get; init; }
    public GetReconciliationFindingsResponse? LedgerFindings { get; init; }
    public IndicatorFindings? IndicatorFindings { get; init; }
}

/// <summary>The indicator service's 核对差异 (declared actual vs computed), kept free of its client types.</summary>
public sealed record IndicatorFindings(long ValueVersion, IReadOnlyList<Finding> Findings);

public static class ReportModelBuilder
{
    /// <summary>Shown in the 一级 / 二级 columns for an item whose scorecard carries no level (an old scorecard).</summary>
    public const string Ungrouped = "未分级";

    /// <summary>A missed item whose deviation note has not been written yet: marked, never left blank.</summary>
    public const string MissingNote = "（未填写偏差原因分析及改进措施）";

    /// <summary>Beside a value scored as the bureau declared it, nobody having verified it (DOMAIN.md §5).</summary>
    public const string DeclaredUnverified = "（填报，未核实）";

    /// <summary>Beside a declared value the reviewer refused (不予认可): it scores 0.</summary>
    public const string DeclaredRefused = "（填报，不予认可）";

    /// <summary>The grade of an incomplete scorecard (scoring's Scorecard.PendingGrade): the report is a draft.</summary>
    public const string PendingGrade = "待定";

    public static ReportModel Build(ReportSources sources)
    {
        var s = sources.Scorecard;
        var subject = sources.Balances.Subject;
        var funds = sources.Metrics is { } metrics ? Funds(metrics) : Funds(sources.Balances);
        var findings = new List<Finding>();
        if (sources.LedgerFindings is { } ledgerFindings)
            findings.AddRange(ledgerFindings.Findings.Select(LedgerFinding));
        if (sources.IndicatorFindings is { } indicatorFindings)
            // A declared value without a computed one is how a declared-only item is scored (its row says
            // 填报，未核实): a discrepancy only where the scorecard did not score it as declared.
            findings.AddRange(indicatorFindings.Findings.Where(f => !(f.Code == "DECLARED_ACTUAL_WITHOUT_VALUE"
                && s.Items.Any(i => i.IndicatorCode == f.IndicatorCode && i.ValueOrigin == ScoredValueOrigin.Declared))));
        return new ReportModel
        {
            EvaluationKey = EvaluationKeys.Format(s.Evaluation),
            RegionCode = s.Evaluation.RegionCode,
            RegionName = subject?.RegionName ?? "",
            SubjectCode = s.Evaluation.SubjectCode,
            SubjectName = subject?.Name ?? s.Evaluation.SubjectCode,
            FiscalYear = s.Evaluation.FiscalYear,
            TableKind = subject?.Kind == SubjectKind.TransferFund ? SelfEvaluationTableKind.TransferRegional : SelfEvaluationTableKind.ScoredProject,
            ReportDate = sources.ReportDate,
            ResponsibleUnit = sources.ResponsibleUnit,
            Texts = sources.Texts,
            OverallTarget = sources.Texts.OverallGoalExpected,
            OverallResult = sources.Texts.OverallGoalAchieved,
            Inputs = new InputVersions(sources.Metrics?.LedgerVersion ?? sources.Balances.LedgerVersion, s.ValueVersion, s.ScorecardVersion)
            {
                FindingsLedgerVersion = sources.LedgerFindings?.LedgerVersion ?? 0,
                FindingsValueVersion = sources.IndicatorFindings?.ValueVersion ?? 0,
            },
            Budget = HeaderItem(s) is { } headerItem
                ? Header(sources.Metrics) with { Weight = Parse(headerItem.Weight), Score = Parse(headerItem.Score) }
                : Header(sources.Metrics),
            Indicators = s.Items.Select(Row).ToList(),
            Total = decimal.TryParse(s.Total, NumberStyles.Number, CultureInfo.InvariantCulture, out var total) ? total : null,
            Grade = s.Grade,
            Draft = s.Grade == PendingGrade,
            PendingItems = s.IncompleteItemCodes.Count,
            UnverifiedPoints = Parse(s.UnverifiedPoints) is > 0m and var points ? points : null,
            Funds = funds,
            Transfers = sources.Metrics?.Transfers.Select(Transfer).ToList() ?? [],
            Findings = findings,
            // Only the ledger's answer says whether money figures reconcile; without it "none found" would be a claim.
            FindingsAvailable = sources.LedgerFindings is not null,
            Subtotals = s.Level1Subtotals.Concat(s.Level2Subtotals)
                .Select(t => new ScoreSubtotal(t.Level1, t.Level2, Parse(t.Weight), Parse(t.Score))).ToList(),
        };
    }

    /// <summary>The header's 分值 / 得分 are those of the system's 预算执行率 item, when it has one.</summary>
    static ScoredItem? HeaderItem(EvaluationScored s) =>
        s.Items.FirstOrDefault(i => i.IndicatorCode == "budget-execution-rate") ?? s.Items.FirstOrDefault(i => i.Level1 == "预算执行率");

    static IndicatorRow Row(ScoredItem item)
    {
        var actual = item.Actual.Length == 0 ? Display.NoData
            : Parse(item.Actual) is { } value ? Display.Actual(value, item.Unit) + item.Unit : item.Actual;
        var qualitative = item.AssessmentBand.Length > 0 || item.AssessmentDescription.Length > 0;
        if (item.Actual.Length == 0 && qualitative)
            actual = item.AssessmentBand.Length > 0 ? item.AssessmentBand : item.AssessmentDescription;
        // DOMAIN.md §5: a declared value is shown as declared and unverified, a refused one with its refusal.
        if (item.ValueOrigin == ScoredValueOrigin.Declared && item.Actual.Length > 0)
            actual += item.RefusalReason.Length > 0 ? DeclaredRefused : DeclaredUnverified;
        var row = new IndicatorRow(Or(item.Level1), Or(item.Level2), item.Name, item.Target, actual, Parse(item.Weight), Parse(item.Score),
            item.DeviationNote);
        if (item.RefusalReason.Length > 0)
            row = row with { ScoreNote = $"复核不予认可（{item.RefusedBy}）：{item.RefusalReason}，计0分" };
        if (item.OverrideScore.Length > 0)
            row = row with { ScoreNote = $"评价人调整：计算得分{item.ComputedScore}，调整为{item.OverrideScore}（{item.OverrideAuthor}：{item.OverrideReason}）" };
        else if (Parse(item.DeductedPoints) is > 0m)
            row = row with { ScoreNote = $"扣{item.DeductedPoints}分：{string.Join("；", item.DeductionReasons)}" };
        // The scorecard's own "met" decides (a range item can miss at full score); scorecards from before
        // it carried computed scores fall back to comparing score and weight.
        row = row with { Met = item.Score.Length > 0 && (item.ComputedScore.Length > 0 ? item.Met : !row.Missed) };
        // What is missing is named from the structured missing inputs, in Chinese; the free-text reason is never shown or parsed.
        if (!row.Met && row.DeviationNote.Length == 0)
            row = row with { DeviationNote = item.Actual.Length == 0 && !qualitative
                ? $"缺少计算所需数据{Missing(item.MissingInputs)}。{MissingNote}"
                : MissingNote };
        return row;
    }

    static string Or(string level) => level.Length == 0 ? Ungrouped : level;

    static decimal? Parse(string value) =>
        decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out var v) ? v : null;

    /// <summary>
    /// Income and expenditure lines from the ledger's fund metrics (leaf accounts; group rows only
    /// roll them up): the same rules as the ledger's, so the report cannot contradict it, plus the
    /// prior year for 同比 and the opening balance for 累计结余.
    /// </summary>
    public static FundFigures Funds(GetFundMetricsResponse metrics)
    {
        FundLine Line(AccountMetrics a) => new(a.AccountCode, a.AccountName, a.ActualFen,
            a.HasBudgetLine && a.HasBudgetFen ? a.BudgetFen : null, a.HasPriorYearActualFen ? a.PriorYearActualFen : null)
        {
            LedgerUnbudgetedFen = a.UnbudgetedActualFen,
        };
        var leaves = metrics.Accounts.Where(a => !a.IsGroup).OrderBy(a => a.AccountCode, StringComparer.Ordinal).ToList();
        var summary = metrics.Summary;
        // The ledger reports 0 for an opening balance nothing was posted to; only a posting to a
        // net-asset account makes it a figure.
        var hasOpening = summary is not null && (summary.OpeningBalanceFen != 0 || leaves.Any(a => a.AccountClass == AccountClass.NetAsset));
        return new FundFigures(
            leaves.Where(a => a.AccountClass == AccountClass.Income && (a.ActualFen != 0 || a.HasBudgetFen)).Select(Line).ToList(),
            leaves.Where(a => a.AccountClass == AccountClass.Expenditure && (a.ActualFen != 0 || a.HasBudgetFen)).Select(Line).ToList(),
            OpeningBalanceFen: hasOpening ? summary!.OpeningBalanceFen : null)
        {
            PriorYearIncomeFen = summary is { HasPriorYearIncomeFen: true } ? summary.PriorYearIncomeFen : null,
            PriorYearExpenditureFen = summary is { HasPriorYearExpenditureFen: true } ? summary.PriorYearExpenditureFen : null,
            LedgerExecutionRates = summary is null ? null : (Parse(summary.IncomeBudgetExecutionRate), Parse(summary.ExpenditureBudgetExecutionRate)),
        };
    }

    static TransferFund Transfer(TransferFunding t) => new(Level(t.Level), string.Join("、", t.DocumentNumbers), t.AllocatedFen, t.ClawbackFen,
        t.MatchingDueFen == 0 && t.MatchingReceivedFen == 0 ? null : t.MatchingDueFen,
        t.MatchingDueFen == 0 && t.MatchingReceivedFen == 0 ? null : t.MatchingReceivedFen);

    static string Level(FundingLevel level) => level switch
    {
        FundingLevel.Central => "中央",
        FundingLevel.Provincial => "省级",
        FundingLevel.Municipal => "市级",
        FundingLevel.County => "县级",
        _ => "其他",
    };

    /// <summary>A ledger finding with its figures in the units a reader expects (万元, %, 个月).</summary>
    public static Finding LedgerFinding(ReconciliationFinding f)
    {
        string Show(string value)
        {
            if (value.Length == 0)
                return "—";
            if (f.Unit == "fen" && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var fen))
                return Display.Money(fen) + "万元";
            if (Parse(value) is not { } number)
                return value;
            return f.Unit switch { "%" => Display.Number(number) + "%", "months" => Display.Number(number) + "个月", _ => Display.Number(number) };
        }
        var code = f.Kind.ToString();
        var what = f.Kind switch
        {
            FindingKind.PartsDoNotSum => "分项之和与合计不符",
            FindingKind.BalanceContradicts => "结余与收支之差不符",
            FindingKind.ConflictingDeclarations => "同一数据两处填报不一致",
            FindingKind.DiffersFromLedger => "填报数与账簿数不符",
            FindingKind.RatioOverWrongScope => "执行率口径错误",
            FindingKind.UnbudgetedSpending => "未列预算的支出",
            FindingKind.CopiedPriorYear => "本年数照抄上年数",
            _ => "核对差异",
        };
        // Unbudgeted spending is compared with a budget that does not exist, not with 0.
        return f.Kind == FindingKind.UnbudgetedSpending
            ? new Finding(code, $"{what}：{f.ChineseMessage}", Show(f.Declared), "未列预算", "—")
            : new Finding(code, $"{what}：{f.ChineseMessage}", Show(f.Declared), Show(f.Compared), Show(f.Difference));
    }

    /// <summary>"（缺少常住人口、户籍人口）" from missing inputs' Chinese names (a subject's own, "（缺少职工医保参保人数）"); "" when none.</summary>
    public static string Missing(IEnumerable<MissingInput> inputs)
    {
        var names = inputs.Select(DisplayName).Where(n => n.Length > 0).Distinct().ToList();
        return names.Count == 0 ? "" : $"（缺少{string.Join("、", names)}）";
    }

    static string DisplayName(MissingInput input) => input.SubjectCode switch
    {
        "" => input.DisplayName,
        "employee-fund" => "职工医保" + input.DisplayName,
        "resident-fund" => "居民医保" + input.DisplayName,
        _ => input.DisplayName,
    };

    /// <summary>The indicator service's finding: a typed actual (e.g. 100%) against the computed one.</summary>
    public static Finding IndicatorFinding(string kind, string name, string unit, string declared, string computed, string difference,
        IEnumerable<MissingInput> missingInputs)
    {
        string Show(string value) => value.Length == 0 ? "—" : Parse(value) is { } n ? Display.Number(n) + unit : value;
        var what = kind switch
        {
            "DECLARED_ACTUAL_MISMATCH" => "填报实际完成值与计算值不符",
            "DECLARED_ACTUAL_WITHOUT_VALUE" => "填报了实际完成值，但缺少计算所需数据",
            "ZERO_DENOMINATOR" => "分母为零，无法计算",
            "SURVEY_WITHOUT_RESPONDENTS" => "满意度调查未说明调查人数（样本量）",
            _ => "指标核对差异",
        };
        // The figures stand in their own columns; only the missing inputs are added, by their Chinese names.
        return new Finding(kind, $"{what}：{name}{Missing(missingInputs)}", Show(declared), Show(computed), Show(difference));
    }

    /// <summary>Income and expenditure lines straight from the ledger's balances; other accounts are not reported.</summary>
    public static FundFigures Funds(GetBalancesResponse balances)
    {
        FundLine Line(AccountBalance b) => new(b.AccountCode, b.AccountName, b.ActualFen, b.HasBudgetFen ? b.BudgetFen : null, null);
        var lines = balances.Balances.OrderBy(b => b.AccountCode, StringComparer.Ordinal).ToList();
        return new FundFigures(
            lines.Where(b => b.AccountClass == AccountClass.Income).Select(Line).ToList(),
            lines.Where(b => b.AccountClass == AccountClass.Expenditure).Select(Line).ToList(),
            OpeningBalanceFen: OpeningBalance(lines));
    }

    /// <summary>
    /// The prior closing balance is what the fund-balance (net asset) accounts hold: the opening entry
    /// credits 3001 基金结余, and this year's income and expenditure stay on their own accounts.
    /// Null when nothing was posted there, so 累计结余 says 暂无数据 rather than assuming 0.
    /// </summary>
    static long? OpeningBalance(IReadOnlyList<AccountBalance> lines)
    {
        var netAssets = lines.Where(b => b.AccountClass == AccountClass.NetAsset).ToList();
        return netAssets.Count == 0 ? null : netAssets.Sum(b => b.ActualFen);
    }

    /// <summary>
    /// The header's 年初预算数 / 全年预算数 / 全年执行数 are the ledger's (GetFundMetrics), the one owner of
    /// which spending a budget covers: its top-level rows of budgeted expenditure when there is an
    /// expenditure budget, else of budgeted income (a fund whose only budget is income). Without the
    /// ledger's answer the header says 暂无数据: it is not rebuilt from balances another way.
    /// </summary>
    public static BudgetHeader Header(GetFundMetricsResponse? metrics)
    {
        var none = new BudgetHeader(null, null, null, null, null);
        if (metrics is null)
            return none;
        foreach (var accountClass in new[] { AccountClass.Expenditure, AccountClass.Income })
        {
            var budgeted = metrics.Accounts.Where(a => a.ParentCode.Length == 0 && a.AccountClass == accountClass && a.HasBudgetFen).ToList();
            if (budgeted.Count == 0)
                continue;
            // 年初预算数 is the ledger's BUDGET_KIND_INITIAL step, when every budgeted row has one.
            long? initialFen = budgeted.All(a => a.HasInitialBudgetFen) ? budgeted.Sum(a => a.InitialBudgetFen) : null;
            return new BudgetHeader(initialFen, budgeted.Sum(a => a.BudgetFen), budgeted.Sum(a => a.BudgetedActualFen), null, null);
        }
        return none;
    }
}
