using Npgsql;

namespace PerfEval.Hosting.Storage;

/// <summary>
/// Small helpers for positional-parameter SQL ($1, $2 …). PostgreSQL prepares one statement per
/// command with positional parameters, so several statements go through a batch, one command each.
/// </summary>
public static class Sql
{
    public static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, params object?[] args)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var arg in args)
            command.Parameters.Add(new NpgsqlParameter { Value = arg ?? DBNull.Value });
        return command;
    }

    public static async Task<int> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql,
        CancellationToken cancellationToken, params object?[] args)
    {
        await using var command = Command(connection, transaction, sql, args);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task<object?> ScalarAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql,
        CancellationToken cancellationToken, params object?[] args)
    {
        await using var command = Command(connection, transaction, sql, args);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is DBNull ? null : value;
    }

    /// <summary>
    /// Creates the evaluation's state row if missing and locks it for the rest of the transaction:
    /// the lock serializes writers of one evaluation, so version checks and increments never race.
    /// Returns the locked row's columns.
    /// </summary>
    public static async Task<object[]> LockStateRowAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        string insertIfMissing, string selectForUpdate, CancellationToken cancellationToken, params object?[] args)
    {
        await ExecuteAsync(connection, transaction, insertIfMissing, cancellationToken, args);
        await using var command = Command(connection, transaction, selectForUpdate, args.Take(CountParameters(selectForUpdate)).ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            throw new InvalidOperationException("state row vanished under lock");
        var values = new object[reader.FieldCount];
        reader.GetValues(values);
        return values;
    }

    static int CountParameters(string sql)
    {
        var max = 0;
        for (var i = 0; i < sql.Length - 1; i++)
            if (sql[i] == '$' && char.IsAsciiDigit(sql[i + 1]))
                max = Math.Max(max, sql[i + 1] - '0');
        return max;
    }
}
