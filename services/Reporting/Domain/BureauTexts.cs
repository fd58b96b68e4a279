namespace PerfEval.Reporting.Domain;

/// <summary>
/// The texts only the bureau can write (DOMAIN.md §6): the report prints them verbatim, and prints
/// <see cref="Pending"/> where one is missing rather than a sentence the system made up.
/// </summary>
public sealed record BureauTexts
{
    /// <summary>Shown where the bureau has not written a text yet: never a drafted cause.</summary>
    public const string Pending = "（待填写）";

    public static readonly BureauTexts None = new();

    /// <summary>A text only the bureau can write, or <see cref="Pending"/> until it does: never a drafted sentence.</summary>
    public static string OrPending(string text) => text.Length == 0 ? Pending : text;

    /// <summary>0 while nothing was entered; the report version records which texts it printed.</summary>
    public long Version { get; init; }
    /// <summary>年度总体目标 · 预期目标.</summary>
    public string OverallGoalExpected { get; init; } = "";
    /// <summary>年度总体目标 · 实际完成情况.</summary>
    public string OverallGoalAchieved { get; init; } = "";
    /// <summary>一、基本情况.</summary>
    public string BasicSituation { get; init; } = "";
    /// <summary>存在问题.</summary>
    public string Problems { get; init; } = "";
    /// <summary>四、绩效自评结果拟应用和公开情况.</summary>
    public string ResultApplication { get; init; } = "";
    /// <summary>五、其他需要说明的问题.</summary>
    public string OtherMatters { get; init; } = "";
    public Signatories Signatories { get; init; } = new("", "", "", "", null);
    /// <summary>The bureau has read and accepts the sentences the report drafts from data.</summary>
    public bool DraftsAccepted { get; init; }
}

/// <summary>填报单位, 单位负责人, 填报人, 联系电话, 填报日期 (null: the day the version is rendered).</summary>
public sealed record Signatories(string FilingUnit, string UnitHead, string Preparer, string Phone, DateOnly? FilingDate);
