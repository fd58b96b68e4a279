using System.Globalization;
using PerfEval.Reporting.Domain;
using PerfEval.Reporting.Storage;

namespace PerfEval.Reporting.Application;

/// <summary>The stored contract message ⇄ the domain's <see cref="BureauTexts"/>.</summary>
public static class EvaluationTextsMapping
{
    public static BureauTexts ToDomain(StoredTexts stored)
    {
        var t = stored.Texts;
        var s = t.Signatories ?? new Contracts.Reporting.V1.Signatories();
        return new BureauTexts
        {
            Version = stored.Version,
            OverallGoalExpected = t.OverallGoalExpected,
            OverallGoalAchieved = t.OverallGoalAchieved,
            BasicSituation = t.BasicSituation,
            Problems = t.Problems,
            ResultApplication = t.ResultApplication,
            OtherMatters = t.OtherMatters,
            DraftsAccepted = t.DraftsAccepted,
            Signatories = new Signatories(s.FilingUnit, s.UnitHead, s.Preparer, s.Phone,
                DateOnly.TryParseExact(s.FilingDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null),
        };
    }
}
