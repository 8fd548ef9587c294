using System.Data.Common;
using Dapper;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;

namespace CleanWebhooks.Infrastructure.Persistence;

/// <summary>Opens connections to the configured database and picks each statement's dialect.</summary>
public sealed class Database : IDisposable
{
    private readonly string _connectionString;
    private readonly string _writeConnectionString;

    /// <summary>SQLite has one writer at a time; in this process, writers queue here, asynchronously.</summary>
    private readonly SemaphoreSlim _sqliteWriter = new(1, 1);

    public Database(DatabaseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        DapperSetup.EnsureConfigured();
        Dialect = options.Provider;
        _connectionString = Dialect == SqlDialect.Sqlite ? PrepareSqlite(options.ConnectionString) : options.ConnectionString;

        // Foreign keys matter to writes only; SQLite checks them per connection, at a cost on every open.
        _writeConnectionString = Dialect == SqlDialect.Sqlite
            ? new SqliteConnectionStringBuilder(_connectionString) { ForeignKeys = true }.ToString()
            : _connectionString;
    }

    public SqlDialect Dialect { get; }

    /// <summary>The statement for this database: SQL is written per dialect, next to the code that runs it.</summary>
    public string Sql(string sqlite, string sqlServer) => Dialect == SqlDialect.Sqlite ? sqlite : sqlServer;

    /// <summary>A connection for reading.</summary>
    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => Traced(await OpenAsync(_connectionString, cancellationToken));

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
            return new DatabaseWriter(Traced(await OpenAsync(_writeConnectionString, cancellationToken)), null, relaxed: false);
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

            return new DatabaseWriter(Traced(connection), _sqliteWriter, relaxed);
        }
        catch
        {
            _sqliteWriter.Release();
            throw;
        }
    }

    private async Task<DbConnection> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
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
    /// class the provider's own connection is at hand.
    /// </summary>
    private DbConnection Traced(DbConnection connection) =>
        Telemetry.Tracing.Source.HasListeners() ? new Telemetry.TracedConnection(connection, Dialect == SqlDialect.Sqlite ? "sqlite" : "microsoft.sql_server") : connection;

    public void Dispose() => _sqliteWriter.Dispose();

    /// <summary>True when <paramref name="exception"/> is a unique constraint violation.</summary>
    public static bool IsUniqueViolation(DbException exception) => exception switch
    {
        SqliteException e => e.SqliteErrorCode == 19 && e.SqliteExtendedErrorCode is 2067 or 1555,
        SqlException e => e.Number is 2601 or 2627,
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
