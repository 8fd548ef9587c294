using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace CleanWebhooks.Infrastructure.Persistence;

/// <summary>
/// SQLite's one write connection, kept open for the life of the process with the statements it has compiled.
/// Microsoft.Data.Sqlite compiles a statement once per <see cref="SqliteCommand"/>, and a command made per call (as
/// Dapper makes them) compiles it again on every call: on the intake, the claim and the outcome writer that was about
/// half of SQLite's CPU. It is also this process's write turn: one holder at a time, queued asynchronously, takes it
/// (<see cref="TakeAsync"/>) and ends it (<see cref="End"/>). A connection that ends a turn broken, or still inside
/// a transaction (a rollback that failed), is closed, and the next turn opens a fresh one.
/// </summary>
internal sealed class SqliteWriter(string connectionString, TimeSpan busyTimeout) : IDisposable
{
    /// <summary>
    /// The most the WAL file keeps on disk once a checkpoint has emptied it (SQLite <c>journal_size_limit</c>):
    /// without it the file stays as large as it ever grew, and after a full disk is freed, refills it.
    /// </summary>
    private const long WalSizeLimitBytes = 1024 * 1024;

    /// <summary>
    /// Pages the WAL may hold before a commit checkpoints it (SQLite's default is 1000, 4 MB): about the size limit
    /// above, so that the WAL stays near 1 MB in normal running instead of growing to 4 MB between checkpoints.
    /// </summary>
    private const int WalAutoCheckpointPages = 256;

    private readonly string _connectionString = new SqliteConnectionStringBuilder(connectionString) { Pooling = false }.ToString();
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    /// <summary>SQLite has one writer at a time; in this process, writers queue here, asynchronously.</summary>
    private readonly SemaphoreSlim _turn = new(1, 1);

    private SqliteConnection? _connection;

    /// <summary>The connection's <c>synchronous</c>: NORMAL (true), FULL (false), or not known (null: set it again).</summary>
    private bool? _relaxed;

    private bool _disposed;

    /// <summary>
    /// Waits for the write turn, then gives its connection, its commits flushed to disk or not as
    /// <paramref name="durability"/> asks. The holder ends the turn with <see cref="End"/>.
    /// </summary>
    public async Task<SqliteConnection> TakeAsync(WriteDurability durability, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);

        // Waiting for the turn longer than the busy timeout is the database being locked too long, as far as the caller can tell.
        if (!await _turn.WaitAsync(busyTimeout, cancellationToken))
        {
            throw new TimeoutException($"The database's write turn was not free within {busyTimeout} (Database:BusyTimeout).");
        }

        try
        {
            return await ConnectionAsync(durability, cancellationToken);
        }
        catch
        {
            End();
            throw;
        }
    }

    private async Task<SqliteConnection> ConnectionAsync(WriteDurability durability, CancellationToken cancellationToken)
    {
        if (_connection is null)
        {
            var connection = new SqliteConnection(_connectionString);
            try
            {
                await connection.OpenAsync(cancellationToken);
                using var limits = connection.CreateCommand();
                limits.CommandText = $"PRAGMA journal_size_limit={WalSizeLimitBytes}; PRAGMA wal_autocheckpoint={WalAutoCheckpointPages};";
                await limits.ExecuteNonQueryAsync(cancellationToken);
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }

            _connection = connection;
        }

        var relaxed = durability == WriteDurability.Relaxed;
        if (relaxed != _relaxed)
        {
            // SQLite applies the pragma when it compiles it, so a run that fails after compiling may have changed the
            // setting anyway: not known until the run succeeds (and never a command kept, nor a cancellable run).
            _relaxed = null;
            await using var pragma = _connection.CreateCommand();
            pragma.CommandText = relaxed ? "PRAGMA synchronous=NORMAL;" : "PRAGMA synchronous=FULL;";
            await pragma.ExecuteNonQueryAsync(CancellationToken.None);
            _relaxed = relaxed;
        }

        return _connection;
    }

    /// <summary>
    /// The command for <paramref name="sql"/> on the kept connection, compiled on its first use and kept with its
    /// parameters (<paramref name="names"/>, in this order; the caller sets their values by position). Every caller of
    /// one statement must name its parameters alike, in the same order.
    /// </summary>
    public SqliteCommand Command(string sql, DbTransaction? transaction, params ReadOnlySpan<string> names)
    {
        var connection = _connection ?? throw new InvalidOperationException("The write connection is not open: take it first.");
        if (_commands.TryGetValue(sql, out var command))
        {
            if (!SameNames(command.Parameters, names))
            {
                throw new ArgumentException($"The statement was kept with other parameters than {string.Join(", ", names.ToArray())}: {sql}", nameof(names));
            }
        }
        else
        {
#pragma warning disable CA2100 // The text is one of our constant statements; the values are parameters.
            command = new SqliteCommand(sql, connection);
#pragma warning restore CA2100
            try
            {
                foreach (var name in names)
                {
                    command.Parameters.Add(new SqliteParameter { ParameterName = name });
                }

                command.Prepare();
            }
            catch
            {
                command.Dispose();
                throw;
            }

            _commands[sql] = command;
        }

        command.Transaction = (SqliteTransaction?)transaction;
        return command;
    }

    /// <summary>
    /// Ends the turn: a connection left broken or inside a transaction is not trusted with the next one. Whatever
    /// closing it does, the turn goes on to the next writer.
    /// </summary>
    public void End()
    {
        try
        {
            if (_connection is { } connection
                && (connection.State != ConnectionState.Open || SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle) == 0))
            {
                Close();
            }
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <summary>
    /// Closes the connection for good, once a turn under way has ended (waiting for it as long as a turn may wait),
    /// so that its connection is not closed under it.
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _turn.Wait(busyTimeout);
        Close();
        _turn.Dispose();
    }

    private static bool SameNames(SqliteParameterCollection parameters, ReadOnlySpan<string> names)
    {
        if (parameters.Count != names.Length)
        {
            return false;
        }

        for (var i = 0; i < names.Length; i++)
        {
            if (!string.Equals(parameters[i].ParameterName, names[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Forgets the connection and its commands first, so that a failure while closing them never leaves them kept.</summary>
    private void Close()
    {
        var (connection, commands) = (_connection, _commands.Values.ToList());
        _connection = null;
        _relaxed = null;
        _commands.Clear();
        try
        {
            foreach (var command in commands)
            {
                command.Dispose();
            }
        }
        finally
        {
            connection?.Dispose();
        }
    }
}
