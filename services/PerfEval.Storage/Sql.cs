using Npgsql;

namespace PerfEval.Storage;

/// <summary>
/// The one SQL idiom of PerfEval's stores: plain Npgsql commands with positional parameters ($1, $2 …)
/// built by these helpers. PostgreSQL prepares one statement per command with positional parameters,
/// so several statements go through an <see cref="NpgsqlBatch"/> of <see cref="BatchCommand"/>s.
/// An argument that is already an <see cref="NpgsqlParameter"/> (a typed one) is used as it is.
/// </summary>
public static class Sql
{
    public static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, params object?[] args)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var arg in args)
            command.Parameters.Add(Parameter(arg));
        return command;
    }

    /// <summary>A statement for an <see cref="NpgsqlBatch"/>. A lone array argument must be wrapped
    /// (<c>new object?[] { ids }</c>), or C# spreads it into the parameters.</summary>
    public static NpgsqlBatchCommand BatchCommand(string sql, params object?[] args)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var arg in args)
            command.Parameters.Add(Parameter(arg));
        return command;
    }

    static NpgsqlParameter Parameter(object? arg) => arg as NpgsqlParameter ?? new NpgsqlParameter { Value = arg ?? DBNull.Value };

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
