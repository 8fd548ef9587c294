using System.Data.Common;
using System.Diagnostics;
using Dapper;
using Microsoft.Data.Sqlite;

namespace CleanWebhooks.Infrastructure.Persistence;

/// <summary>How much a commit must survive.</summary>
public enum WriteDurability
{
    /// <summary>Survives a power cut: flushed to disk before the commit returns.</summary>
    Full,

    /// <summary>Survives a crash of the process, maybe not a power cut (SQLite <c>synchronous=NORMAL</c>).</summary>
    Relaxed,
}

/// <summary>
/// How a write turn has gone so far: how long its holder <paramref name="Waited"/> for it (for the writes ahead of it),
/// how long it has <paramref name="Held"/> the writer since, and how many other writes are <paramref name="Waiting"/>
/// for it to end. On a server database writes do not take turns: nothing waited, no one waits.
/// </summary>
public readonly record struct WriteTurn(TimeSpan Waited, TimeSpan Held, int Waiting);

/// <summary>A write connection held in this process's turn; disposing it ends the turn.</summary>
public sealed class DatabaseWriter : IAsyncDisposable
{
    private readonly SqliteWriter? _kept;

    /// <summary>On a server database, when the connection was open (SQLite's writer times its own turns).</summary>
    private readonly long _openedAt;

    private List<DbCommand>? _made;
    private int _disposed;

    /// <summary>A server database's connection, this turn's own.</summary>
    internal DatabaseWriter(DbConnection connection)
    {
        Connection = connection;
        _openedAt = Stopwatch.GetTimestamp();
    }

    /// <summary>SQLite's kept write connection (<paramref name="connection"/> may be its traced wrapper), in the turn <paramref name="kept"/> gave.</summary>
    internal DatabaseWriter(DbConnection connection, SqliteWriter kept)
    {
        Connection = connection;
        _kept = kept;
    }

    public DbConnection Connection { get; }

    /// <summary>This turn so far (<see cref="WriteTurn"/>); on a server database, the time since its connection was open.</summary>
    public WriteTurn Turn()
    {
        ObjectDisposedException.ThrowIf(_disposed == 1, this);
        return _kept?.Turn() ?? new WriteTurn(TimeSpan.Zero, Stopwatch.GetElapsedTime(_openedAt), 0);
    }

    /// <summary>
    /// On SQLite, the command for one of the hottest statements, with parameters <paramref name="names"/> whose values
    /// the caller sets by position (<see cref="KeptCommands.Bind"/>), compiled once for the life of the write
    /// connection. While tracing listens it is made for this turn and disposed with it, so that the statement is a
    /// span like any other. The server engines keep their statements themselves and take their parameters through
    /// Dapper (typed as <see cref="DapperSetup"/> types them), so this is SQLite's alone.
    /// </summary>
    internal DbCommand Command(string sql, DbTransaction? transaction, params ReadOnlySpan<string> names)
    {
        ObjectDisposedException.ThrowIf(_disposed == 1, this);
        if (_kept is null)
        {
            throw new InvalidOperationException("Kept commands are SQLite's: on a server database, go through Dapper.");
        }

        if (Connection is SqliteConnection)
        {
            return _kept.Command(sql, transaction, names);
        }

        var command = Connection.CreateCommand();
#pragma warning disable CA2100 // The text is one of our constant statements; the values are parameters.
        command.CommandText = sql;
#pragma warning restore CA2100
        command.Transaction = transaction;
        foreach (var name in names)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            command.Parameters.Add(parameter);
        }

        (_made ??= []).Add(command);
        return command;
    }

    public async ValueTask DisposeAsync()
    {
        // Twice would end the turn twice, and let two holders share the one SQLite connection.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        try
        {
            foreach (var command in _made ?? [])
            {
                await command.DisposeAsync();
            }
        }
        finally
        {
            if (_kept is null)
            {
                await Connection.DisposeAsync();
            }
            else
            {
                // Whatever failed above, the turn goes on to the next writer.
                _kept.End();
            }
        }
    }
}

/// <summary>
/// Values into, and rows out of, the commands SQLite keeps compiled (<see cref="DatabaseWriter.Command"/>,
/// <see cref="SqlitePreparedReads"/>): written and read as Dapper writes and reads them (<see cref="DapperSetup"/>).
/// </summary>
internal static class KeptCommands
{
    /// <summary>
    /// Sets the command's parameters, in order, every one of them (a kept command still holds the last call's values):
    /// null as <see cref="DBNull"/>, a timestamp as SQLite's UTC text.
    /// </summary>
    public static DbCommand Bind(this DbCommand command, params ReadOnlySpan<object?> values)
    {
        if (values.Length != command.Parameters.Count)
        {
            throw new ArgumentException($"{command.Parameters.Count} parameters, {values.Length} values: {command.CommandText}", nameof(values));
        }

        for (var i = 0; i < values.Length; i++)
        {
            var parameter = command.Parameters[i];
            parameter.Value = values[i] switch
            {
                null => DBNull.Value,
                DateTimeOffset time when parameter is SqliteParameter => DapperSetup.SqliteTimestamp(time),
                var value => value,
            };
        }

        return command;
    }

    /// <summary>Every row <paramref name="command"/> returns, mapped by Dapper (with the project's type handlers) as <typeparamref name="T"/>.</summary>
    public static async Task<List<T>> QueryAllAsync<T>(this DbCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadRowsAsync<T>(cancellationToken);
    }

    /// <summary>The reader's remaining rows, mapped by Dapper as <typeparamref name="T"/>.</summary>
    public static async Task<List<T>> ReadRowsAsync<T>(this DbDataReader reader, CancellationToken cancellationToken)
    {
        var rows = new List<T>();
        var parse = reader.GetRowParser<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(parse(reader));
        }

        return rows;
    }
}
