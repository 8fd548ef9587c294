using System.Globalization;
using Npgsql;

namespace CleanWebhooks.Bench;

/// <summary>
/// What a PostgreSQL server spends, read from outside it: the CPU of all its processes (from <c>/proc</c>, when it runs
/// on this machine), the WAL it writes (<c>pg_current_wal_lsn()</c>), what the service's tables take on disk, its
/// backends' wait events while a run goes on, and its statements' costs when <c>pg_stat_statements</c> is loaded.
/// Everything but the tables is the whole cluster's: run the bench on a cluster of its own for these figures.
/// </summary>
internal sealed class PostgresMeter
{
    private readonly string _database;

    private PostgresMeter(string database, int? postmaster, string how)
    {
        _database = database;
        Postmaster = postmaster;
        How = how;
    }

    /// <summary>The postmaster's pid when the server's processes were found on this machine.</summary>
    public int? Postmaster { get; }

    /// <summary>How the server's processes were found, or why not.</summary>
    public string How { get; }

    /// <summary>
    /// Finds the server's processes: the backend of a fresh connection (<c>pg_backend_pid()</c>) is a child of the
    /// postmaster, whose pid is the first line of <c>postmaster.pid</c> in <c>SHOW data_directory</c> (read when the
    /// bench may, else the backend's parent is trusted when it too is a <c>postgres</c> process).
    /// </summary>
    public static async Task<PostgresMeter> FindAsync(string database, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database) { Pooling = false }.ToString());
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT pg_backend_pid();", connection);
        var backend = (int)(await command.ExecuteScalarAsync(cancellationToken))!;
        string? dataDirectory = null;
        try
        {
            await using var show = new NpgsqlCommand("SHOW data_directory;", connection);
            dataDirectory = (string?)await show.ExecuteScalarAsync(cancellationToken);
        }
        catch (PostgresException)
        {
            // Neither superuser nor pg_read_all_settings: the parent of the backend is all there is.
        }

        if (ProcFs.NameOf(backend) is not { } name || !name.StartsWith("postgres", StringComparison.Ordinal) || ProcFs.ParentOf(backend) is not { } parent)
        {
            return new PostgresMeter(database, null, $"backend {backend} is not a postgres process on this machine: the server's CPU is not measured");
        }

        var pidFile = dataDirectory is null ? null : Path.Combine(dataDirectory, "postmaster.pid");
        string? firstLine = null;
        try
        {
            firstLine = pidFile is null ? null : File.ReadLines(pidFile).FirstOrDefault()?.Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not readable by the bench: the parent of the backend stands.
        }

        if (firstLine is not null)
        {
            return firstLine == parent.ToString(CultureInfo.InvariantCulture)
                ? new PostgresMeter(database, parent, $"postmaster {parent} (from {pidFile}) and its children, from /proc")
                : new PostgresMeter(database, null, $"{pidFile} names postmaster {firstLine}, not the backend's parent {parent}: not measured");
        }

        return ProcFs.NameOf(parent) is { } parentName && parentName.StartsWith("postgres", StringComparison.Ordinal)
            ? new PostgresMeter(database, parent, $"postmaster {parent} (the parent of backend {backend}) and its children, from /proc")
            : new PostgresMeter(database, null, $"the parent {parent} of backend {backend} is not postgres: not measured");
    }

    /// <summary>CPU seconds the whole cluster has used so far (postmaster, backends, WAL writer, checkpointer, autovacuum...).</summary>
    public double? CpuSeconds() => Postmaster is { } pid ? ProcFs.TreeCpuSeconds(pid) : null;

    /// <summary>Where the cluster's WAL ends now, in bytes since its start (<c>pg_current_wal_lsn()</c>).</summary>
    public async Task<long> WalPositionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT pg_current_wal_lsn()::text;", connection);
        var lsn = ((string)(await command.ExecuteScalarAsync(cancellationToken))!).Split('/');
        return (long.Parse(lsn[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture) << 32) + long.Parse(lsn[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The service's stored rows: <c>pg_total_relation_size</c> (heap, indexes, TOAST, free space map) of events,
    /// deliveries and delivery_attempts, with their row counts. With <paramref name="compact"/>, after
    /// <c>VACUUM FULL</c> of the three (no dead rows, no free space: what a long-kept table tends to once its churn is
    /// reused); only once the service has stopped.
    /// </summary>
    public async Task<StorageResult> StorageAsync(bool compact, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        if (compact)
        {
            await using var vacuum = new NpgsqlCommand("VACUUM FULL events, deliveries, delivery_attempts;", connection) { CommandTimeout = 600 };
            await vacuum.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var command = new NpgsqlCommand(
            """
            SELECT (SELECT count(*) FROM events), pg_total_relation_size('events'),
                   (SELECT count(*) FROM deliveries), pg_total_relation_size('deliveries'),
                   (SELECT count(*) FROM delivery_attempts), pg_total_relation_size('delivery_attempts');
            """, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return StorageResult.Of(
            compact ? "pg_total_relation_size after VACUUM FULL" : "pg_total_relation_size after the run",
            new TableSize(reader.GetInt64(0), reader.GetInt64(1)), new TableSize(reader.GetInt64(2), reader.GetInt64(3)),
            new TableSize(reader.GetInt64(4), reader.GetInt64(5)));
    }

    /// <summary>
    /// Starts <c>pg_stat_statements</c> afresh for this database when the server preloads it (the extension is created in
    /// the bench's database); false when it does not.
    /// </summary>
    public async Task<bool> ResetStatementsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        try
        {
            await using var loaded = new NpgsqlCommand("SELECT current_setting('shared_preload_libraries') LIKE '%pg_stat_statements%';", connection);
            if (!(bool)(await loaded.ExecuteScalarAsync(cancellationToken))!)
            {
                return false;
            }

            await using var reset = new NpgsqlCommand(
                "CREATE EXTENSION IF NOT EXISTS pg_stat_statements; " +
                "SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0);", connection);
            await reset.ExecuteNonQueryAsync(cancellationToken);
            return true;
        }
        catch (PostgresException e)
        {
            Progress.Line($"  pg_stat_statements not used: {e.MessageText}");
            return false;
        }
    }

    /// <summary>The statements that took the most execution time in this database since the reset.</summary>
    public async Task<IReadOnlyList<StatementCost>> StatementsAsync(int top, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            SELECT left(regexp_replace(query, '\s+', ' ', 'g'), 200), calls, total_exec_time, rows, shared_blks_hit + shared_blks_read, wal_bytes
            FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
            ORDER BY total_exec_time DESC LIMIT @top;
            """, connection);
        command.Parameters.AddWithValue("top", top);
        var statements = new List<StatementCost>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var calls = reader.GetInt64(1);
            var totalMs = reader.GetDouble(2);
            statements.Add(new StatementCost(
                reader.GetString(0), calls, Math.Round(totalMs, 1), calls > 0 ? Math.Round(totalMs / calls, 3) : 0, reader.GetInt64(3), reader.GetInt64(4),
                (long)reader.GetDecimal(5)));
        }

        return statements;
    }

    /// <summary>Samples the bench database's backends that are not idle, every 100 ms, until stopped.</summary>
    public WaitEventSampler SampleWaitEvents() => new(_database);

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_database) { Pooling = false }.ToString());
        await connection.OpenAsync(cancellationToken);
        return connection;
    }
}

/// <summary>
/// What the bench database's backends were doing, sampled from <c>pg_stat_activity</c> every 100 ms: per wait event
/// (<c>type:event</c>; <c>CPU</c> for an active backend with none, which is running or in an uninstrumented wait), or
/// per state when not active (<c>idle in transaction</c>), the mean number of backends in it.
/// </summary>
internal sealed class WaitEventSampler : IAsyncDisposable
{
    private const string Query =
        """
        SELECT CASE WHEN state = 'active' THEN coalesce(wait_event_type || ':' || wait_event, 'CPU') ELSE state END, count(*)
        FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND state <> 'idle'
        GROUP BY 1;
        """;

    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, long> _counts = [];
    private readonly Task _sampling;
    private int _samples;

    public WaitEventSampler(string database) => _sampling = SampleAsync(database);

    /// <summary>Stops sampling; the mean number of backends in each wait event or state, largest first.</summary>
    public async Task<Dictionary<string, double>> StopAsync()
    {
        await _stop.CancelAsync();
        await _sampling;
        return _counts.OrderByDescending(c => c.Value)
            .ToDictionary(c => c.Key, c => _samples > 0 ? Math.Round(c.Value / (double)_samples, 2) : 0, StringComparer.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _sampling;
        _stop.Dispose();
    }

    private async Task SampleAsync(string database)
    {
        try
        {
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database) { Pooling = false }.ToString());
            await connection.OpenAsync(_stop.Token);
            await using var command = new NpgsqlCommand(Query, connection);
            await command.PrepareAsync(_stop.Token);
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
            do
            {
                await using (var reader = await command.ExecuteReaderAsync(_stop.Token))
                {
                    while (await reader.ReadAsync(_stop.Token))
                    {
                        _counts[reader.GetString(0)] = _counts.GetValueOrDefault(reader.GetString(0)) + reader.GetInt64(1);
                    }
                }

                _samples++;
            }
            while (await timer.WaitForNextTickAsync(_stop.Token));
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
        catch (NpgsqlException e)
        {
            Progress.Line($"  wait-event sampling stopped: {e.Message}");
        }
    }
}

/// <summary>One statement's costs from <c>pg_stat_statements</c> over the measured run.</summary>
internal sealed record StatementCost(string Query, long Calls, double TotalMs, double MeanMs, long Rows, long SharedBlocks, long WalBytes);
