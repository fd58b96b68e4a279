using System.Globalization;
using PerfEval.Contracts.Ledger.V1;

namespace PerfEval.Ledger.Domain;

/// <summary>An account of the chart: groups roll up their children and are never posted to.</summary>
public sealed record ChartAccount(string Code, string Name, AccountClass Class, Side NormalSide, string? ParentCode, bool IsGroup,
    string? ProvinceCode = null);

/// <summary>
/// One account's money for one evaluation: actual on its normal side, its full-year budget line
/// (null when it has none) and the 年初 budget, and the prior year's actual.
/// </summary>
public sealed record AccountFigures(string Code, long ActualFen, long? BudgetFen = null, long? InitialBudgetFen = null, long PriorYearActualFen = 0);

/// <summary>Transfer-fund document totals of one level (fen).</summary>
public sealed record TransferTotals(FundingLevel Level, long AllocatedFen, long ClawbackFen, long? RecordedReceiptFen, long MatchingDueFen,
    long MatchingReceivedFen, IReadOnlyList<string> DocumentNumbers);

/// <summary>
/// The fund figures every report uses (DOMAIN.md §2), computed from balances alone.
/// Budget coverage: a budget line on an account covers that account and everything under it;
/// a row's 预算执行率 divides the actual of its covered accounts by their budgets, and whatever
/// is not covered is reported as unbudgeted, never mixed into the rate.
/// </summary>
public static class FundMetrics
{
    /// <summary>The account that holds the fund balance brought forward (基金结余).</summary>
    public const string FundBalanceAccount = "3001";

    public static (List<AccountMetrics> Accounts, FundSummary Summary) Compute(IReadOnlyDictionary<string, ChartAccount> chart,
        IEnumerable<AccountFigures> figures, bool hasPriorYear)
    {
        var own = figures.GroupBy(f => f.Code).ToDictionary(g => g.Key, g => Sum(g), StringComparer.Ordinal);
        foreach (var code in own.Keys)
            if (!chart.ContainsKey(code))
                throw new ArgumentException($"account {code} is not in the chart", nameof(figures));

        // Every account with figures and every group above it.
        var rows = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var code in own.Keys)
            for (var c = code; c is not null; c = chart[c].ParentCode)
                rows.Add(c);
        var children = rows.Where(c => chart[c].ParentCode is not null)
            .GroupBy(c => chart[c].ParentCode!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);

        var rollup = new Dictionary<string, (long Actual, long Prior)>(StringComparer.Ordinal);
        (long Actual, long Prior) Rollup(string code)
        {
            if (rollup.TryGetValue(code, out var known)) return known;
            var f = own.GetValueOrDefault(code);
            var total = (Actual: f?.ActualFen ?? 0, Prior: f?.PriorYearActualFen ?? 0);
            foreach (var child in children.GetValueOrDefault(code) ?? [])
            {
                var c = Rollup(child);
                total = (checked(total.Actual + c.Actual), checked(total.Prior + c.Prior));
            }
            return rollup[code] = total;
        }

        // The budget lines covering a row: its own, or else those of its children.
        (long? Budget, long? Initial, long BudgetedActual) Cover(string code)
        {
            var f = own.GetValueOrDefault(code);
            if (f?.BudgetFen is { } budget)
                return (budget, f.InitialBudgetFen, Rollup(code).Actual);
            long? sum = null, initial = null;
            long budgetedActual = 0;
            foreach (var child in children.GetValueOrDefault(code) ?? [])
            {
                var c = Cover(child);
                if (c.Budget is { } b) sum = checked((sum ?? 0) + b);
                if (c.Initial is { } i) initial = checked((initial ?? 0) + i);
                budgetedActual = checked(budgetedActual + c.BudgetedActual);
            }
            return (sum, initial, budgetedActual);
        }

        var roots = rows.Where(c => chart[c].ParentCode is null).ToList();
        long ClassTotal(AccountClass cls, bool prior) => roots.Where(c => chart[c].Class == cls).Sum(c => prior ? Rollup(c).Prior : Rollup(c).Actual);
        var income = ClassTotal(AccountClass.Income, false);
        var expenditure = ClassTotal(AccountClass.Expenditure, false);

        var accounts = new List<AccountMetrics>();
        foreach (var code in rows)
        {
            var account = chart[code];
            var (actual, prior) = Rollup(code);
            var (budget, initial, budgetedActual) = Cover(code);
            var reasons = new List<string>();
            var row = new AccountMetrics
            {
                AccountCode = code,
                AccountName = account.Name,
                AccountClass = account.Class,
                ParentCode = account.ParentCode ?? "",
                IsGroup = account.IsGroup || children.ContainsKey(code),
                ActualFen = actual,
                BudgetedActualFen = budgetedActual,
                UnbudgetedActualFen = actual - budgetedActual,
                HasBudgetLine = own.GetValueOrDefault(code)?.BudgetFen is not null,
            };
            if (budget is { } b)
            {
                row.BudgetFen = b;
                row.BudgetExecutionRate = Percent(budgetedActual, b, "budget_execution_rate", "the budget is 0", reasons);
            }
            else
            {
                reasons.Add("budget_execution_rate: no budget line");
            }
            if (initial is { } i)
                row.InitialBudgetFen = i;
            if (hasPriorYear)
            {
                row.PriorYearActualFen = prior;
                row.YearOverYearChangeFen = actual - prior;
                row.YearOverYearGrowth = Percent(actual - prior, prior, "year_over_year_growth", "the prior-year actual is 0", reasons);
            }
            else
            {
                reasons.Add("year_over_year_growth: the prior year has no ledger");
            }
            if (account.Class is AccountClass.Income or AccountClass.Expenditure)
                row.Share = Percent(actual, account.Class == AccountClass.Income ? income : expenditure, "share", "the class total is 0", reasons);
            row.NoValueReason = string.Join("; ", reasons);
            accounts.Add(row);
        }

        var summary = Summarize(chart, roots, income, expenditure, hasPriorYear, c => Rollup(c), c => Cover(c));
        return (accounts, summary);
    }

    static FundSummary Summarize(IReadOnlyDictionary<string, ChartAccount> chart, List<string> roots, long income, long expenditure,
        bool hasPriorYear, Func<string, (long Actual, long Prior)> rollup, Func<string, (long? Budget, long? Initial, long BudgetedActual)> cover)
    {
        var reasons = new List<string>();
        var opening = roots.Where(c => chart[c].Class == AccountClass.NetAsset).Sum(c => rollup(c).Actual);
        var surplus = income - expenditure;
        var summary = new FundSummary
        {
            IncomeFen = income,
            ExpenditureFen = expenditure,
            PeriodSurplusFen = surplus,
            OpeningBalanceFen = opening,
            AccumulatedBalanceFen = opening + surplus,
        };
        summary.MonthsOfPaymentCovered = expenditure == 0
            ? Reason(reasons, "months_of_payment_covered", "there is no expenditure")
            : Format((opening + surplus) * 12m / expenditure);

        foreach (var (cls, isIncome) in new[] { (AccountClass.Income, true), (AccountClass.Expenditure, false) })
        {
            long? budget = null;
            long budgetedActual = 0;
            foreach (var root in roots.Where(c => chart[c].Class == cls))
            {
                var c = cover(root);
                if (c.Budget is { } b) budget = (budget ?? 0) + b;
                budgetedActual += c.BudgetedActual;
            }
            var field = isIncome ? "income_budget_execution_rate" : "expenditure_budget_execution_rate";
            var rate = budget is { } bb
                ? Percent(budgetedActual, bb, field, "the budget is 0", reasons)
                : Reason(reasons, field, "no budget line");
            if (isIncome)
            {
                summary.IncomeBudgetExecutionRate = rate;
                if (budget is { } ib) summary.IncomeBudgetFen = ib;
            }
            else
            {
                summary.ExpenditureBudgetExecutionRate = rate;
                if (budget is { } eb) summary.ExpenditureBudgetFen = eb;
                summary.UnbudgetedExpenditureFen = expenditure - budgetedActual;
            }
        }
        if (hasPriorYear)
        {
            summary.PriorYearIncomeFen = roots.Where(c => chart[c].Class == AccountClass.Income).Sum(c => rollup(c).Prior);
            summary.PriorYearExpenditureFen = roots.Where(c => chart[c].Class == AccountClass.Expenditure).Sum(c => rollup(c).Prior);
        }
        summary.NoValueReason = string.Join("; ", reasons);
        return summary;
    }

    /// <summary>Transfer-fund figures: 实际到账 = 下达 − 清算退库; 资金到位率 = 实际到账 ÷ 下达.</summary>
    public static TransferFunding Transfer(TransferTotals totals)
    {
        var reasons = new List<string>();
        var received = TransferFunds.ReceivedFen(totals);
        var funding = new TransferFunding
        {
            Level = totals.Level,
            AllocatedFen = totals.AllocatedFen,
            ClawbackFen = totals.ClawbackFen,
            ReceivedFen = received,
            MatchingDueFen = totals.MatchingDueFen,
            MatchingReceivedFen = totals.MatchingReceivedFen,
            FundingArrivalRate = totals.AllocatedFen == 0 ? "" : Format(received * 100m / totals.AllocatedFen),
            MatchingArrivalRate = totals.MatchingDueFen == 0 ? "" : Format(totals.MatchingReceivedFen * 100m / totals.MatchingDueFen),
            DocumentNumbers = { totals.DocumentNumbers },
        };
        if (totals.RecordedReceiptFen is { } recorded)
            funding.RecordedReceiptFen = recorded;
        return funding;
    }

    /// <summary>Adds the figures of several subjects account by account (a "both funds" column).</summary>
    public static IEnumerable<AccountFigures> Consolidate(IEnumerable<AccountFigures> figures) =>
        figures.GroupBy(f => f.Code, StringComparer.Ordinal).Select(Sum);

    static AccountFigures Sum(IEnumerable<AccountFigures> group)
    {
        var list = group.ToList();
        return new AccountFigures(list[0].Code,
            list.Sum(f => f.ActualFen),
            list.Any(f => f.BudgetFen is not null) ? list.Sum(f => f.BudgetFen ?? 0) : null,
            list.Any(f => f.InitialBudgetFen is not null) ? list.Sum(f => f.InitialBudgetFen ?? 0) : null,
            list.Sum(f => f.PriorYearActualFen));
    }

    static string Percent(long numerator, long denominator, string field, string zeroReason, List<string> reasons) =>
        denominator == 0 ? Reason(reasons, field, zeroReason) : Format(numerator * 100m / denominator);

    static string Reason(List<string> reasons, string field, string reason)
    {
        reasons.Add($"{field}: {reason}");
        return "";
    }

    /// <summary>Full precision, invariant culture, no exponent.</summary>
    public static string Format(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Half away from zero to two decimals, for display and tests.</summary>
    public static decimal Round2(string value) => Math.Round(decimal.Parse(value, CultureInfo.InvariantCulture), 2, MidpointRounding.AwayFromZero);
}
