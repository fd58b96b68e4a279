using PerfEval.Contracts.Ledger.V1;
using PerfEval.Ledger.Storage;
using PerfEval.SharedKernel.Errors;

namespace PerfEval.Ledger.Application;

/// <summary>
/// FileDeclaredFigures: the figures a report declares, checked against the chart, the subjects and
/// what was filed before; a figure filed again with the same content is a replay, with other content a conflict.
/// </summary>
public sealed class DeclaredFigures(JournalStore journal)
{
    public async Task<FileDeclaredFiguresResponse> FileAsync(FileDeclaredFiguresRequest request, string caller, CancellationToken cancellationToken)
    {
        var key = request.Evaluation;
        await using var connection = await journal.DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var subject = await ReferenceDataStore.FindSubjectAsync(connection, transaction, key.RegionCode, key.SubjectCode, cancellationToken)
            ?? throw new NotFoundException($"no evaluation subject {key.RegionCode}/{key.SubjectCode}", NotFoundException.EvaluationNotFound);
        await DeclaredFigureStore.LockFilingAsync(connection, transaction, subject.Id, cancellationToken);

        var chart = await ReferenceDataStore.ChartAsync(connection, transaction, cancellationToken);
        var stored = await DeclaredFigureStore.ListAsync(connection, transaction, subject.Id, key.FiscalYear, cancellationToken);
        var storedById = stored.ToDictionary(f => f.FigureId, StringComparer.Ordinal);
        var violations = new FieldViolations();
        var batchIds = request.Figures.Select(f => f.FigureId).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < request.Figures.Count; i++)
        {
            var figure = request.Figures[i];
            if (figure.AccountCode.Length > 0 && !chart.ContainsKey(figure.AccountCode))
                violations.Add($"figures[{i}].account_code", $"unknown account \"{figure.AccountCode}\"");
            if (figure.TotalFigureId.Length > 0 && !batchIds.Contains(figure.TotalFigureId) && !storedById.ContainsKey(figure.TotalFigureId))
                violations.Add($"figures[{i}].total_figure_id", $"no declared figure \"{figure.TotalFigureId}\" in this call or filed before");
            for (var j = 0; j < figure.ConsolidateSubjectCodes.Count; j++)
                if (await ReferenceDataStore.FindSubjectAsync(connection, transaction, key.RegionCode, figure.ConsolidateSubjectCodes[j], cancellationToken) is null)
                    violations.Add($"figures[{i}].consolidate_subject_codes[{j}]", $"no subject \"{figure.ConsolidateSubjectCodes[j]}\" in region {key.RegionCode}");
        }
        violations.ThrowIfAny();

        var count = 0;
        for (var i = 0; i < request.Figures.Count; i++)
        {
            var figure = request.Figures[i];
            if (storedById.TryGetValue(figure.FigureId, out var earlier))
            {
                if (!earlier.Equals(figure))
                    throw new ConflictException($"figure {figure.FigureId} was filed before with different content", $"figures[{i}].figure_id");
                continue;
            }
            await DeclaredFigureStore.InsertAsync(connection, transaction, subject.Id, key.FiscalYear, figure, caller, cancellationToken);
            count++;
        }
        await transaction.CommitAsync(cancellationToken);
        return new FileDeclaredFiguresResponse { Stored = count };
    }
}
