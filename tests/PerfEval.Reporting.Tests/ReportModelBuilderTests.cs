using System.Text;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Events.V1;
using PerfEval.Contracts.Ledger.V1;
using PerfEval.Reporting.Application.Rendering;
using PerfEval.Reporting.Domain;
using PerfEval.Reporting.Storage;
using static PerfEval.Testing.Jiashi2020;

namespace PerfEval.Reporting.Tests;

public class ReportModelBuilderTests
{
    /// <summary>What the running chain gives today: the one-item skeleton scorecard and the ledger's balances.</summary>
    static ReportSources Jiashi() => new(new EvaluationScored
    {
        Evaluation = new EvaluationKey { RegionCode = "653129", SubjectCode = "resident-fund", FiscalYear = 2020 },
        ScorecardVersion = 3,
        ValueVersion = 2,
        Total = "100.00",
        Grade = "优",
        Items =
        {
            new ScoredItem
            {
                IndicatorCode = "income-budget-execution-rate", Name = "收入预算执行率", Target = "≥95%", Unit = "%",
                Actual = "105.90634365305549000", Weight = "100", Score = "100.00",
            },
        },
    }, new GetBalancesResponse
    {
        LedgerVersion = 7,
        Subject = new EvaluationSubject
        {
            RegionCode = "653129", SubjectCode = "resident-fund", Kind = SubjectKind.ResidentFund,
            Name = "伽师县城乡居民基本医疗保险基金", RegionName = "伽师县",
        },
        Balances =
        {
            new AccountBalance { AccountCode = "1002", AccountName = "收入户存款", AccountClass = AccountClass.Asset, ActualFen = Fen(818.79m) },
            new AccountBalance { AccountCode = "3001", AccountName = "基金结余", AccountClass = AccountClass.NetAsset, ActualFen = Fen(29014.61m) },
            new AccountBalance { AccountCode = "4001", AccountName = "基本医疗保险费收入", AccountClass = AccountClass.Income, ActualFen = Fen(38154.63m), BudgetFen = Fen(36026.78m) },
            new AccountBalance { AccountCode = "5004", AccountName = "上解上级支出", AccountClass = AccountClass.Expenditure, ActualFen = Fen(45310.34m) },
            new AccountBalance { AccountCode = "5001", AccountName = "基本医疗保险待遇支出", AccountClass = AccountClass.Expenditure, ActualFen = Fen(21040.11m), BudgetFen = Fen(22087.64m) },
        },
    }, new DateOnly(2021, 2, 20));

    [Fact]
    public void Jiashi_2020_resident_income_executes_105_91_percent_of_budget()
    {
        var model = ReportModelBuilder.Build(Jiashi());
        Assert.Equal("105.91%", Display.Percent(model.Funds!.IncomeExecutionRate));
        Assert.Equal("收入预算执行率", model.Indicators[0].Name);
        Assert.Equal("105.91%", model.Indicators[0].Actual);
        Assert.Equal(100.00m, model.Total);
        Assert.Equal(new InputVersions(7, 2, 3), model.Inputs);
    }

    [Fact]
    public void Expenditure_executes_95_26_percent_with_the_unbudgeted_remittance_beside_it()
    {
        var funds = ReportModelBuilder.Build(Jiashi()).Funds!;
        Assert.Equal("95.26%", Display.Percent(funds.ExpenditureExecutionRate));
        Assert.Equal("45310.34", Display.Money(Assert.Single(funds.UnbudgetedSpending).ActualFen));
        Assert.Equal("-28195.82", Display.Money(funds.PeriodSurplusFen));
        Assert.Equal("818.79", Display.Money(funds.AccumulatedBalanceFen));
    }

    [Fact]
    public void The_header_is_the_ledgers_budgeted_expenditure()
    {
        var header = ReportModelBuilder.Build(Jiashi() with { Metrics = Metrics() }).Budget;
        Assert.Equal(Fen(22000m), header.InitialBudgetFen);
        Assert.Equal(Fen(22087.64m), header.FinalBudgetFen);
        Assert.Equal(Fen(21040.11m), header.ActualFen);
        Assert.Equal("95.26%", Display.Percent(header.ExecutionRate));
    }

    [Fact]
    public void Without_the_ledgers_fund_metrics_the_header_is_no_data_not_rebuilt_from_balances()
    {
        var header = ReportModelBuilder.Build(Jiashi()).Budget;
        Assert.Equal((null, null, null), (header.InitialBudgetFen, header.FinalBudgetFen, header.ActualFen));
        Assert.Equal(Display.NoData, Display.Percent(header.ExecutionRate));
    }

    [Fact]
    public void A_budget_line_on_a_group_counts_the_spending_under_it_as_the_ledger_does()
    {
        // 5001 budgeted as a whole, spent on its sub-accounts: the ledger covers both, and so does the header.
        var metrics = new GetFundMetricsResponse
        {
            LedgerVersion = 3,
            Accounts =
            {
                new AccountMetrics { AccountCode = "5", AccountClass = AccountClass.Expenditure, IsGroup = true, ActualFen = 90_00,
                    BudgetFen = 100_00, BudgetedActualFen = 90_00 },
                new AccountMetrics { AccountCode = "5001", ParentCode = "5", AccountClass = AccountClass.Expenditure, IsGroup = true, ActualFen = 90_00,
                    BudgetFen = 100_00, BudgetedActualFen = 90_00, HasBudgetLine = true },
                new AccountMetrics { AccountCode = "500101", ParentCode = "5001", AccountClass = AccountClass.Expenditure, ActualFen = 60_00, BudgetedActualFen = 60_00 },
                new AccountMetrics { AccountCode = "500102", ParentCode = "5001", AccountClass = AccountClass.Expenditure, ActualFen = 30_00, BudgetedActualFen = 30_00 },
            },
            Summary = new FundSummary { ExpenditureFen = 90_00, ExpenditureBudgetFen = 100_00, ExpenditureBudgetExecutionRate = "90" },
        };
        var model = ReportModelBuilder.Build(Jiashi() with { Metrics = metrics });
        Assert.Equal((100_00L, 90_00L), (model.Budget.FinalBudgetFen!.Value, model.Budget.ActualFen!.Value));
        Assert.Equal("90.00%", Display.Percent(model.Budget.ExecutionRate));
        Assert.Equal("90.00%", Display.Percent(model.Funds!.ExpenditureExecutionRate));
        // The sub-accounts have no line of their own, but 5001's covers them: not unbudgeted spending.
        Assert.Empty(model.Funds.UnbudgetedSpending);
    }

    [Fact]
    public void Without_an_opening_balance_the_accumulated_balance_is_no_data()
    {
        var sources = Jiashi();
        sources.Balances.Balances.RemoveAt(1);
        var funds = ReportModelBuilder.Build(sources).Funds!;
        Assert.Null(funds.AccumulatedBalanceFen);
        Assert.Null(funds.MonthsOfPaymentCovered);
    }

    [Fact]
    public void An_item_without_a_value_says_so_and_is_listed_as_a_deviation()
    {
        var sources = Jiashi();
        sources.Scorecard.Items[0].Actual = "";
        sources.Scorecard.Items[0].Score = "";
        var model = ReportModelBuilder.Build(sources);
        var row = Assert.Single(model.Deviations);
        Assert.Equal("暂无数据", row.Actual);
        Assert.StartsWith("缺少计算所需数据", row.DeviationNote);
        Assert.Contains(ReportModelBuilder.MissingNote, row.DeviationNote);
    }

    [Fact]
    public void The_chain_report_in_markdown_states_the_rate_and_grade()
    {
        var model = ReportModelBuilder.Build(Jiashi());
        var rendered = ReportRenderer.Render(model, ReportTemplates.Default);
        Assert.Equal(["xlsx", "docx", "html", "markdown"], rendered.Files.Select(f => f.Format));
        var text = Encoding.UTF8.GetString(rendered.Files.Single(f => f.Format == "markdown").Content);
        Assert.Contains("| 未分级 | 未分级 | 收入预算执行率 | ≥95% | 105.91% | 100 | 100.00 |", text);
        Assert.Contains("评价等级为“优”", text);
        Assert.Equal(rendered.ContentSha256, ReportRenderer.Render(model, ReportTemplates.Default).ContentSha256);
    }

    [Theory]
    [InlineData("105.905", "105.91")]
    [InlineData("99.994999", "99.99")]
    [InlineData("-0.005", "-0.01")]
    [InlineData("0", "0.00")]
    public void Values_display_with_two_decimals_half_away_from_zero(string value, string shown) =>
        Assert.Equal(shown, Display.Number(decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>The ledger's fund metrics for the Jiashi 2020 resident fund, as GetFundMetrics answers.</summary>
    static GetFundMetricsResponse Metrics() => new()
    {
        LedgerVersion = 9,
        Accounts =
        {
            new AccountMetrics { AccountCode = "3001", AccountName = "基金结余", AccountClass = AccountClass.NetAsset, ActualFen = Fen(29014.61m) },
            new AccountMetrics
            {
                AccountCode = "4", AccountName = "基金收入", AccountClass = AccountClass.Income, IsGroup = true, ActualFen = Fen(38154.63m),
                BudgetFen = Fen(36026.78m), BudgetedActualFen = Fen(38154.63m), InitialBudgetFen = Fen(36000m), PriorYearActualFen = Fen(34586.52m),
            },
            new AccountMetrics
            {
                AccountCode = "4001", AccountName = "基本医疗保险费收入", AccountClass = AccountClass.Income, ParentCode = "4", ActualFen = Fen(38154.63m),
                BudgetFen = Fen(36026.78m), BudgetedActualFen = Fen(38154.63m), HasBudgetLine = true, InitialBudgetFen = Fen(36000m), PriorYearActualFen = Fen(34586.52m),
            },
            new AccountMetrics
            {
                AccountCode = "5", AccountName = "基金支出", AccountClass = AccountClass.Expenditure, IsGroup = true, ActualFen = Fen(66350.45m),
                BudgetFen = Fen(22087.64m), BudgetedActualFen = Fen(21040.11m), UnbudgetedActualFen = Fen(45310.34m), InitialBudgetFen = Fen(22000m),
                PriorYearActualFen = Fen(15823.75m),
            },
            new AccountMetrics
            {
                AccountCode = "5001", AccountName = "基本医疗保险待遇支出", AccountClass = AccountClass.Expenditure, ParentCode = "5", ActualFen = Fen(21040.11m),
                BudgetFen = Fen(22087.64m), BudgetedActualFen = Fen(21040.11m), HasBudgetLine = true, InitialBudgetFen = Fen(22000m), PriorYearActualFen = Fen(15823.75m),
            },
            new AccountMetrics
            {
                AccountCode = "5004", AccountName = "上解上级支出", AccountClass = AccountClass.Expenditure, ParentCode = "5", ActualFen = Fen(45310.34m),
                UnbudgetedActualFen = Fen(45310.34m),
            },
        },
        Summary = new FundSummary
        {
            IncomeFen = Fen(38154.63m), ExpenditureFen = Fen(66350.45m), OpeningBalanceFen = Fen(29014.61m),
            PriorYearIncomeFen = Fen(34586.52m), PriorYearExpenditureFen = Fen(15823.75m),
            IncomeBudgetFen = Fen(36026.78m), ExpenditureBudgetFen = Fen(22087.64m), UnbudgetedExpenditureFen = Fen(45310.34m),
            IncomeBudgetExecutionRate = "105.9063008128952962213109248", ExpenditureBudgetExecutionRate = "95.25739282241108601914917121",
        },
        Transfers =
        {
            new TransferFunding
            {
                Level = FundingLevel.Central, AllocatedFen = Fen(58278m), ClawbackFen = Fen(707m), ReceivedFen = Fen(57571m),
                DocumentNumbers = { "财社〔2022〕1号" },
            },
        },
    };

    static ReportSources Complete()
    {
        var sources = Jiashi();
        var item = sources.Scorecard.Items[0];
        item.Level1 = "产出指标";
        item.Level2 = "数量指标";
        sources.Scorecard.Items.Add(new ScoredItem
        {
            IndicatorCode = "budget-execution-rate", Name = "预算执行率", Target = "≥100%", Unit = "%", Actual = "95.26", Weight = "10",
            Score = "9.53", ComputedScore = "9.53", Level1 = "预算执行率", Level2 = "预算执行率", DeviationNote = "住院人次少于预期。",
        });
        sources.Scorecard.Items.Add(new ScoredItem
        {
            IndicatorCode = "satisfaction", Name = "参保对象满意度", Target = "≥95%", Unit = "%", Weight = "10",
            Level1 = "满意度指标", Level2 = "服务对象满意度指标",
            NoValueReason = "缺少统计数据：满意度（missing observation satisfaction）",
            MissingInputs = { new MissingInput { Kind = MissingInputKind.Observation, MetricCode = "satisfaction", DisplayName = "满意度" } },
        });
        sources.Scorecard.Level1Subtotals.Add(new PerfEval.Contracts.Events.V1.ScoreSubtotal { Level1 = "预算执行率", Weight = "10", Score = "9.53" });
        return sources with
        {
            Metrics = Metrics(),
            LedgerFindings = new GetReconciliationFindingsResponse
            {
                LedgerVersion = 9,
                Findings =
                {
                    new ReconciliationFinding
                    {
                        Kind = FindingKind.RatioOverWrongScope, Unit = "%", Declared = "300.39", Compared = "95.26", Difference = "205.13",
                        Message = "支出 执行预算% 300.39% 含未列预算的支出 (ratio over a different scope than its budget)",
                        ChineseMessage = "支出 执行预算% 300.39% 含未列预算的支出",
                    },
                    new ReconciliationFinding
                    {
                        Kind = FindingKind.UnbudgetedSpending, Unit = "fen", AccountCode = "5004", Declared = Fen(45310.34m).ToString(System.Globalization.CultureInfo.InvariantCulture),
                        Compared = "0", Message = "上解上级支出 45310.34 万元 无预算 (unbudgeted spending, left out of the execution rate)",
                        ChineseMessage = "上解上级支出 45310.34 万元 无预算",
                    },
                },
            },
            IndicatorFindings = new IndicatorFindings(4,
            [
                ReportModelBuilder.IndicatorFinding("DECLARED_ACTUAL_MISMATCH", "城乡居民医疗保险基金支出预算执行率", "%", "100", "95.26", "4.74", []),
            ]),
        };
    }

    [Fact]
    public void Fund_figures_come_from_the_ledger_metrics_with_prior_year_and_opening_balance()
    {
        var model = ReportModelBuilder.Build(Complete());
        var funds = model.Funds!;
        Assert.Equal(9, model.Inputs.LedgerVersion);
        Assert.Equal(["4001"], funds.Income.Select(l => l.Code));
        Assert.Equal("105.91%", Display.Percent(funds.IncomeExecutionRate));
        Assert.Equal("95.26%", Display.Percent(funds.ExpenditureExecutionRate));
        Assert.Equal("45310.34", Display.Money(Assert.Single(funds.UnbudgetedSpending).ActualFen));
        Assert.Equal("818.79", Display.Money(funds.AccumulatedBalanceFen));
        Assert.Equal("0.15", Display.Number(funds.MonthsOfPaymentCovered!.Value));
        Assert.Equal(Fen(34586.52m), funds.PriorYearIncomeFen);
        Assert.Equal(Fen(22000m), model.Budget.InitialBudgetFen);
        Assert.Equal((10m, 9.53m), (model.Budget.Weight!.Value, model.Budget.Score!.Value));
        var transfer = Assert.Single(model.Transfers);
        Assert.Equal(("中央", "57571.00", "98.79%"), (transfer.Level, Display.Money(transfer.ReceivedFen), Display.Percent(transfer.FundingArrivalRate)));
    }

    [Fact]
    public void Rows_carry_their_levels_notes_and_missing_notes_are_marked()
    {
        var model = ReportModelBuilder.Build(Complete());
        var rate = model.Indicators.Single(r => r.Name == "预算执行率");
        Assert.Equal(("预算执行率", "预算执行率", "住院人次少于预期。"), (rate.Level1, rate.Level2, rate.DeviationNote));
        var satisfaction = model.Indicators.Single(r => r.Name == "参保对象满意度");
        Assert.Equal("暂无数据", satisfaction.Actual);
        Assert.Contains(ReportModelBuilder.MissingNote, satisfaction.DeviationNote);
        Assert.StartsWith("缺少计算所需数据（缺少满意度）。", satisfaction.DeviationNote);
        Assert.DoesNotContain("missing", satisfaction.DeviationNote);
        Assert.Equal(["预算执行率", "参保对象满意度"], model.Deviations.Select(d => d.Name));
        Assert.Equal("产出指标", model.Indicators[0].Level1);
        Assert.Equal(9.53m, Assert.Single(model.Subtotals).Score);
        var text = Encoding.UTF8.GetString(ReportRenderer.Render(model, ReportTemplates.Default).Files.Single(f => f.Format == "markdown").Content);
        Assert.Contains("其中：预算执行率分值10分、得分9.53分。", text);
        Assert.Contains("较上年增加3568.11万元，增幅10.32%", text);
    }

    [Fact]
    public void The_appendix_lists_ledger_and_indicator_findings_in_their_units()
    {
        var model = ReportModelBuilder.Build(Complete());
        Assert.True(model.FindingsAvailable);
        Assert.Equal(3, model.Findings.Count);
        Assert.Equal(("执行率口径错误：支出 执行预算% 300.39% 含未列预算的支出", "300.39%", "95.26%", "205.13%"),
            (model.Findings[0].Description, model.Findings[0].Declared, model.Findings[0].Compared, model.Findings[0].Difference));
        Assert.Equal(("45310.34万元", "未列预算"), (model.Findings[1].Declared, model.Findings[1].Compared));
        Assert.Equal(("100.00%", "95.26%", "4.74%"), (model.Findings[2].Declared, model.Findings[2].Compared, model.Findings[2].Difference));
    }

    [Fact]
    public void Without_the_ledger_findings_the_appendix_is_no_data_and_metrics_fall_back_to_balances()
    {
        var model = ReportModelBuilder.Build(Complete() with { LedgerFindings = null, Metrics = null });
        Assert.False(model.FindingsAvailable);
        Assert.Equal(7, model.Inputs.LedgerVersion);
        Assert.Equal("95.26%", Display.Percent(model.Funds!.ExpenditureExecutionRate));
        Assert.Null(model.Funds.PriorYearIncomeFen);
        Assert.Empty(model.Transfers);
    }

    [Fact]
    public void An_indicator_finding_names_its_missing_inputs_in_chinese_only()
    {
        MissingInput[] missing =
        [
            new() { Kind = MissingInputKind.Observation, MetricCode = "resident-population", DisplayName = "常住人口" },
            new() { Kind = MissingInputKind.Observation, MetricCode = "insured-persons", DisplayName = "参保人数", SubjectCode = "employee-fund" },
        ];
        var finding = ReportModelBuilder.IndicatorFinding("DECLARED_ACTUAL_WITHOUT_VALUE", "常住人口参保率", "%", "100", "", "", missing);
        Assert.Equal("填报了实际完成值，但缺少计算所需数据：常住人口参保率（缺少常住人口、职工医保参保人数）", finding.Description);
        Assert.Equal(("100.00%", "—"), (finding.Declared, finding.Compared));
    }

    [Fact]
    public void An_item_without_structured_missing_inputs_does_not_show_the_reason_text()
    {
        var sources = Jiashi();
        sources.Scorecard.Items[0].Actual = "";
        sources.Scorecard.Items[0].Score = "";
        sources.Scorecard.Items[0].NoValueReason = "zero denominator: budget(income) is 0";
        var row = Assert.Single(ReportModelBuilder.Build(sources).Deviations);
        Assert.Equal($"缺少计算所需数据。{ReportModelBuilder.MissingNote}", row.DeviationNote);
    }

    [Fact]
    public void The_scorecards_met_decides_a_deviation_and_an_assessment_shows_its_band()
    {
        var sources = Complete();
        sources.Scorecard.Items.Add(new ScoredItem
        {
            IndicatorCode = "burden-relief", Name = "减轻参保人员就医经济负担", Target = "有效缓解", Weight = "10", Score = "9.00", ComputedScore = "9.00",
            Met = true, Level1 = "效益指标", Level2 = "社会效益指标", AssessmentBand = "达成年度指标", AssessmentDescription = "报销水平提高。",
        });
        var model = ReportModelBuilder.Build(sources);
        var row = model.Indicators.Single(r => r.Name == "减轻参保人员就医经济负担");
        Assert.Equal(("达成年度指标", true, ""), (row.Actual, row.Met, row.DeviationNote));
        Assert.DoesNotContain(model.Deviations, d => d.Name == row.Name);
    }
}
