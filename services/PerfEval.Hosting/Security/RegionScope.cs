using System.Collections.Concurrent;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using PerfEval.Client;

namespace PerfEval.Hosting.Security;

/// <summary>
/// Which regions a caller may act for, and which regions a request names. Pure: the interceptor
/// feeds it the caller's claim and the request message.
/// </summary>
public static class RegionScope
{
    /// <summary>Field names that name a region in every PerfEval contract (EvaluationKey.region_code included).</summary>
    static readonly HashSet<string> RegionFields = ["region_code", "province_code"];

    /// <summary>Whether the prefix of a caller's claim (<see cref="AccessTokens.RegionPrefix"/>) covers a region.</summary>
    public static bool Covers(string? prefix, string regionCode) =>
        prefix is not null && regionCode.StartsWith(prefix, StringComparison.Ordinal);

    /// <summary>
    /// Every non-empty region code the message names, with its field path ("evaluation.region_code",
    /// "observations[3].region_code"). Parts of a message that cannot hold a region (the 10,000
    /// journal entries of a bulk posting) are not walked.
    /// </summary>
    public static IEnumerable<(string Path, string RegionCode)> RegionsIn(IMessage message) => Walk(message, "", depth: 0);

    static IEnumerable<(string, string)> Walk(IMessage message, string prefix, int depth)
    {
        if (depth > 8 || !MayHoldRegion(message.Descriptor))
            yield break;
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            var path = prefix + field.Name;
            if (field.FieldType == FieldType.String && RegionFields.Contains(field.Name))
            {
                var value = field.Accessor.GetValue(message);
                if (field.IsRepeated)
                {
                    var i = 0;
                    foreach (string code in (System.Collections.IList)value)
                        if (code.Length > 0)
                            yield return ($"{path}[{i++}]", code);
                }
                else if (value is string { Length: > 0 } code)
                    yield return (path, code);
            }
            else if (field.FieldType == FieldType.Message && !field.IsMap && MayHoldRegion(field.MessageType))
            {
                var value = field.Accessor.GetValue(message);
                if (field.IsRepeated)
                {
                    var i = 0;
                    foreach (IMessage item in (System.Collections.IList)value)
                        foreach (var found in Walk(item, $"{path}[{i++}].", depth + 1))
                            yield return found;
                }
                else if (value is IMessage child)
                    foreach (var found in Walk(child, path + ".", depth + 1))
                        yield return found;
            }
        }
    }

    static readonly ConcurrentDictionary<MessageDescriptor, bool> Holders = new();

    /// <summary>Whether a message type has a region field anywhere below it (cached per type).</summary>
    static bool MayHoldRegion(MessageDescriptor descriptor) => Holders.GetOrAdd(descriptor, d => Search(d, []));

    static bool Search(MessageDescriptor descriptor, HashSet<string> seen)
    {
        if (!seen.Add(descriptor.FullName))
            return false;
        return descriptor.Fields.InFieldNumberOrder().Any(f =>
            (f.FieldType == FieldType.String && RegionFields.Contains(f.Name))
            || (f.FieldType == FieldType.Message && !f.IsMap && Search(f.MessageType, seen)));
    }
}
