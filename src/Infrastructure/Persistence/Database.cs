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
        ["clients", "api_keys", "webhooks", "events", "idempotency_keys", "deliveries", "delivery_attempts", "schema_migrations"];

    /// <summary>A table name where a statement names a table: after FROM, JOIN, INTO or UPDATE (so never a CTE or alias of the same name).</summary>
    private static readonly Regex TableName = new(
        @"(?<=\b(?:FROM|JOIN|INTO|UPDATE)\s+)(" + string.Join('|', Tables) + @")\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private readonly string _connectionString;
    private readonly string _writeConnectionString;
    private readonly NpgsqlDataSource? _postgres;
    private readonly ConcurrentDictionary<string, string> _sqlServerText = new(StringComparer.Ordinal);

    /// <summary>SQLite has one writer at a time; in this process, writers queue here, asynchronously.</summary>
    private readonly SemaphoreSlim _sqliteWriter = new(1, 1);

    public Database(DatabaseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        DapperSetup.EnsureConfigured();
        Dialect = options.Provider;
        MigrationLockTimeout = options.MigrationLockTimeout > TimeSpan.Zero ? options.MigrationLockTimeout : TimeSpan.FromSeconds(60);
        _connectionString = Dialect == SqlDialect.Sqlite ? PrepareSqlite(options.ConnectionString) : options.ConnectionString;

        // Foreign keys matter to writes only; SQLite checks them per connection, at a cost on every open.
        _writeConnectionString = Dialect == SqlDialect.Sqlite
            ? new SqliteConnectionStringBuilder(_connectionString) { ForeignKeys = true }.ToString()
            : _connectionString;

        // One data source per process: it owns Npgsql's pool and what it learned of the server's types.
        _postgres = Dialect == SqlDialect.PostgreSql ? NpgsqlDataSource.Create(_connectionString) : null;
    }

    public SqlDialect Dialect { get; }

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

    /// <summary>A portable statement as SQL Server receives it: every table qualified with <c>dbo.</c>.</summary>
    public static string QualifyForSqlServer(string portable) => TableName.Replace(portable, "dbo.$1");

    /// <summary>A connection for reading.</summary>
    public Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => OpenAsync(_connectionString, cancellationToken);

    /// <summary>
    /// A connection for writing, opened in this process's turn: SQLite allows one write transaction at a time, and
    /// a writer that finds the lock taken would wait inside the provider by sleeping a thread; queueing here keeps
    /// threads free and the order fair (other processes on the file still meet SQLite's busy handling).
    /// <paramref name="durability"/> <see cref="WriteDurability.Relaxed"/> skips the disk flush of the commit on SQLite
    /// (<c>synchronous=NORMAL</c>): for writes whose loss to a power cut is harmless, such as a lease.
    /// </summary>
    public async Task<DatabaseWriter> OpenWriterAsync(CancellationToken cancellationToken, WriteDurability durability = WriteDurability.Full)
    {
        if (Dialect != SqlDialect.Sqlite)
        {
            return new DatabaseWriter(await OpenAsync(_writeConnectionString, cancellationToken), null, relaxed: false);
        }

        await _sqliteWriter.WaitAsync(cancellationToken);
        try
        {
            var connection = await OpenAsync(_writeConnectionString, cancellationToken);
            var relaxed = durability == WriteDurability.Relaxed;
            if (relaxed)
            {
                await connection.ExecuteAsync(new CommandDefinition("PRAGMA synchronous=NORMAL;", cancellationToken: cancellationToken));
            }

            return new DatabaseWriter(connection, _sqliteWriter, relaxed);
        }
        catch
        {
            _sqliteWriter.Release();
            throw;
        }
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

    public void Dispose()
    {
        _sqliteWriter.Dispose();
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

    /// <summary>Creates the database file's folder so a fresh clone runs with nothing to set up.</summary>
    private static string PrepareSqlite(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.Mode != SqliteOpenMode.Memory && !string.IsNullOrEmpty(builder.DataSource)
            && !builder.DataSource.StartsWith(':') && Path.GetDirectoryName(Path.GetFullPath(builder.DataSource)) is { } folder)
        {
            Directory.CreateDirectory(folder);
        }

        return builder.ToString();
    }

}
