using System.Globalization;
using PerfEval.Contracts.Events.V1;
using PerfEval.Contracts.Ledger.V1;

namespace PerfEval.Reporting.Domain;

/// <summary>
/// What the report is built from, as the other services give it today. Sources that do not exist
/// yet (fund metrics, transfers, reconciliation findings, item levels and deviation notes) stay
/// empty and the report says 暂无数据 there, rather than inventing figures.
/// </summary>
public sealed record ReportSources(EvaluationScored Scorecard, GetBalancesResponse Balances, DateOnly ReportDate)
{
    public string ResponsibleUnit { get; init; } = "";
}

public static class ReportModelBuilder
{
    /// <summary>Shown in the 一级 / 二级 columns until the scorecard carries the item's levels.</summary>
    public const string Ungrouped = "未分级";

    public static ReportModel Build(ReportSources sources)
    {
        var s = sources.Scorecard;
        var subject = sources.Balances.Subject;
        var funds = Funds(sources.Balances);
        return new ReportModel
        {
            EvaluationKey = s.EvaluationKey,
            RegionCode = s.RegionCode,
            RegionName = subject?.RegionName ?? "",
            SubjectCode = s.SubjectCode,
            SubjectName = subject?.Name ?? s.SubjectCode,
            FiscalYear = s.FiscalYear,
            TableKind = subject?.Kind == SubjectKind.TransferFund ? SelfEvaluationTableKind.TransferRegional : SelfEvaluationTableKind.ScoredProject,
            ReportDate = sources.ReportDate,
            ResponsibleUnit = sources.ResponsibleUnit,
            Inputs = new InputVersions(sources.Balances.LedgerVersion, s.ValueVersion, s.ScorecardVersion),
            Budget = Header(funds),
            Indicators = s.Items.Select(Row).ToList(),
            Total = decimal.TryParse(s.Total, NumberStyles.Number, CultureInfo.InvariantCulture, out var total) ? total : null,
            Grade = s.Grade,
            Funds = funds,
        };
    }

    static IndicatorRow Row(ScoredItem item)
    {
        var actual = item.Actual.Length == 0 ? Display.NoData : Display.Number(Parse(item.Actual)!.Value) + item.Unit;
        var row = new IndicatorRow(Ungrouped, Ungrouped, item.Name, item.Target, actual, Parse(item.Weight), Parse(item.Score), "");
        return row.Missed ? row with { DeviationNote = item.Actual.Length == 0 ? "缺少计算所需数据" : "未填写偏差原因" } : row;
    }

    static decimal? Parse(string value) =>
        decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out var v) ? v : null;

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
    /// The ledger keeps one full-year budget per account, so 年初预算数 stays empty (暂无数据).
    /// The header's 全年预算数 / 全年执行数 are the evaluated money's own: budgeted expenditure when
    /// there is an expenditure budget, else budgeted income (a fund whose only budget is income).
    /// </summary>
    static BudgetHeader Header(FundFigures funds)
    {
        var budgeted = funds.Expenditure.Where(l => l.BudgetFen is not null).ToList();
        if (budgeted.Count == 0)
            budgeted = funds.Income.Where(l => l.BudgetFen is not null).ToList();
        if (budgeted.Count == 0)
            return new BudgetHeader(null, null, null, null, null);
        var budget = budgeted.Sum(l => l.BudgetFen!.Value);
        return new BudgetHeader(null, budget, budgeted.Sum(l => l.ActualFen), null, null);
    }
}
