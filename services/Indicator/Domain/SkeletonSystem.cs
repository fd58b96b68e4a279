using PerfEval.Contracts.Indicator.V1;

namespace PerfEval.Indicator.Domain;

/// <summary>The walking skeleton's one-item system: 收入预算执行率 ≥95%, weight 100, 正向.</summary>
public static class SkeletonSystem
{
    public static readonly IndicatorSystem Definition = new()
    {
        SystemCode = "skeleton",
        Version = 1,
        Name = "收入预算执行率（单项）",
        SubjectKind = "resident-fund",
        ExactScoring = ExactScoring.Symmetric,
        Indicators =
        {
            new IndicatorDefinition
            {
                Code = BudgetExecution.IncomeRateCode,
                Name = BudgetExecution.IncomeRateName,
                Level1 = "产出指标",
                Level2 = "数量指标",
                Unit = "%",
                Weight = "100",
                Direction = Direction.HigherIsBetter,
                Formula = "actual(income) / budget(income)",
                Target = new Target
                {
                    Text = "≥95%",
                    Parts = { new TargetPart { Comparison = Comparison.GreaterOrEqual, Value = "95", Unit = "%" } },
                },
            },
        },
    };
}
