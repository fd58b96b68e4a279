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
        _compiled.GetOrAdd((system.SystemCode, system.Version),
            _ => CompiledSystem.Compile(system, evaluationTable: system.SystemCode.StartsWith(CompiledSystem.TableCodePrefix, StringComparison.Ordinal)));

    /// <summary>
    /// The table an evaluation is scored with: its own (SetEvaluationTable) or a system it was bound
    /// to explicitly (BindEvaluationSystem), or one pinned before tables existed. An evaluation with
    /// none is not scored: a template is never applied to a county that did not choose it (DOMAIN.md §4).
    /// </summary>
    public async Task<IndicatorSystem> ResolveAsync(string evaluationKey, CancellationToken cancellationToken)
    {
        var binding = await store.GetBindingAsync(evaluationKey, cancellationToken)
            ?? throw new PreconditionFailedException(
                $"{evaluationKey} has no approved target table (绩效目标表): set one with SetEvaluationTable (from a template, a file or the bureau's xlsx); until then it is not scored",
                NoTargetTable);
        return await store.GetSystemAsync(binding.SystemCode, binding.Version, cancellationToken)
            ?? throw new NotFoundException($"system {binding.SystemCode} version {binding.Version} is gone");
    }

    /// <summary>ErrorInfo reason of an evaluation without a table.</summary>
    public const string NoTargetTable = "NO_TARGET_TABLE";

    /// <summary>A stored system version, or the latest when <paramref name="version"/> is 0.</summary>
    public async Task<IndicatorSystem> GetAsync(string systemCode, int version, CancellationToken cancellationToken) =>
        await store.GetSystemAsync(systemCode, version, cancellationToken)
            ?? throw new NotFoundException($"no system {systemCode}{(version > 0 ? $" version {version}" : "")}");
}
