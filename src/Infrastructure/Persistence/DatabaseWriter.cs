using System.Data.Common;
using CleanWebhooks.Infrastructure.Telemetry;
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

/// <summary>A write connection held in this process's turn; disposing it ends the turn.</summary>
public sealed class DatabaseWriter : IAsyncDisposable
{
    private readonly SemaphoreSlim? _turn;
    private readonly bool _relaxed;

    internal DatabaseWriter(DbConnection connection, SemaphoreSlim? turn, bool relaxed)
    {
        Connection = connection;
        _turn = turn;
        _relaxed = relaxed;
    }

    public DbConnection Connection { get; }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_relaxed)
            {
                // Pooled connections are shared: hand this one back with full durability.
                try
                {
                    await Connection.ExecuteAsync("PRAGMA synchronous=FULL;");
                }
                catch (SqliteException)
                {
                    SqliteConnection.ClearPool((SqliteConnection)TracedConnection.Unwrap(Connection));
                    throw;
                }
            }
        }
        finally
        {
            await Connection.DisposeAsync();
            _turn?.Release();
        }
    }
}
