using System.Collections.Concurrent;
using System.Data.Common;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace CleanWebhooks.Infrastructure.Persistence;

/// <summary>Opens connections to the configured database and picks each statement's dialect.</summary>
public sealed class Database : IDisposable
{
    /// <summary>
    /// The tables a portable statement may name; on SQL Server each is qualified with <c>dbo.</c>. A migration that
    /// adds a table adds it here (a test compares this list with the migrations).
    /// </summary>
    internal static readonly string[] Tables =
        ["clients", "api_keys", "webhooks", "events", "idempotency_keys", "deliveries", "delivery_attempts", "health_probe", "portal_links", "schema_migrations"];

    /// <summary>A table name where a statement names a table: after FROM, JOIN, INTO or UPDATE (so never a CTE or alias of the same name).</summary>
    private static readonly Regex TableName = new(
        @"(?<=\b(?:FROM|JOIN|INTO|UPDATE)\s+)(" + string.Join('|', Tables) + @")\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private readonly string _connectionString;
    private readonly string _writeConnectionString;
    private readonly NpgsqlDataSource? _postgres;
    private readonly ConcurrentDictionary<string, string> _sqlServerText = new(StringComparer.Ordinal);

    /// <summary>On SQLite, the one write connection, kept open with its compiled statements, and the write turn.</summary>
    private readonly SqliteWriter? _writer;

    private int _disposed;

    /// <summary>On SQLite, read connections that keep their compiled statements (<see cref="QueryFirstPreparedAsync{T}"/>).</summary>
    private readonly SqlitePreparedReads? _preparedReads;

    public Database(DatabaseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        DapperSetup.EnsureConfigured();
        Dialect = options.Provider;
        MigrationLockTimeout = options.MigrationLockTimeout;
        BusyTimeout = options.BusyTimeout;
        _connectionString = Dialect switch
        {
            SqlDialect.Sqlite => PrepareSqlite(options.ConnectionString, BusyTimeout),
            SqlDialect.PostgreSql => PreparePostgres(options.ConnectionString, BusyTimeout),
            _ => PrepareSqlServer(options.ConnectionString, BusyTimeout),
        };

        // Foreign keys matter to writes only; SQLite checks them per connection, at a cost on every open.
        _writeConnectionString = Dialect == SqlDialect.Sqlite
            ? new SqliteConnectionStringBuilder(_connectionString) { ForeignKeys = true }.ToString()
            : _connectionString;

        // One data source per process: it owns Npgsql's pool and what it learned of the server's types.
        _postgres = Dialect == SqlDialect.PostgreSql ? NpgsqlDataSource.Create(_connectionString) : null;
        _preparedReads = Dialect == SqlDialect.Sqlite ? new SqlitePreparedReads(_connectionString) : null;
        _writer = Dialect == SqlDialect.Sqlite ? new SqliteWriter(_writeConnectionString, BusyTimeout) : null;
    }

    public SqlDialect Dialect { get; }

    /// <summary>How long a statement waits for a lock (or a server) before it fails as a storage fault (<c>Database:BusyTimeout</c>).</summary>
    public TimeSpan BusyTimeout { get; }

    /// <summary>How long the migrator waits for another node's migration lock.</summary>
    public TimeSpan MigrationLockTimeout { get; }

    /// <summary>
    /// A statement that every engine runs as written: table names bare, the reserved word <c>key</c> quoted the
    /// standard way (<c>"key"</c>). On SQL Server each table is qualified with <c>dbo.</c> (once per statement,
    /// then remembered), so that name resolution never depends on the login's default schema.
    /// </summary>
    public string Sql(string portable) =>
        Dialect == SqlDialect.SqlServer ? _sqlServerText.GetOrAdd(portable, QualifyForSqlServer) : portable;

    /// <summary>The statement for this database where the engines truly differ (the claim, paging, upserts, locking hints).</summary>
    public string Sql(string sqlite, string sqlServer, string postgreSql) => Dialect switch
    {
        SqlDialect.Sqlite => sqlite,
        SqlDialect.SqlServer => sqlServer,
        SqlDialect.PostgreSql => postgreSql,
        _ => throw new InvalidOperationException($"Unknown database provider {Dialect}."),
    };

    /// <summary>A server database's statement, where SQLite takes a path of its own (its kept, compiled commands).</summary>
    public string ServerSql(string sqlServer, string postgreSql) => Dialect switch
    {
        SqlDialect.SqlServer => sqlServer,
        SqlDialect.PostgreSql => postgreSql,
        _ => throw new InvalidOperationException($"Not a server database's statement: {Dialect} takes its own path here."),
    };

    /// <summary>A portable statement as SQL Server receives it: every table qualified with <c>dbo.</c>.</summary>
    public static string QualifyForSqlServer(string portable) => TableName.Replace(portable, "dbo.$1");

    /// <summary>A connection for reading.</summary>
    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => Traced(await OpenAsync(_connectionString, cancellationToken));

    /// <summary>
    /// The first row of a portable read, or default, for the hottest reads (an integrator's <c>GET</c>): on SQLite the
    /// statement is compiled once per kept connection instead of once per call. <paramref name="parameters"/> are
    /// bound by name, always in the same order for the same statement. While tracing listens it takes the ordinary
    /// path, so that the statement is a span like any other.
    /// </summary>
    public async Task<T?> QueryFirstPreparedAsync<T>(string portable, IReadOnlyList<KeyValuePair<string, object>> parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (_preparedReads is not null && !Telemetry.Tracing.Source.HasListeners())
        {
            return await _preparedReads.QueryFirstOrDefaultAsync<T>(portable, parameters, cancellationToken);
        }

        await using var connection = await OpenAsync(cancellationToken);
        return await connection.QueryFirstOrDefaultAsync<T>(new CommandDefinition(Sql(portable), Arguments(parameters), cancellationToken: cancellationToken));
    }

    /// <summary>Every row of a read, compiled once per kept connection on SQLite, as <see cref="QueryFirstPreparedAsync{T}"/>.</summary>
    public async Task<IReadOnlyList<T>> QueryPreparedAsync<T>(string portable, IReadOnlyList<KeyValuePair<string, object>> parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (_preparedReads is not null && !Telemetry.Tracing.Source.HasListeners())
        {
            return await _preparedReads.QueryAsync<T>(portable, parameters, cancellationToken);
        }

        await using var connection = await OpenAsync(cancellationToken);
        return (await connection.QueryAsync<T>(new CommandDefinition(Sql(portable), Arguments(parameters), cancellationToken: cancellationToken))).AsList();
    }

    private static DynamicParameters Arguments(IReadOnlyList<KeyValuePair<string, object>> parameters)
    {
        var arguments = new DynamicParameters();
        foreach (var (name, value) in parameters)
        {
            arguments.Add(name, value);
        }

        return arguments;
    }

    /// <summary>
    /// A connection for writing, in this process's turn: SQLite allows one write transaction at a time, and a writer
    /// that finds the lock taken would wait inside the provider by sleeping a thread; queueing here keeps threads free
    /// and the order fair (other processes on the file still meet SQLite's busy handling). On SQLite the connection is
    /// the one kept for every turn (<see cref="SqliteWriter"/>). <paramref name="durability"/>
    /// <see cref="WriteDurability.Relaxed"/> skips the disk flush of the commit on SQLite (<c>synchronous=NORMAL</c>):
    /// for writes whose loss to a power cut is harmless, such as a lease. On SQLite the write waits at most
    /// <see cref="BusyTimeout"/> in all, turn and lock, counted from <paramref name="waitingSince"/> (a
    /// <see cref="System.Diagnostics.Stopwatch"/> timestamp of when its callers began to wait; now when null).
    /// </summary>
    public async Task<DatabaseWriter> OpenWriterAsync(
        CancellationToken cancellationToken, WriteDurability durability = WriteDurability.Full, long? waitingSince = null)
    {
        if (_writer is null)
        {
            return new DatabaseWriter(Traced(await OpenAsync(_writeConnectionString, cancellationToken)));
        }

        return new DatabaseWriter(Traced(await _writer.TakeAsync(durability, cancellationToken, waitingSince)), _writer);
    }

    /// <summary>
    /// Gives the WAL file's space back to the disk (SQLite <c>wal_checkpoint(TRUNCATE)</c>), after a purge or once a
    /// storage fault has passed. Best effort: with readers in the way it copies what it can and returns.
    /// </summary>
    public async Task CheckpointAsync(CancellationToken cancellationToken)
    {
        if (Dialect != SqlDialect.Sqlite)
        {
            return;
        }

        await using var writer = await OpenWriterAsync(cancellationToken);
        await writer.Connection.ExecuteAsync(new CommandDefinition("PRAGMA wal_checkpoint(TRUNCATE);", cancellationToken: cancellationToken));
    }

    private async Task<DbConnection> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        if (_postgres is not null)
        {
            return await _postgres.OpenConnectionAsync(cancellationToken);
        }

        DbConnection connection = Dialect == SqlDialect.Sqlite
            ? new SqliteConnection(connectionString)
            : new SqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// While tracing listens, a connection whose statements are spans. Only what callers get is wrapped: inside this
    /// class the provider's own connection is at hand. Never on PostgreSQL: Dapper sends a list as one array parameter
    /// only to a connection it recognises as Npgsql's (by its type), and the statements there rely on it.
    /// </summary>
    private DbConnection Traced(DbConnection connection) =>
        Dialect != SqlDialect.PostgreSql && Telemetry.Tracing.Source.HasListeners()
            ? new Telemetry.TracedConnection(connection, Dialect == SqlDialect.Sqlite ? "sqlite" : "microsoft.sql_server")
            : connection;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _preparedReads?.Dispose();
        _writer?.Dispose();
        _postgres?.Dispose();
    }

    /// <summary>True when <paramref name="exception"/> is a unique constraint violation.</summary>
    public static bool IsUniqueViolation(DbException exception) => exception switch
    {
        SqliteException e => e.SqliteErrorCode == 19 && e.SqliteExtendedErrorCode is 2067 or 1555,
        SqlException e => e.Number is 2601 or 2627,
        PostgresException e => e.SqlState == PostgresErrorCodes.UniqueViolation,
        _ => false,
    };

    /// <summary>True when the server ended the statement's transaction to break a deadlock (SQL Server 1205, PostgreSQL 40P01).</summary>
    public static bool IsDeadlock(DbException exception) => exception switch
    {
        SqlException e => e.Number == 1205,
        PostgresException e => e.SqlState == PostgresErrorCodes.DeadlockDetected,
        _ => false,
    };

    /// <summary>
    /// Creates the database file's folder so a fresh clone runs with nothing to set up, and makes a locked database
    /// fail after the busy timeout (Microsoft.Data.Sqlite retries a busy statement until its command timeout).
    /// </summary>
    private static string PrepareSqlite(string connectionString, TimeSpan busyTimeout)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString) { DefaultTimeout = WholeSeconds(busyTimeout) };
        if (builder.Mode != SqliteOpenMode.Memory && !string.IsNullOrEmpty(builder.DataSource)
            && !builder.DataSource.StartsWith(':') && Path.GetDirectoryName(Path.GetFullPath(builder.DataSource)) is { } folder)
        {
            Directory.CreateDirectory(folder);
        }

        return builder.ToString();
    }

    /// <summary>A statement waiting on locks or on an unresponsive server fails after the busy timeout, unless the connection string says otherwise.</summary>
    private static string PrepareSqlServer(string connectionString, TimeSpan busyTimeout)
    {
        var builder = new SqlConnectionStringBuilder(connectionString);
        if (!builder.ShouldSerialize("Command Timeout"))
        {
            builder.CommandTimeout = WholeSeconds(busyTimeout);
        }

        return builder.ToString();
    }

    /// <summary>
    /// The same for PostgreSQL: Npgsql's command timeout, and two settings for a service that runs the same few
    /// statements all day, each unless the connection string sets it. <c>Max Auto Prepare</c>: a statement run twice on
    /// a connection is prepared there, so the server parses and plans it once, not on every call. <c>No Reset On
    /// Close</c>: a connection returned to the pool is not sent <c>DISCARD ALL</c> (a round trip per use, about two per
    /// delivery, and it would drop the prepared statements); the service keeps no session state (its settings and locks
    /// are all transaction-scoped).
    /// </summary>
    internal static string PreparePostgres(string connectionString, TimeSpan busyTimeout)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!builder.ShouldSerialize("Command Timeout"))
        {
            builder.CommandTimeout = WholeSeconds(busyTimeout);
        }

        if (!builder.ShouldSerialize("Max Auto Prepare"))
        {
            builder.MaxAutoPrepare = 64;
            builder.AutoPrepareMinUsages = 2;
        }

        if (!builder.ShouldSerialize("No Reset On Close"))
        {
            builder.NoResetOnClose = true;
        }

        return builder.ToString();
    }

    private static int WholeSeconds(TimeSpan timeout) => (int)Math.Max(1, Math.Ceiling(timeout.TotalSeconds));
}
