using System.Data.Common;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;

namespace CleanWebhooks.Infrastructure.Persistence;

/// <summary>Opens connections to the configured database and picks each statement's dialect.</summary>
public sealed class Database : IDisposable
{
    private readonly string _connectionString;

    /// <summary>SQLite has one writer at a time; in this process, writers queue here, asynchronously.</summary>
    private readonly SemaphoreSlim _sqliteWriter = new(1, 1);

    public Database(DatabaseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        DapperSetup.EnsureConfigured();
        Dialect = options.Provider;
        _connectionString = Dialect == SqlDialect.Sqlite ? PrepareSqlite(options.ConnectionString) : options.ConnectionString;
    }

    public SqlDialect Dialect { get; }

    /// <summary>The statement for this database: SQL is written per dialect, next to the code that runs it.</summary>
    public string Sql(string sqlite, string sqlServer) => Dialect == SqlDialect.Sqlite ? sqlite : sqlServer;

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        DbConnection connection = Dialect == SqlDialect.Sqlite
            ? new SqliteConnection(_connectionString)
            : new SqlConnection(_connectionString);
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
    /// Takes this process's turn to write. SQLite allows one write transaction at a time, and a writer that finds
    /// the lock taken waits inside the provider by sleeping a thread; queueing here instead keeps threads free and
    /// the order fair. Other processes on the same file still meet SQLite's own busy handling. A no-op on SQL Server.
    /// </summary>
    public async ValueTask<IDisposable> EnterWriteAsync(CancellationToken cancellationToken)
    {
        if (Dialect != SqlDialect.Sqlite)
        {
            return NoTurn.Instance;
        }

        await _sqliteWriter.WaitAsync(cancellationToken);
        return new WriteTurn(_sqliteWriter);
    }

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
        var builder = new SqliteConnectionStringBuilder(connectionString) { ForeignKeys = true };
        if (builder.Mode != SqliteOpenMode.Memory && !string.IsNullOrEmpty(builder.DataSource)
            && !builder.DataSource.StartsWith(':') && Path.GetDirectoryName(Path.GetFullPath(builder.DataSource)) is { } folder)
        {
            Directory.CreateDirectory(folder);
        }

        return builder.ToString();
    }

    private sealed class WriteTurn(SemaphoreSlim writer) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                writer.Release();
            }
        }
    }

    private sealed class NoTurn : IDisposable
    {
        public static readonly NoTurn Instance = new();

        public void Dispose()
        {
        }
    }
}
