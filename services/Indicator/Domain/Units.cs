namespace PerfEval.Indicator.Domain;

/// <summary>
/// A physical dimension as exponents of the base quantities a fund evaluation counts: money (元),
/// persons (人), person-times (人次), months and plain counts. A percentage is dimensionless: 元 ÷ 元
/// can be shown in %, 元 ÷ 人 cannot.
/// </summary>
public readonly record struct Dimension(int Money, int Persons, int Visits, int Months, int Count)
{
    public static readonly Dimension None = new();
    public static readonly Dimension OfMoney = new(1, 0, 0, 0, 0);
    public static readonly Dimension OfPersons = new(0, 1, 0, 0, 0);
    public static readonly Dimension OfVisits = new(0, 0, 1, 0, 0);
    public static readonly Dimension OfMonths = new(0, 0, 0, 1, 0);
    public static readonly Dimension OfCount = new(0, 0, 0, 0, 1);

    public static Dimension operator *(Dimension a, Dimension b) =>
        new(a.Money + b.Money, a.Persons + b.Persons, a.Visits + b.Visits, a.Months + b.Months, a.Count + b.Count);

    public static Dimension operator /(Dimension a, Dimension b) =>
        new(a.Money - b.Money, a.Persons - b.Persons, a.Visits - b.Visits, a.Months - b.Months, a.Count - b.Count);

    public override string ToString()
    {
        if (this == None)
            return "a plain number";
        var parts = new List<string>();
        void Add(int exponent, string name)
        {
            if (exponent != 0)
                parts.Add(exponent == 1 ? name : $"{name}^{exponent}");
        }
        Add(Money, "元"); Add(Persons, "人"); Add(Visits, "人次"); Add(Months, "月"); Add(Count, "个");
        return string.Join("·", parts);
    }
}

/// <summary>
/// A unit as written in a system or an observation: its dimension and how many of it make one base
/// unit (万元: 1 base 元 is 0.0001 万元; %: a ratio of 1 is 100 %). Formulas compute in base units.
/// </summary>
public sealed record Unit(string Text, Dimension Dimension, decimal PerBase)
{
    static readonly Dictionary<string, Unit> Known = new[]
    {
        new Unit("", Dimension.None, 1m),
        new Unit("%", Dimension.None, 100m),
        new Unit("元", Dimension.OfMoney, 1m),
        new Unit("分", Dimension.OfMoney, 100m),
        new Unit("万元", Dimension.OfMoney, 0.0001m),
        new Unit("亿元", Dimension.OfMoney, 0.00000001m),
        new Unit("人", Dimension.OfPersons, 1m),
        new Unit("万人", Dimension.OfPersons, 0.0001m),
        new Unit("人次", Dimension.OfVisits, 1m),
        new Unit("个月", Dimension.OfMonths, 1m),
        new Unit("个", Dimension.OfCount, 1m),
        new Unit("家", Dimension.OfCount, 1m),
        new Unit("次", Dimension.OfCount, 1m),
        new Unit("篇", Dimension.OfCount, 1m),
        new Unit("元/人/年", Dimension.OfMoney / Dimension.OfPersons, 1m),
        new Unit("元/人", Dimension.OfMoney / Dimension.OfPersons, 1m),
        new Unit("万元/人", Dimension.OfMoney / Dimension.OfPersons, 0.0001m),
        new Unit("分/人", Dimension.OfMoney / Dimension.OfPersons, 100m),
    }.ToDictionary(u => u.Text, StringComparer.Ordinal);

    public static bool TryGet(string text, out Unit unit) => Known.TryGetValue(text, out unit!);

    public static IEnumerable<string> KnownTexts => Known.Keys.Where(k => k.Length > 0);

    public decimal FromBase(decimal baseValue) => baseValue * PerBase;
    public decimal ToBase(decimal value) => value / PerBase;
}
