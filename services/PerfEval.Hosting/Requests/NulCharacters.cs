using System.Collections;
using Google.Protobuf;
using PerfEval.SharedKernel.Errors;

namespace PerfEval.Hosting.Requests;

/// <summary>
/// PostgreSQL cannot store the NUL character in text (SQLSTATE 22021), so a string field holding one
/// is refused here, by its path, instead of failing inside the transaction as an UNKNOWN error. One
/// walker for every service: the ledger calls it first thing in each handler, the other services through
/// <see cref="NulCharacterInterceptor"/>.
/// </summary>
public static class NulCharacters
{
    public const string Rule = "must not contain the NUL character (\\0)";

    /// <summary>Every string field of the message, nested and repeated ones included.</summary>
    public static void ThrowIfAny(IMessage request, string prefix = "")
    {
        var violations = new FieldViolations();
        Collect(request, prefix, violations);
        violations.ThrowIfAny();
    }

    static void Collect(IMessage message, string prefix, FieldViolations violations)
    {
        foreach (var field in message.Descriptor.Fields.InDeclarationOrder())
        {
            var value = field.Accessor.GetValue(message);
            var path = prefix + field.Name;
            if (field.IsMap)
            {
                foreach (DictionaryEntry pair in (IDictionary)value)
                {
                    Check(pair.Key, $"{path}[{pair.Key}]", violations);
                    Check(pair.Value, $"{path}[{pair.Key}]", violations);
                }
            }
            else if (field.IsRepeated)
            {
                var index = 0;
                foreach (var item in (IList)value)
                    Check(item, $"{path}[{index++}]", violations);
            }
            else
            {
                Check(value, path, violations);
            }
        }
    }

    static void Check(object? value, string path, FieldViolations violations)
    {
        switch (value)
        {
            case string text when text.Contains('\0'):
                violations.Add(path, Rule);
                break;
            case IMessage nested:
                Collect(nested, path + ".", violations);
                break;
        }
    }
}
