using CleanWebhooks.Application.Common.Abstractions;
using Dapper;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace CleanWebhooks.Infrastructure.Persistence;

/// <summary>
/// Ready when the database can be WRITTEN: the probe upserts this node's row of <c>health_probe</c> through the
/// same write path as the intake (a read still passes on a full disk or under a held lock). One probe runs at a
/// time and its result is kept for <see cref="CacheFor"/>, so that frequent readiness checks add no load and do not
/// queue behind one another. A check waits for the probe at most <see cref="AnswerWithin"/>: a write that takes
/// longer (the database locked, waiting out <c>Database:BusyTimeout</c>) is answered Unhealthy at once, so that a
/// load balancer's short probe sees a 503 rather than a time-out; the probe goes on, and its result serves the next
/// checks. When the database comes back, the WAL is checkpointed to give its space back.
/// </summary>
public sealed partial class DatabaseHealthCheck(
    Database database, IStorageFaultClassifier storageFaults, TimeProvider clock, ILogger<DatabaseHealthCheck> logger) : IHealthCheck
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(1);

    /// <summary>The longest a readiness check waits for its write: well inside a load balancer's usual 2 s probe time-out.</summary>
    public static readonly TimeSpan AnswerWithin = TimeSpan.FromMilliseconds(500);

    private static class Sqlite
    {
        public const string Probe =
            "INSERT INTO health_probe (node, checked_at) VALUES (@Node, @Now) ON CONFLICT (node) DO UPDATE SET checked_at = excluded.checked_at;";
    }

    private static class PostgreSql
    {
        public const string Probe = Sqlite.Probe;
    }

    private static class SqlServer
    {
        public const string Probe =
            "UPDATE dbo.health_probe SET checked_at = @Now WHERE node = @Node; " +
            "IF @@ROWCOUNT = 0 INSERT INTO dbo.health_probe (node, checked_at) VALUES (@Node, @Now);";
    }

    private readonly Lock _gate = new();
    private Task<HealthCheckResult>? _probing;
    private (DateTimeOffset At, HealthCheckResult Result)? _last;
    private bool _failing;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (Fresh() is { } cached)
        {
            return cached;
        }

        Task<HealthCheckResult> probe;
        lock (_gate)
        {
            probe = _probing ??= Task.Run(ProbeAndKeepAsync, CancellationToken.None);
        }

        try
        {
            return await probe.WaitAsync(AnswerWithin, clock, cancellationToken);
        }
        catch (TimeoutException)
        {
            return HealthCheckResult.Unhealthy(
                $"The database did not take a write within {AnswerWithin.TotalMilliseconds:0} ms (locked, or too slow to serve).");
        }
    }

    private HealthCheckResult? Fresh() =>
        _last is { } last && clock.GetUtcNow() - last.At < CacheFor ? last.Result : null;

    /// <summary>One probe, shared by every check that comes while it runs; not cancelled by any of them.</summary>
    private async Task<HealthCheckResult> ProbeAndKeepAsync()
    {
        try
        {
            var result = await ProbeAsync(CancellationToken.None);
            _last = (clock.GetUtcNow(), result);
            return result;
        }
        finally
        {
            lock (_gate)
            {
                _probing = null;
            }
        }
    }

    private async Task<HealthCheckResult> ProbeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using (var writer = await database.OpenWriterAsync(cancellationToken))
            {
                await writer.Connection.ExecuteAsync(new CommandDefinition(
                    database.Sql(Sqlite.Probe, SqlServer.Probe, PostgreSql.Probe),
                    new { Node = Environment.MachineName, Now = clock.GetUtcNow() },
                    cancellationToken: cancellationToken));
            }

            if (_failing)
            {
                _failing = false;
                LogRecovered();
                await GiveBackWalSpaceAsync(cancellationToken);
            }

            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (storageFaults.IsStorageFault(e) || e is System.Data.Common.DbException)
        {
            Failing(e);
            return HealthCheckResult.Unhealthy("The database cannot be written.", e);
        }
        catch (Exception e) when (IsConfigurationError(e))
        {
            // A connection string the provider cannot honour (an unknown keyword or value, an authentication mode
            // whose package is missing, encryption the library lacks): the operator must act, so say what is wrong.
            Failing(e);
            return HealthCheckResult.Unhealthy($"The database connection is not configured correctly (Database:ConnectionString): {e.Message}", e);
        }
    }

    /// <summary>What providers throw for a connection string they cannot use, at open rather than at parse time.</summary>
    private static bool IsConfigurationError(Exception e) =>
        e is ArgumentException or InvalidOperationException or KeyNotFoundException or FormatException or NotSupportedException
        && e is not ObjectDisposedException;

    private void Failing(Exception e)
    {
        if (!_failing)
        {
            _failing = true;
            LogCannotWrite(e);
        }
    }

    /// <summary>A WAL that grew during the fault is emptied, so that the space freed is not taken again at once.</summary>
    private async Task GiveBackWalSpaceAsync(CancellationToken cancellationToken)
    {
        try
        {
            await database.CheckpointAsync(cancellationToken);
        }
        catch (Exception e) when (storageFaults.IsStorageFault(e))
        {
            LogCheckpointFailed(e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checkpoint after the database came back failed; SQLite checkpoints again by itself")]
    private partial void LogCheckpointFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database cannot be written: /health/ready answers 503 until it can")]
    private partial void LogCannotWrite(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "The database can be written again: /health/ready answers 200")]
    private partial void LogRecovered();
}
