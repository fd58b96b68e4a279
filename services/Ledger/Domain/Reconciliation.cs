using System.Globalization;
using PerfEval.Contracts.Ledger.V1;

namespace PerfEval.Ledger.Domain;

/// <summary>The ledger's figures for one set of subjects (one subject, or a consolidated "both funds" column).</summary>
public sealed record LedgerView(IReadOnlyDictionary<string, AccountMetrics> Accounts, FundSummary Summary, bool HasPriorYear);

/// <summary>
/// Reconciles what a report declares against itself and against the ledger (DOMAIN.md §7).
/// Declared-against-declared comparisons are exact (both were written at the same precision);
/// declared-against-ledger comparisons accept anything within one unit of what was written,
/// because reports round and truncate ("300.39", "6.4个月").
/// </summary>
public static class Reconciliation
{
    /// <summary>The group accounts that stand for "all income" and "all expenditure".</summary>
    public const string IncomeGroup = "4";
    public const string ExpenditureGroup = "5";

    /// <summary>The key of a set of subjects: the codes sorted and joined with '+'.</summary>
    public static string ScopeKey(string subjectCode, IEnumerable<string> consolidated) =>
        string.Join('+', consolidated.Append(subjectCode).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));

    public static bool IsMoney(FigureMeasure measure) => measure is FigureMeasure.Actual or FigureMeasure.Budget or FigureMeasure.PriorYearActual
        or FigureMeasure.PeriodSurplus or FigureMeasure.AccumulatedBalance or FigureMeasure.YearOverYearChange;

    public static bool NeedsAccount(FigureMeasure measure) => measure is not (FigureMeasure.PeriodSurplus or FigureMeasure.AccumulatedBalance
        or FigureMeasure.MonthsOfPaymentCovered or FigureMeasure.Unspecified);

    /// <param name="figures">Declared figures in filing order.</param>
    /// <param name="subjectCode">The evaluation's own subject.</param>
    /// <param name="views">The ledger per scope key (<see cref="ScopeKey"/>), one for every scope the figures use.</param>
    public static List<ReconciliationFinding> Reconcile(IReadOnlyList<DeclaredFigure> figures, string subjectCode,
        IReadOnlyDictionary<string, LedgerView> views)
    {
        var findings = new List<ReconciliationFinding>();
        string Scope(DeclaredFigure f) => ScopeKey(subjectCode, f.ConsolidateSubjectCodes);

        PartsDoNotSum(figures, findings);
        BalanceContradicts(figures, Scope, findings);
        Conflicting(figures, Scope, findings);
        foreach (var figure in figures)
            AgainstLedger(figure, views[Scope(figure)], findings);
        CopiedPriorYear(figures, Scope, findings);
        if (views.TryGetValue(ScopeKey(subjectCode, []), out var own))
            Unbudgeted(own, findings);
        return findings;
    }

    static void PartsDoNotSum(IReadOnlyList<DeclaredFigure> figures, List<ReconciliationFinding> findings)
    {
        var byId = figures.ToDictionary(f => f.FigureId, StringComparer.Ordinal);
        foreach (var group in figures.Where(f => f.TotalFigureId.Length > 0 && IsMoney(f.Measure)).GroupBy(f => f.TotalFigureId, StringComparer.Ordinal))
        {
            if (!byId.TryGetValue(group.Key, out var total))
                continue;
            var sum = group.Sum(p => p.AmountFen);
            if (sum != total.AmountFen)
                findings.Add(Money(FindingKind.PartsDoNotSum, [.. group.Select(p => p.FigureId), total.FigureId], total.AccountCode, sum, total.AmountFen,
                    $"{Label(total)}: 分项之和 {WanYuan(sum)} ≠ 合计 {WanYuan(total.AmountFen)} 万元", "parts do not sum to the total"));
        }
    }

    static void BalanceContradicts(IReadOnlyList<DeclaredFigure> figures, Func<DeclaredFigure, string> scope, List<ReconciliationFinding> findings)
    {
        foreach (var balance in figures.Where(f => f.Measure == FigureMeasure.PeriodSurplus))
        {
            var sameScope = figures.Where(f => scope(f) == scope(balance) && f.Measure == FigureMeasure.Actual).ToList();
            foreach (var income in sameScope.Where(f => f.AccountCode == IncomeGroup))
            foreach (var expenditure in sameScope.Where(f => f.AccountCode == ExpenditureGroup))
            {
                var expected = income.AmountFen - expenditure.AmountFen;
                if (expected != balance.AmountFen)
                    findings.Add(Money(FindingKind.BalanceContradicts, [balance.FigureId, income.FigureId, expenditure.FigureId], "", balance.AmountFen, expected,
                        $"{Label(balance)} {WanYuan(balance.AmountFen)} ≠ 收入 {WanYuan(income.AmountFen)} − 支出 {WanYuan(expenditure.AmountFen)} = {WanYuan(expected)} 万元"));
            }
        }
    }

    static void Conflicting(IReadOnlyList<DeclaredFigure> figures, Func<DeclaredFigure, string> scope, List<ReconciliationFinding> findings)
    {
        foreach (var group in figures.GroupBy(f => (scope(f), f.Measure, f.AccountCode)))
        {
            var list = group.ToList();
            for (var i = 0; i < list.Count; i++)
            for (var j = i + 1; j < list.Count; j++)
            {
                var (a, b) = (list[i], list[j]);
                if (IsMoney(a.Measure))
                {
                    var tolerance = Math.Max(Math.Max(a.PrecisionFen, b.PrecisionFen), 1);
                    if (Math.Abs(a.AmountFen - b.AmountFen) >= tolerance)
                        findings.Add(Money(FindingKind.ConflictingDeclarations, [a.FigureId, b.FigureId], a.AccountCode, a.AmountFen, b.AmountFen,
                            $"{Label(a)} {WanYuan(a.AmountFen)} 与 {Label(b)} {WanYuan(b.AmountFen)} 万元 是同一数的两个值", "two figures for one thing"));
                }
                else
                {
                    var (x, y) = (Parse(a.Value), Parse(b.Value));
                    if (Math.Abs(x - y) >= Math.Max(Unit(a.Value), Unit(b.Value)))
                        findings.Add(Ratio(FindingKind.ConflictingDeclarations, [a.FigureId, b.FigureId], a.AccountCode, UnitOf(a.Measure), x, y,
                            $"{Label(a)} {a.Value} 与 {Label(b)} {b.Value} 是同一数的两个值", "two figures for one thing"));
                }
            }
        }
    }

    static void AgainstLedger(DeclaredFigure figure, LedgerView view, List<ReconciliationFinding> findings)
    {
        var account = figure.AccountCode.Length > 0 ? view.Accounts.GetValueOrDefault(figure.AccountCode) : null;
        if (IsMoney(figure.Measure))
        {
            long? ledger = figure.Measure switch
            {
                FigureMeasure.Actual => account?.ActualFen ?? 0,
                FigureMeasure.Budget => account?.BudgetFen,
                FigureMeasure.PriorYearActual => view.HasPriorYear ? account?.PriorYearActualFen ?? 0 : null,
                FigureMeasure.YearOverYearChange => view.HasPriorYear ? account?.YearOverYearChangeFen ?? 0 : null,
                FigureMeasure.PeriodSurplus => view.Summary.PeriodSurplusFen,
                FigureMeasure.AccumulatedBalance => view.Summary.AccumulatedBalanceFen,
                _ => null,
            };
            if (figure.Measure == FigureMeasure.Budget && ledger is null)
                ledger = 0;
            if (ledger is { } l && Math.Abs(figure.AmountFen - l) >= Math.Max(figure.PrecisionFen, 1))
                findings.Add(Money(FindingKind.DiffersFromLedger, [figure.FigureId], figure.AccountCode, figure.AmountFen, l,
                    $"{Label(figure)}: 报告 {WanYuan(figure.AmountFen)} ≠ 账 {WanYuan(l)} 万元", "declared figure differs from the ledger"));
            return;
        }

        var declared = Parse(figure.Value);
        var unit = Unit(figure.Value);
        string ledgerValue = figure.Measure switch
        {
            FigureMeasure.BudgetExecutionRate => account?.BudgetExecutionRate ?? "",
            FigureMeasure.Share => account?.Share ?? "",
            FigureMeasure.YearOverYearGrowth => account?.YearOverYearGrowth ?? "",
            FigureMeasure.MonthsOfPaymentCovered => view.Summary.MonthsOfPaymentCovered,
            _ => "",
        };
        if (ledgerValue.Length > 0 && Math.Abs(declared - Parse(ledgerValue)) < unit)
            return;

        // An execution rate over actual spending that includes what no budget line covers.
        if (figure.Measure == FigureMeasure.BudgetExecutionRate && account is { BudgetFen: > 0 } && account.UnbudgetedActualFen != 0)
        {
            var wholeScope = account.ActualFen * 100m / account.BudgetFen;
            if (Math.Abs(declared - wholeScope) < unit)
            {
                findings.Add(Ratio(FindingKind.RatioOverWrongScope, [figure.FigureId], figure.AccountCode, "%", declared,
                    ledgerValue.Length > 0 ? Parse(ledgerValue) : null,
                    $"{Label(figure)} {figure.Value}% = 全部支出 {WanYuan(account.ActualFen)} ÷ 预算 {WanYuan(account.BudgetFen)} 万元, " +
                    $"含未列预算的支出 {WanYuan(account.UnbudgetedActualFen)} 万元; 同口径执行率 {Display(ledgerValue)}%", "ratio over a different scope than its budget"));
                return;
            }
        }
        findings.Add(Ratio(FindingKind.DiffersFromLedger, [figure.FigureId], figure.AccountCode, UnitOf(figure.Measure), declared,
            ledgerValue.Length > 0 ? Parse(ledgerValue) : null,
            ledgerValue.Length > 0 ? $"{Label(figure)}: 报告 {figure.Value} ≠ 账 {Display(ledgerValue)}" : $"{Label(figure)}: 报告 {figure.Value}, 账上无此值",
            ledgerValue.Length > 0 ? "declared figure differs from the ledger" : "the ledger has no value for it"));
    }

    static void CopiedPriorYear(IReadOnlyList<DeclaredFigure> figures, Func<DeclaredFigure, string> scope, List<ReconciliationFinding> findings)
    {
        foreach (var group in figures.GroupBy(scope))
        {
            var current = group.Where(f => f.Measure == FigureMeasure.Actual).GroupBy(f => f.AccountCode).ToDictionary(g => g.Key, g => g.First());
            var pairs = group.Where(f => f.Measure == FigureMeasure.PriorYearActual)
                .GroupBy(f => f.AccountCode).Select(g => g.First())
                .Where(p => current.ContainsKey(p.AccountCode))
                .Select(p => (Current: current[p.AccountCode], Prior: p)).ToList();
            if (pairs.Count >= 2 && pairs.All(p => p.Current.AmountFen == p.Prior.AmountFen) && pairs.Any(p => p.Current.AmountFen != 0))
            {
                var sum = pairs.Sum(p => p.Current.AmountFen);
                findings.Add(Money(FindingKind.CopiedPriorYear, [.. pairs.SelectMany(p => new[] { p.Current.FigureId, p.Prior.FigureId })], "", sum,
                    pairs.Sum(p => p.Prior.AmountFen),
                    $"本年与上年逐行相同: {string.Join(", ", pairs.Select(p => $"{Label(p.Current)} {WanYuan(p.Current.AmountFen)}"))} 万元", "the year equals the prior year line for line"));
            }
        }
    }

    static void Unbudgeted(LedgerView view, List<ReconciliationFinding> findings)
    {
        // The topmost expenditure rows whose whole actual is uncovered, so a sub-account is not reported twice.
        foreach (var row in view.Accounts.Values.Where(a => a.AccountClass == AccountClass.Expenditure
                     && a.BudgetedActualFen == 0 && a.ActualFen != 0))
        {
            if (Ancestors(view, row).Any(a => a.HasBudgetLine))
                continue;
            var parent = row.ParentCode.Length > 0 ? view.Accounts.GetValueOrDefault(row.ParentCode) : null;
            if (parent is not null && parent.BudgetedActualFen == 0)
                continue;
            findings.Add(Money(FindingKind.UnbudgetedSpending, [], row.AccountCode, row.ActualFen, 0,
                $"{row.AccountName} {WanYuan(row.ActualFen)} 万元 无预算", "unbudgeted spending, left out of the execution rate"));
        }
    }

    static IEnumerable<AccountMetrics> Ancestors(LedgerView view, AccountMetrics row)
    {
        for (var a = view.Accounts.GetValueOrDefault(row.ParentCode); a is not null; a = view.Accounts.GetValueOrDefault(a.ParentCode))
            yield return a;
    }

    static ReconciliationFinding Money(FindingKind kind, string[] ids, string account, long declared, long compared, string message,
        string gloss = "") => new()
    {
        Kind = kind, FigureIds = { ids }, AccountCode = account, Unit = "fen",
        Declared = declared.ToString(CultureInfo.InvariantCulture),
        Compared = compared.ToString(CultureInfo.InvariantCulture),
        Difference = (declared - compared).ToString(CultureInfo.InvariantCulture),
        Message = gloss.Length > 0 ? $"{message} ({gloss})" : message,
        ChineseMessage = message,
    };

    static ReconciliationFinding Ratio(FindingKind kind, string[] ids, string account, string unit, decimal declared, decimal? compared,
        string message, string gloss = "") => new()
    {
        Kind = kind, FigureIds = { ids }, AccountCode = account, Unit = unit,
        Declared = FundMetrics.Format(declared),
        Compared = compared is { } c ? FundMetrics.Format(c) : "",
        Difference = compared is { } d ? FundMetrics.Format(declared - d) : "",
        Message = gloss.Length > 0 ? $"{message} ({gloss})" : message,
        ChineseMessage = message,
    };

    static string UnitOf(FigureMeasure measure) => measure == FigureMeasure.MonthsOfPaymentCovered ? "months" : "%";

    static string Label(DeclaredFigure f) => f.Label.Length > 0 ? f.Label : f.FigureId;

    /// <summary>Fen as 万元 with two decimals, for messages.</summary>
    public static string WanYuan(long fen) => (fen / 1_000_000m).ToString("0.00####", CultureInfo.InvariantCulture);

    static string Display(string value) => value.Length == 0 ? "—" : FundMetrics.Round2(value).ToString("0.00", CultureInfo.InvariantCulture);

    public static decimal Parse(string value) => decimal.Parse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);

    public static bool TryParse(string value, out decimal parsed) =>
        decimal.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out parsed);

    /// <summary>One unit of the last written digit: "300.39" → 0.01, "6.4" → 0.1, "100" → 1.</summary>
    public static decimal Unit(string value)
    {
        var dot = value.IndexOf('.');
        var decimals = dot < 0 ? 0 : value.Length - dot - 1;
        return 1m / (decimal)Math.Pow(10, decimals);
    }
}
