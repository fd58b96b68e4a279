using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using PerfEval.Contracts.Common.V1;
using PerfEval.Contracts.Indicator.V1;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace PerfEval.Indicator.Domain;

/// <summary>
/// Indicator systems as readable files: YAML (or JSON, which the YAML reader also accepts), nested as
/// the three levels a 自评表 shows them — 一级 → 二级 → 三级 items. A level may state its weight; it must
/// then equal the sum of its items. Export gives a file that imports back to the same system.
/// </summary>
public static class SystemFiles
{
    public sealed class SystemFile
    {
        public string SystemCode { get; set; } = "";
        public int Version { get; set; }
        public string Name { get; set; } = "";
        public string SubjectKind { get; set; } = "";
        /// <summary>symmetric or as_higher_is_better; absent = the service's default (a catalog system: symmetric, an evaluation's table: as 正向).</summary>
        public string? ExactScoring { get; set; }
        public string? Notes { get; set; }
        /// <summary>The table's own statistics (code, name, unit) its formulas read with obs().</summary>
        public List<MetricFile>? Metrics { get; set; }
        public List<Level1File> Levels { get; set; } = [];
    }

    public sealed class MetricFile
    {
        public string Code { get; set; } = "";
        public string Name { get; set; } = "";
        public string Unit { get; set; } = "";
    }

    public sealed class Level1File
    {
        public string Name { get; set; } = "";
        public string? Weight { get; set; }
        public List<Level2File> Children { get; set; } = [];
    }

    public sealed class Level2File
    {
        public string Name { get; set; } = "";
        public string? Weight { get; set; }
        public List<ItemFile> Indicators { get; set; } = [];
    }

    public sealed class ItemFile
    {
        public string Code { get; set; } = "";
        public string Name { get; set; } = "";
        public string? Unit { get; set; }
        public string Target { get; set; } = "";
        public string Weight { get; set; } = "";
        public string? Direction { get; set; }
        public string? Formula { get; set; }
        public string? Guidance { get; set; }
        /// <summary>Where the actual comes from: formula / declared / assessed (or 计算 / 填报 / 评价); completed when absent.</summary>
        public string? Source { get; set; }
    }

    static readonly Dictionary<string, ActualSource> Sources = new(StringComparer.Ordinal)
    {
        ["formula"] = ActualSource.Formula, ["计算"] = ActualSource.Formula,
        ["declared"] = ActualSource.Declared, ["填报"] = ActualSource.Declared,
        ["assessed"] = ActualSource.Assessed, ["评价"] = ActualSource.Assessed,
    };

    static readonly Dictionary<string, Direction> Directions = new(StringComparer.Ordinal)
    {
        ["higher_is_better"] = Direction.HigherIsBetter, ["正向"] = Direction.HigherIsBetter,
        ["lower_is_better"] = Direction.LowerIsBetter, ["反向"] = Direction.LowerIsBetter,
        ["exact"] = Direction.Exact, ["等于"] = Direction.Exact,
        ["range"] = Direction.Range, ["区间"] = Direction.Range,
        ["compound"] = Direction.Compound, ["复合"] = Direction.Compound,
        ["qualitative"] = Direction.Qualitative, ["定性"] = Direction.Qualitative,
    };

    /// <summary>Reads a YAML or JSON system file; refuses it with every problem found (including level weights that do not add up).</summary>
    public static IndicatorSystem Read(string text)
    {
        RefuseUnboundedShapes(text);
        SystemFile file;
        try
        {
            file = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build().Deserialize<SystemFile>(text)
                ?? throw new SystemValidationException([("file", "is empty")]);
        }
        catch (YamlException e)
        {
            throw new SystemValidationException([("file", $"line {e.Start.Line}, column {e.Start.Column}: {e.Message}")]);
        }

        var items = file.Levels.Sum(l1 => l1.Children.Sum(l2 => l2.Indicators.Count));
        if (items > InputLimits.SystemMaxIndicators)
            throw new SystemValidationException([("levels", $"at most {InputLimits.SystemMaxIndicators} indicators in a system, got {items}")]);

        var problems = new List<(string, string)>();
        var system = new IndicatorSystem
        {
            SystemCode = file.SystemCode,
            Version = file.Version,
            Name = file.Name,
            SubjectKind = file.SubjectKind,
            Notes = file.Notes?.TrimEnd() ?? "",
            ExactScoring = file.ExactScoring switch
            {
                null => ExactScoring.Unspecified,
                "symmetric" => ExactScoring.Symmetric,
                "as_higher_is_better" => ExactScoring.AsHigherIsBetter,
                _ => ExactScoring.Unspecified,
            },
        };
        system.Metrics.AddRange((file.Metrics ?? []).Select(m => new ObservationMetric { Code = m.Code, Name = m.Name, Unit = m.Unit }));
        if (file.ExactScoring is not (null or "symmetric" or "as_higher_is_better"))
            problems.Add(("exact_scoring", "symmetric or as_higher_is_better"));
        for (var l1 = 0; l1 < file.Levels.Count; l1++)
        {
            var level1 = file.Levels[l1];
            var level1Sum = 0m;
            for (var l2 = 0; l2 < level1.Children.Count; l2++)
            {
                var level2 = level1.Children[l2];
                var level2Sum = 0m;
                for (var i = 0; i < level2.Indicators.Count; i++)
                {
                    var item = level2.Indicators[i];
                    var path = $"levels[{l1}].children[{l2}].indicators[{i}]";
                    var direction = Direction.Unspecified;
                    if (item.Direction is { } d && !Directions.TryGetValue(d, out direction))
                        problems.Add(($"{path}.direction", $"one of {string.Join(", ", Directions.Keys)}"));
                    var source = ActualSource.Unspecified;
                    if (item.Source is { } src && !Sources.TryGetValue(src, out source))
                        problems.Add(($"{path}.source", $"one of {string.Join(", ", Sources.Keys)}"));
                    level2Sum += Weight(item.Weight);
                    system.Indicators.Add(new IndicatorDefinition
                    {
                        Code = item.Code,
                        Name = item.Name,
                        Level1 = level1.Name,
                        Level2 = level2.Name,
                        Unit = item.Unit ?? "",
                        Target = new Target { Text = item.Target },
                        Weight = item.Weight,
                        Direction = direction,
                        Formula = item.Formula?.Trim() ?? "",
                        Guidance = item.Guidance?.TrimEnd() ?? "",
                        ActualSource = source,
                    });
                }
                if (level2.Weight is { } w2 && Weight(w2) != level2Sum)
                    problems.Add(($"levels[{l1}].children[{l2}].weight", $"states {w2}, its items add up to {level2Sum.ToString(CultureInfo.InvariantCulture)}"));
                level1Sum += level2Sum;
            }
            if (level1.Weight is { } w1 && Weight(w1) != level1Sum)
                problems.Add(($"levels[{l1}].weight", $"states {w1}, its items add up to {level1Sum.ToString(CultureInfo.InvariantCulture)}"));
        }
        if (problems.Count > 0)
            throw new SystemValidationException(problems);
        return system;
    }

    /// <summary>
    /// Refuses, before anything is built from it, a file longer than <see cref="InputLimits.SystemFileMaxLength"/>,
    /// nested deeper than <see cref="InputLimits.SystemFileMaxNesting"/>, or using YAML anchors and aliases: an
    /// alias repeats a whole subtree, so a few kilobytes of aliases of aliases expand to millions of items
    /// (issue 14 item 4), and a system file has no use for them. The event stream is read without recursion.
    /// </summary>
    static void RefuseUnboundedShapes(string text)
    {
        if (text.Length > InputLimits.SystemFileMaxLength)
            throw new SystemValidationException([("file", $"at most {InputLimits.SystemFileMaxLength} characters, got {text.Length}")]);
        try
        {
            var parser = new Parser(new StringReader(text));
            var depth = 0;
            while (parser.MoveNext())
            {
                var current = parser.Current!;
                if (current is AnchorAlias || current is NodeEvent { Anchor.IsEmpty: false })
                    throw new SystemValidationException([("file", $"line {current.Start.Line}, column {current.Start.Column}: YAML anchors and aliases (&, *) are not allowed in a system file")]);
                if (current is MappingStart or SequenceStart && ++depth > InputLimits.SystemFileMaxNesting)
                    throw new SystemValidationException([("file", $"line {current.Start.Line}, column {current.Start.Column}: nested deeper than {InputLimits.SystemFileMaxNesting} levels")]);
                if (current is MappingEnd or SequenceEnd)
                    depth--;
            }
        }
        catch (YamlException e)
        {
            throw new SystemValidationException([("file", $"line {e.Start.Line}, column {e.Start.Column}: {e.Message}")]);
        }
    }

    static decimal Weight(string text) =>
        decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var w) ? w : 0m;

    public static SystemFile ToFile(IndicatorSystem system)
    {
        string Sum(IEnumerable<IndicatorDefinition> items) => items.Sum(i => Weight(i.Weight)).ToString(CultureInfo.InvariantCulture);
        return new SystemFile
        {
            SystemCode = system.SystemCode,
            Version = system.Version,
            Name = system.Name,
            SubjectKind = system.SubjectKind,
            ExactScoring = system.ExactScoring == ExactScoring.AsHigherIsBetter ? "as_higher_is_better" : "symmetric",
            Notes = system.Notes.Length > 0 ? system.Notes : null,
            Metrics = system.Metrics.Count == 0 ? null : [.. system.Metrics.Select(m => new MetricFile { Code = m.Code, Name = m.Name, Unit = m.Unit })],
            Levels = system.Indicators.GroupBy(i => i.Level1).Select(g1 => new Level1File
            {
                Name = g1.Key,
                Weight = Sum(g1),
                Children = g1.GroupBy(i => i.Level2).Select(g2 => new Level2File
                {
                    Name = g2.Key,
                    Weight = Sum(g2),
                    Indicators = g2.Select(i => new ItemFile
                    {
                        Code = i.Code,
                        Name = i.Name,
                        Unit = i.Unit.Length > 0 ? i.Unit : null,
                        Target = i.Target.Text,
                        Weight = i.Weight,
                        Direction = Directions.First(d => d.Value == i.Direction && d.Key.All(char.IsAscii)).Key,
                        Formula = i.Formula.Length > 0 ? i.Formula : null,
                        Guidance = i.Guidance.Length > 0 ? i.Guidance : null,
                        Source = i.ActualSource == ActualSource.Declared ? "declared" : null,
                    }).ToList(),
                }).ToList(),
            }).ToList(),
        };
    }

    public static string WriteYaml(IndicatorSystem system) =>
        new SerializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance)
            .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull).Build().Serialize(ToFile(system));

    public static string WriteJson(IndicatorSystem system) => JsonSerializer.Serialize(ToFile(system), new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = true,
    });

    /// <summary>The built-in systems shipped as files next to the code (Systems/*.yaml).</summary>
    public static IReadOnlyList<IndicatorSystem> BuiltIn() => typeof(SystemFiles).Assembly.GetManifestResourceNames()
        .Where(n => n.EndsWith(".yaml", StringComparison.Ordinal) && n.Contains(".Systems.", StringComparison.Ordinal))
        .Order(StringComparer.Ordinal)
        .Select(n =>
        {
            using var stream = typeof(SystemFiles).Assembly.GetManifestResourceStream(n)!;
            using var reader = new StreamReader(stream);
            return CompiledSystem.Compile(Read(reader.ReadToEnd())).System;
        })
        .ToList();
}
