using System.Collections.Concurrent;
using PerfEval.Contracts.Indicator.V1;
using PerfEval.Indicator.Domain;
using PerfEval.Indicator.Storage;
using PerfEval.SharedKernel.Errors;

namespace PerfEval.Indicator.Application;

/// <summary>Stored systems, compiled once per (code, version), and the binding of evaluations to them.</summary>
public sealed class SystemCatalog(IndicatorStore store)
{
    readonly ConcurrentDictionary<(string, int), CompiledSystem> _compiled = new();

    /// <summary>Stores the built-in systems shipped as files (Systems/*.yaml); existing versions stay as they are.</summary>
    public async Task InstallBuiltInAsync(CancellationToken cancellationToken)
    {
        foreach (var system in SystemFiles.BuiltIn())
            await store.SaveSystemAsync(system, builtIn: true, cancellationToken);
    }

    public CompiledSystem Compiled(IndicatorSystem system) =>
        _compiled.GetOrAdd((system.SystemCode, system.Version), _ => CompiledSystem.Compile(system));

    /// <summary>The built-in system code for a subject kind.</summary>
    public static string BuiltInCodeFor(string subjectKind) => subjectKind switch
    {
        "project" or "" => "department-budget",
        _ => subjectKind,
    };

    /// <summary>
    /// The system bound to an evaluation. Never bound: the latest built-in system of the subject's
    /// kind (a system defined later under the same code is used only when bound explicitly), pinned now so a later version of it does not silently change this evaluation.
    /// </summary>
    public async Task<IndicatorSystem> ResolveAsync(string evaluationKey, Func<CancellationToken, Task<string>> subjectKind,
        CancellationToken cancellationToken)
    {
        var binding = await store.GetBindingAsync(evaluationKey, cancellationToken);
        if (binding is null)
        {
            var code = BuiltInCodeFor(await subjectKind(cancellationToken));
            var latest = await store.GetSystemAsync(code, 0, cancellationToken, builtInOnly: true)
                ?? throw new NotFoundException($"no built-in indicator system {code}");
            binding = await store.PinAsync(evaluationKey, latest.SystemCode, latest.Version, cancellationToken);
        }
        return await store.GetSystemAsync(binding.Value.SystemCode, binding.Value.Version, cancellationToken)
            ?? throw new NotFoundException($"system {binding.Value.SystemCode} version {binding.Value.Version} is gone");
    }

    /// <summary>A stored system version, or the latest when <paramref name="version"/> is 0.</summary>
    public async Task<IndicatorSystem> GetAsync(string systemCode, int version, CancellationToken cancellationToken) =>
        await store.GetSystemAsync(systemCode, version, cancellationToken)
            ?? throw new NotFoundException($"no system {systemCode}{(version > 0 ? $" version {version}" : "")}");
}
