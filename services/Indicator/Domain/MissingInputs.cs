using Contract = PerfEval.Contracts.Events.V1;

namespace PerfEval.Indicator.Domain;

/// <summary>What kind of input a computed value could not read.</summary>
public enum MissingInputKind
{
    /// <summary>A non-money statistic (统计数) not recorded, e.g. 常住人口.</summary>
    Observation,
    /// <summary>A ledger figure of an account group with no account in the ledger.</summary>
    LedgerFigure,
    /// <summary>A budget figure (预算数) of an account group no budget line covers.</summary>
    BudgetLine,
    /// <summary>A prior-year figure when the prior year has no ledger.</summary>
    PriorYearLedgerFigure,
    /// <summary>Another indicator of the system that has no value.</summary>
    IndicatorValue,
    /// <summary>An actual or assessment a person declares.</summary>
    DeclaredActual,
}

/// <summary>
/// One input a computed value could not read, structured so that a reader (a report) names it in
/// Chinese without parsing the free-text reason: its stable code, its Chinese name, and the
/// subject it belongs to ("" unless the formula names one).
/// </summary>
public sealed record MissingInput(MissingInputKind Kind, string MetricCode, string DisplayName, string SubjectCode = "")
{
    public Contract.MissingInput ToContract() => new()
    {
        Kind = Kind switch
        {
            MissingInputKind.Observation => Contract.MissingInputKind.Observation,
            MissingInputKind.LedgerFigure => Contract.MissingInputKind.LedgerFigure,
            MissingInputKind.BudgetLine => Contract.MissingInputKind.BudgetLine,
            MissingInputKind.PriorYearLedgerFigure => Contract.MissingInputKind.PriorYearLedgerFigure,
            MissingInputKind.IndicatorValue => Contract.MissingInputKind.IndicatorValue,
            MissingInputKind.DeclaredActual => Contract.MissingInputKind.DeclaredActual,
            _ => Contract.MissingInputKind.Unspecified,
        },
        MetricCode = MetricCode,
        DisplayName = DisplayName,
        SubjectCode = SubjectCode,
    };
}

/// <summary>Chinese names of the ledger inputs a formula reads, for missing inputs and their reasons.</summary>
public static class LedgerInputNames
{
    /// <summary>"基金收入预算数" for budget(income), "科目5001、5004执行数" for actual("5001,5004").</summary>
    public static string Of(string measure, string group)
    {
        var what = group switch
        {
            "income" => "基金收入",
            "expenditure" => "基金支出",
            "asset" => "资产",
            "liability" => "负债",
            "net_asset" => "净资产",
            _ => "科目" + string.Join("、", group.Split(',')),
        };
        var figure = measure switch
        {
            "actual" => "执行数",
            "budget" => "预算数",
            "executed" => "预算内执行数",
            "prior" => "上年执行数",
            "opening" => "年初数",
            "closing" => "年末数",
            _ => measure,
        };
        return what + figure;
    }
}
