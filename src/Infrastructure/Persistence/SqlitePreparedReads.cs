using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;

namespace CleanWebhooks.Infrastructure.Persistence;

/// <summary>
/// SQLite read connections kept open with their statements compiled, for the hottest reads. Microsoft.Data.Sqlite
/// keeps a prepared statement only on the <see cref="SqliteCommand"/> that prepared it (nothing per connection:
/// dotnet/efcore#14044), and Dapper makes a new command for every call, so every query is compiled again. Here a
/// connection is leased whole, with the commands it has prepared, to one caller at a time; Dapper still maps the rows.
/// An idle connection holds no lock: a statement's read transaction ends when its reader is disposed.
/// </summary>
internal sealed class SqlitePreparedReads(string connectionString) : IDisposable
{
    /// <summary>Idle connections kept; more callers at once open more, and close them after.</summary>
    private const int MaxIdle = 64;

    private readonly ConcurrentBag<Reader> _idle = [];
    private int _idleCount;
    private int _disposed;

    /// <summary>The first row of <paramref name="sql"/> (its parameters bound by name, in order), or default.</summary>
    public Task<T?> QueryFirstOrDefaultAsync<T>(string sql, IReadOnlyList<KeyValuePair<string, object>> parameters, CancellationToken cancellationToken) =>
        ReadAsync(sql, parameters, async (data, token) => await data.ReadAsync(token) ? data.GetRowParser<T>()(data) : default, cancellationToken);

    /// <summary>Every row of <paramref name="sql"/> (its parameters bound by name, in order).</summary>
    public Task<List<T>> QueryAsync<T>(string sql, IReadOnlyList<KeyValuePair<string, object>> parameters, CancellationToken cancellationToken) =>
        ReadAsync(sql, parameters, (data, token) => data.ReadRowsAsync<T>(token), cancellationToken);

    /// <summary>Runs <paramref name="sql"/> on a kept connection and reads its rows with <paramref name="read"/>.</summary>
    private async Task<TResult> ReadAsync<TResult>(
        string sql, IReadOnlyList<KeyValuePair<string, object>> parameters, Func<DbDataReader, CancellationToken, Task<TResult>> read,
        CancellationToken cancellationToken)
    {
        Reader reader;
        if (_idle.TryTake(out var idle))
        {
            Interlocked.Decrement(ref _idleCount);
            reader = idle;
        }
        else
        {
            reader = await Reader.OpenAsync(connectionString, cancellationToken);
        }

        var healthy = false;
        try
        {
            var command = reader.Command(sql, parameters);
            TResult result;
            await using (var data = await command.ExecuteReaderAsync(CommandBehavior.SingleResult, cancellationToken))
            {
                result = await read(data, cancellationToken);
            }

            healthy = true;
            return result;
        }
        finally
        {
            // A connection whose statement failed is not trusted again.
            if (healthy && Interlocked.Increment(ref _idleCount) <= MaxIdle)
            {
                _idle.Add(reader);
                if (Volatile.Read(ref _disposed) == 1)
                {
                    DisposeIdle();
                }
            }
            else
            {
                if (healthy)
                {
                    Interlocked.Decrement(ref _idleCount);
                }

                reader.Dispose();
            }
        }
    }

    public void Dispose()
    {
        Volatile.Write(ref _disposed, 1);
        DisposeIdle();
    }

    private void DisposeIdle()
    {
        while (_idle.TryTake(out var reader))
        {
            Interlocked.Decrement(ref _idleCount);
            reader.Dispose();
        }
    }

    private sealed class Reader(SqliteConnection connection) : IDisposable
    {
        private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

        public static async Task<Reader> OpenAsync(string connectionString, CancellationToken cancellationToken)
        {
            var connection = new SqliteConnection(connectionString);
            try
            {
                await connection.OpenAsync(cancellationToken);
                return new Reader(connection);
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
        }

        public SqliteCommand Command(string sql, IReadOnlyList<KeyValuePair<string, object>> parameters)
        {
            if (_commands.TryGetValue(sql, out var command))
            {
                for (var i = 0; i < parameters.Count; i++)
                {
                    command.Parameters[i].Value = parameters[i].Value;
                }

                return command;
            }

#pragma warning disable CA2100 // The text is one of our constant statements; the values are parameters.
            command = new SqliteCommand(sql, connection);
#pragma warning restore CA2100
            foreach (var (name, value) in parameters)
            {
                command.Parameters.Add(new SqliteParameter(name, value));
            }

            command.Prepare();
            _commands[sql] = command;
            return command;
        }

        public void Dispose()
        {
            foreach (var command in _commands.Values)
            {
                command.Dispose();
            }

            connection.Dispose();
        }
    }
}
