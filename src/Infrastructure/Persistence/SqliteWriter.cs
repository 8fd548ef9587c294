using System.Data;
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
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
    /// What the WAL may hold before a commit checkpoints it (SQLite's default is 1,000 pages, 4 MB of 4 KiB pages): about
    /// the size limit above, so that the WAL stays near 1 MB in normal running instead of growing to 4 MB between
    /// checkpoints. SQLite counts it in pages, of whatever size the file has (ADR 23).
    /// </summary>
    private const long WalAutoCheckpointBytes = 1024 * 1024;

    private readonly string _connectionString = new SqliteConnectionStringBuilder(connectionString) { Pooling = false }.ToString();
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    /// <summary>SQLite has one writer at a time; in this process, writers queue here, asynchronously.</summary>
    private readonly SemaphoreSlim _turn = new(1, 1);

    private SqliteConnection? _connection;

    /// <summary>The connection's <c>synchronous</c>: NORMAL (true), FULL (false), or not known (null: set it again).</summary>
    private bool? _relaxed;

    private bool _disposed;

    /// <summary>
    /// Below this much of its busy timeout left once it has the turn, a write does not leave the wait for SQLite's lock
    /// to the provider, which counts it in whole seconds and would end it up to a second late.
    /// </summary>
    private static readonly TimeSpan ShortestProviderWait = TimeSpan.FromMilliseconds(500);

    /// <summary>How often a write that waits for SQLite's lock itself (<see cref="WaitForTheLockAsync"/>) tries it again.</summary>
    private static readonly TimeSpan LockRetry = TimeSpan.FromMilliseconds(50);

    /// <summary>When a turn last ran long, or the lock was last found taken (a <see cref="Stopwatch"/> timestamp; 0 when never).</summary>
    private long _contendedAt;

    /// <summary>When the current turn began.</summary>
    private long _turnStartedAt;

    /// <summary>How long the current turn's holder waited for it.</summary>
    private TimeSpan _turnWaited;

    /// <summary>Writes waiting for the turn now: while one holds it, those queued behind it.</summary>
    private int _waiting;

    /// <summary>
    /// Waits for the write turn, then gives its connection, its commits flushed to disk or not as
    /// <paramref name="durability"/> asks. The holder ends the turn with <see cref="End"/>. The write waits at most the
    /// busy timeout in all, counted from <paramref name="waitingSince"/> (a <see cref="Stopwatch"/> timestamp; now when
    /// null): for the turn, then for SQLite's lock with what is left. So writers queued behind one that waits out a
    /// lock held by another process do not each wait a whole busy timeout more once they have the turn.
    /// </summary>
    public async Task<SqliteConnection> TakeAsync(WriteDurability durability, CancellationToken cancellationToken, long? waitingSince = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var since = waitingSince ?? Stopwatch.GetTimestamp();

        // Waiting for the turn longer than the busy timeout is the database being locked too long, as far as the caller can tell.
        var left = busyTimeout - Stopwatch.GetElapsedTime(since);
        bool given;
        var turn = left > TimeSpan.Zero ? _turn.WaitAsync(left, cancellationToken) : Task.FromResult(false);
        // Counted once queued for the turn: a holder that reads n waiting has n writes queued, in order, behind it.
        Interlocked.Increment(ref _waiting);
        try
        {
            given = await turn;
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }

        if (!given)
        {
            throw new TimeoutException($"The database's write turn was not free within {busyTimeout} (Database:BusyTimeout).");
        }

        _turnStartedAt = Stopwatch.GetTimestamp();
        _turnWaited = Stopwatch.GetElapsedTime(since, _turnStartedAt);
        try
        {
            var connection = await ConnectionAsync(durability, cancellationToken);
            await WaitForTheLockAsync(connection, since, cancellationToken);
            return connection;
        }
        catch
        {
            End();
            throw;
        }
    }

    /// <summary>
    /// Bounds this turn's wait for SQLite's write lock by what is left of the write's busy timeout. Normally the
    /// provider waits (Microsoft.Data.Sqlite retries a busy statement until its command timeout, in whole seconds,
    /// which every command of the connection takes from <see cref="SqliteConnection.DefaultTimeout"/>), sleeping a
    /// thread. While the lock is contended (a turn ran long, or the lock was found taken, within the busy timeout), or
    /// with too little time left for a whole second, the write waits here instead, without a thread: it tries the lock
    /// without waiting until it is free or the time is up, then leaves the provider a second for the rare case of
    /// another process taking it in between.
    /// </summary>
    private async Task WaitForTheLockAsync(SqliteConnection connection, long since, CancellationToken cancellationToken)
    {
        var left = busyTimeout - Stopwatch.GetElapsedTime(since);
        var contended = _contendedAt != 0 && Stopwatch.GetElapsedTime(_contendedAt) < busyTimeout;
        if (!contended && left >= ShortestProviderWait)
        {
            connection.DefaultTimeout = (int)Math.Max(1, Math.Round(left.TotalSeconds, MidpointRounding.AwayFromZero));
            return;
        }

        while (SQLitePCL.raw.sqlite3_exec(connection.Handle, "BEGIN IMMEDIATE; ROLLBACK;") is var rc && rc != SQLitePCL.raw.SQLITE_OK)
        {
            _contendedAt = Stopwatch.GetTimestamp();
            left = busyTimeout - Stopwatch.GetElapsedTime(since);
            if (rc is not (SQLitePCL.raw.SQLITE_BUSY or SQLitePCL.raw.SQLITE_LOCKED) || left <= TimeSpan.Zero)
            {
                throw new SqliteException($"The database is locked (SQLite {rc}) beyond Database:BusyTimeout.", rc);
            }

            await Task.Delay(left < LockRetry ? left : LockRetry, cancellationToken);
        }

        connection.DefaultTimeout = 1;
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
                limits.CommandText = "PRAGMA page_size;";
                var pageSize = Convert.ToInt64(await limits.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
                limits.CommandText = $"PRAGMA journal_size_limit={WalSizeLimitBytes}; PRAGMA wal_autocheckpoint={WalAutoCheckpointBytes / pageSize};";
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

    /// <summary>The current turn so far: how long its holder waited for it, how long it has held it, and how many writes wait for it now. Its holder's to ask.</summary>
    public WriteTurn Turn() => new(_turnWaited, Stopwatch.GetElapsedTime(_turnStartedAt), Volatile.Read(ref _waiting));

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
            // A turn that ran long most likely waited for a lock that another process holds: the next turns wait for it here.
            if (Stopwatch.GetElapsedTime(_turnStartedAt) >= ShortestProviderWait)
            {
                _contendedAt = Stopwatch.GetTimestamp();
            }

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
