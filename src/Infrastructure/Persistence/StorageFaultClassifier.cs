using System.Data.Common;
using CleanWebhooks.Application.Common.Abstractions;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace CleanWebhooks.Infrastructure.Persistence;

/// <summary>
/// The one place that knows which database errors are storage faults, per provider. Another provider adds its
/// exception type to <see cref="IsFault"/>.
/// </summary>
public sealed class StorageFaultClassifier : IStorageFaultClassifier
{
    /// <summary>Primary SQLite result codes (https://www.sqlite.org/rescode.html) that a passing condition causes.</summary>
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteReadOnly = 8;
    private const int SqliteIoError = 10;
    private const int SqliteFull = 13;
    private const int SqliteCantOpen = 14;

    /// <summary>SQL Server errors of a lost, refused or overloaded server that the client library does not mark transient.</summary>
    private static readonly HashSet<int> SqlServerFaults =
    [
        -2,     // command timeout (waiting for a lock longer than Database:BusyTimeout)
        -1, 2, 53, 258, 10053, 10054, 10060, 10061, 11001, // connection could not be made, or was lost
        233, 64, 121, 1231,                                 // connection broken by the network
        1105, 9002,                                         // filegroup or transaction log full
        1205, 1222,                                         // deadlock victim, lock request timeout
        4060,                                               // the database is offline or being restored
        40197, 40501, 40613, 49918, 49919, 49920,           // Azure SQL: service busy or reconfiguring
        3960, 3966, 701, 802, 8645,                         // snapshot conflicts, out of memory
    ];

    /// <summary>
    /// PostgreSQL SQLSTATEs of a full disk, a server going away or overloaded, or a wait longer than allowed
    /// (https://www.postgresql.org/docs/current/errcodes-appendix.html). Npgsql marks connection failures transient.
    /// </summary>
    private static readonly HashSet<string> PostgresFaults =
    [
        "53100", "53200", "53300", "53400",                 // disk full, out of memory, too many connections, configuration limit
        "57P01", "57P02", "57P03", "57014",                 // shutdown, crash, cannot connect now, statement cancelled (timeout)
        "08000", "08001", "08003", "08004", "08006",        // connection exceptions
        "55P03", "40001", "40P01",                          // lock not available, serialization failure, deadlock
        "58030", "25006",                                   // I/O error, read-only transaction (a standby)
    ];

    public bool IsStorageFault(Exception exception) => Classify(exception);

    /// <summary>True when <paramref name="exception"/> or any exception it wraps is a storage fault.</summary>
    public static bool Classify(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (IsFault(current))
            {
                return true;
            }

            if (current is AggregateException aggregate && aggregate.InnerExceptions.Any(Classify))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsFault(Exception exception) => exception switch
    {
        SqliteException e => e.SqliteErrorCode is SqliteBusy or SqliteLocked or SqliteReadOnly or SqliteIoError or SqliteFull or SqliteCantOpen,
        SqlException e => e.IsTransient || e.Errors.Cast<SqlError>().Any(error => SqlServerFaults.Contains(error.Number)),
        PostgresException e => e.IsTransient || PostgresFaults.Contains(e.SqlState),
        DbException e => e.IsTransient,
        TimeoutException => true,
        InvalidOperationException e => IsSqlClientPoolTimeout(e),
        _ => false,
    };

    /// <summary>
    /// SqlClient's pool exhausted: every pooled connection in use (a server slow to answer, or a burst) until the
    /// connect timeout. SqlClient raises it as a plain InvalidOperationException, told apart by its text only (SqlClient
    /// ships it in English unless a satellite language is installed; Npgsql's own pool timeout wraps a TimeoutException).
    /// </summary>
    private static bool IsSqlClientPoolTimeout(InvalidOperationException exception) =>
        exception.Message.Contains("max pool size was reached", StringComparison.OrdinalIgnoreCase)
        || exception.Message.Contains("obtaining a connection from the pool", StringComparison.OrdinalIgnoreCase);
}
