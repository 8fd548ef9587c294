using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.Data.Sqlite;

namespace CleanWebhooks.Bench;

/// <summary>One paced intake of the retention scenario: the intake's request latency and event→receiver latency.</summary>
internal sealed record RetentionPaced(
    int Events, long Accepted, int Delivered, double? IntakeP50Ms, double? IntakeP99Ms, double? P50Ms, double? P99Ms, double? MaxMs)
{
    public static RetentionPaced Of(LatencyResult run) =>
        new(run.Events, run.Accepted, run.Delivered, run.Intake.P50Ms, run.Intake.P99Ms, run.P50Ms, run.P99Ms, run.MaxMs);
}

/// <summary>
/// Scenario 10 (issue 21): intake beside the retention purge of <see cref="Ended"/> ended deliveries.
/// <c>p99RatioDuringPurge</c> is the intake's p99 (request to <c>202</c>) during the purge ÷ the same without it.
/// </summary>
internal sealed record RetentionResult(
    int Ended,
    long Attempts,
    double WriteSeconds,
    int RatePerSecond,
    double PacedSeconds,
    RetentionPaced WithoutPurge,
    RetentionPaced DuringPurge,
    double? P99RatioDuringPurge,
    double? PurgeSeconds,
    double? PurgeStartedAfterSeconds,
    double? PurgedPerSecond,
    bool PurgeCoveredRun,
    long OldDeliveriesLeft,
    long DeliveriesLeft,
    long EventsLeft,
    long AttemptsLeft,
    double DatabaseMbBefore,
    double DatabaseMbAfter,
    double TargetRatio,
    bool Met)
{
    public static TargetResult Target(RetentionResult? result) => new(
        "retention.p99RatioDuringPurge", $"<= {Targets.RetentionP99Ratio} at {Scenarios.RetentionRate}/s while {result?.Ended ?? 0:N0} ended deliveries are purged",
        result?.P99RatioDuringPurge?.ToString("0.00", CultureInfo.InvariantCulture), result?.Met ?? false);

    public IEnumerable<string[]> Rows()
    {
        static string Ms(double? ms) => ms is { } v ? v.ToString("0.0", CultureInfo.InvariantCulture) : "—";
        yield return ["retention", $"intake at {RatePerSecond:N0}/s while {Ended:N0} are purged, p50 / p99 ms", $"{Ms(DuringPurge.IntakeP50Ms)} / {Ms(DuringPurge.IntakeP99Ms)}",
            $"{Ms(WithoutPurge.IntakeP50Ms)} / {Ms(WithoutPurge.IntakeP99Ms)}", P99RatioDuringPurge is { } r ? r.ToString("0.00", CultureInfo.InvariantCulture) + "x" : "-",
            $"<= {TargetRatio:0}x", Met ? "met" : "NOT MET"];
        yield return ["", "  event->receiver p50 / p99 ms", $"{Ms(DuringPurge.P50Ms)} / {Ms(DuringPurge.P99Ms)}", $"{Ms(WithoutPurge.P50Ms)} / {Ms(WithoutPurge.P99Ms)}", "", "", ""];
        yield return ["", "  accepted / planned", $"{DuringPurge.Accepted:N0} / {DuringPurge.Events:N0}", $"{WithoutPurge.Accepted:N0} / {WithoutPurge.Events:N0}", "", "", ""];
        yield return ["", "  purge s (deliveries/s); covered the paced run", $"{Ms(PurgeSeconds)} ({PurgedPerSecond:N0}); {(PurgeCoveredRun ? "yes" : "NO")}", "(no purge)", "", "", ""];
        yield return ["", "  left: old deliveries; deliveries / events / attempts", $"{OldDeliveriesLeft:N0}; {DeliveriesLeft:N0} / {EventsLeft:N0} / {AttemptsLeft:N0}", "", "", "", ""];
    }
}

/// <summary>
/// 8. Retention at scale (issue 21): a service of its own whose SQLite file holds N ended deliveries (1,000,000;
/// 100,000 with <c>--quick</c>) that ended before the retention period (30 days), with their events and attempts, written
/// straight into the file as the service stores them. One healthy webhook is paced at 1,000 events/s, first by a
/// service with retention off, then by one started on the same file with retention on, whose start-up purge deletes
/// them meanwhile. Both services are warmed up alike before their paced run.
/// </summary>
internal static partial class Scenarios
{
    public const int RetentionRate = 1_000;

    /// <summary>The service's default retention period; the ended deliveries were created 32 to 35 days ago.</summary>
    private static readonly TimeSpan RetentionPeriod = TimeSpan.FromDays(30);

    public static async Task<RetentionResult> RetentionAsync(BenchContext context)
    {
        var ct = context.CancellationToken;
        var options = context.Options;
        var ended = options.RetentionDeliveries;
        var folder = context.FolderFor("retention");
        var databasePath = Path.Combine(folder, "bench.db");

        // One purge at start-up and none after (the interval is a day), so that the purge's run is the one measured.
        Dictionary<string, string> Retention(bool enabled) => new()
        {
            ["Retention__Enabled"] = enabled ? "true" : "false",
            ["Retention__Period"] = RetentionPeriod.ToString("c", CultureInfo.InvariantCulture),
            ["Retention__Interval"] = TimeSpan.FromDays(1).ToString("c", CultureInfo.InvariantCulture),
        };

        RetentionPaced withoutPurge;
        List<Integrator> integrators;
        long attempts;
        double writeSeconds;
        await using (var quiet = await Service.StartAsync(context.ApiDll, folder, dispatcher: true, ct, Retention(false)))
        {
            integrators = await CreateIntegratorsAsync(quiet, context, ct);
            var writing = Stopwatch.StartNew();
            await using (Progress.Start($"retention: {ended:N0} ended deliveries written, 32 to 35 days old", () => ""))
            {
                attempts = await EndedDeliveries.WriteAsync(databasePath, integrators, ended, RetentionPeriod, ct);
            }

            writeSeconds = writing.Elapsed.TotalSeconds;
            withoutPurge = await RetentionPacedAsync(context, quiet, integrators[0], "without");
        }

        var bytesBefore = new FileInfo(databasePath).Length;

        // The same file, the same keys: a second process with retention on, whose purge starts with it.
        var shared = Retention(true);
        shared["ConnectionStrings__CleanWebhooks"] = $"Data Source={databasePath}";
        shared["Secrets__KeyDirectory"] = Path.Combine(folder, "keys");
        await using var watch = new PurgeWatch(databasePath, DateTimeOffset.UtcNow - RetentionPeriod);
        var started = Stopwatch.GetTimestamp();
        await using var purging = await Service.StartAsync(context.ApiDll, context.FolderFor("retention-purging"), dispatcher: true, ct, shared);
        var duringPurge = await RetentionPacedAsync(context, purging, integrators[0], "during");
        var covered = !watch.Done;
        await using (Progress.Start("retention: the purge ends", () => watch.Status))
        {
            await watch.WaitAsync(options.Quick ? TimeSpan.FromMinutes(3) : TimeSpan.FromMinutes(20), ct);
        }

        var (old, deliveries, events, attemptsLeft) = await watch.CountAsync(ct);
        var ratio = Ratio(duringPurge.IntakeP99Ms ?? 0, withoutPurge.IntakeP99Ms ?? 0);
        var purgeSeconds = watch.Seconds;
        // Every planned event accepted and delivered in both runs: a p99 over the few requests a starved intake took is no pass.
        var met = covered && ratio <= Targets.RetentionP99Ratio && duringPurge.Delivered == duringPurge.Events && withoutPurge.Delivered == withoutPurge.Events;
        return new RetentionResult(
            ended, attempts, Math.Round(writeSeconds, 1), RetentionRate, Round(options.PacedDuration.TotalSeconds), withoutPurge, duringPurge, ratio,
            purgeSeconds is { } s ? Math.Round(s, 2) : null,
            watch.FirstProgress is { } first ? Math.Round(Stopwatch.GetElapsedTime(started, first).TotalSeconds, 2) : null,
            purgeSeconds is > 0 ? Math.Round(ended / purgeSeconds.Value) : null,
            covered, old, deliveries, events, attemptsLeft, Math.Round(bytesBefore / 1048576.0, 1), Math.Round(new FileInfo(databasePath).Length / 1048576.0, 1),
            Targets.RetentionP99Ratio, met);
    }

    /// <summary>Warms <paramref name="service"/> up on the healthy webhook, then paces it at <see cref="RetentionRate"/>.</summary>
    private static async Task<RetentionPaced> RetentionPacedAsync(BenchContext context, Service service, Integrator healthy, string tag)
    {
        using var http = Load.CreateClient(context.Options.Concurrency);
        var intake = IntakeSender(service, [healthy], http);
        await DeliverAsync(context, $"retention: warm-up ({tag} purge)", context.Receiver.Expect($"retention-warmup-{tag}", context.Options.WarmupEvents), intake,
            HttpStatusCode.Accepted, TimeSpan.FromSeconds(60));
        return RetentionPaced.Of(await PacedAsync(context, intake, RetentionRate, $"retention-{tag}", $"retention: intake {tag} purge"));
    }

    /// <summary>
    /// Watches the purge from outside: the oldest ended delivery older than the retention cutoff (a look-up of
    /// <c>ix_deliveries_ended</c>, every 100 ms), which the purge deletes in that order. It moves when the first batch is
    /// deleted and is gone when the last one is.
    /// </summary>
    private sealed class PurgeWatch : IAsyncDisposable
    {
        private const string Ended = "status IN ('succeeded', 'failed', 'cancelled') AND last_attempt_at < $cutoff";
        private readonly string _databasePath;
        private readonly string _cutoff;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _watching;
        private string? _first;
        private string? _oldest;
        private long _firstProgress;
        private long _done;

        public PurgeWatch(string databasePath, DateTimeOffset cutoff)
        {
            _databasePath = databasePath;
            _cutoff = Recover.Timestamp(cutoff);
            _watching = WatchAsync();
        }

        public long? FirstProgress => Interlocked.Read(ref _firstProgress) is > 0 and var t ? t : null;

        public bool Done => Interlocked.Read(ref _done) > 0;

        /// <summary>From the first batch's deletion seen to the last one's.</summary>
        public double? Seconds => FirstProgress is { } first && Done ? Stopwatch.GetElapsedTime(first, Interlocked.Read(ref _done)).TotalSeconds : null;

        public string Status => Done ? "done" : $"oldest ended delivery left: {Volatile.Read(ref _oldest) ?? "?"}";

        public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
            while (!Done && Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(100, cancellationToken);
            }

            if (!Done)
            {
                Progress.Line($"  retention: the purge had not ended after {timeout.TotalMinutes:0} min");
            }
        }

        /// <summary>Old ended deliveries left, and all deliveries, events and attempts.</summary>
        public async Task<(long Old, long Deliveries, long Events, long Attempts)> CountAsync(CancellationToken cancellationToken)
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText =
                $"SELECT (SELECT count(*) FROM deliveries WHERE {Ended}), (SELECT count(*) FROM deliveries), (SELECT count(*) FROM events), (SELECT count(*) FROM delivery_attempts);";
            command.Parameters.AddWithValue("$cutoff", _cutoff);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _watching;
            _stop.Dispose();
        }

        private async Task WatchAsync()
        {
            try
            {
                await using var connection = await OpenAsync(_stop.Token);
                await using var command = connection.CreateCommand();
                command.CommandText = $"SELECT min(last_attempt_at) FROM deliveries WHERE {Ended};";
                command.Parameters.AddWithValue("$cutoff", _cutoff);
                using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
                do
                {
                    var oldest = await command.ExecuteScalarAsync(_stop.Token) as string;
                    var now = Stopwatch.GetTimestamp();
                    _first ??= oldest;
                    if (oldest != _first && FirstProgress is null)
                    {
                        Interlocked.Exchange(ref _firstProgress, now);
                    }

                    Volatile.Write(ref _oldest, oldest);
                    if (oldest is null)
                    {
                        Interlocked.Exchange(ref _done, now);
                        return;
                    }
                }
                while (await timer.WaitForNextTickAsync(_stop.Token));
            }
            catch (OperationCanceledException)
            {
                // Stopped before the purge ended.
            }
        }

        private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
        {
            var connection = new SqliteConnection($"Data Source={_databasePath};Mode=ReadOnly;Pooling=False;Default Timeout=30");
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
    }
}

/// <summary>
/// Ended deliveries written straight into the service's SQLite file as the service stores them (its schema, its
/// uuid and timestamp text): each with its event and its attempts. Of every 100: 90 succeeded at the first attempt,
/// 8 after two <c>503</c>s (three attempts), 2 failed after eight <c>503</c>s on the default retry schedule.
/// </summary>
internal static class EndedDeliveries
{
    /// <summary>When each attempt starts after the first: the default retry schedule, summed.</summary>
    private static readonly TimeSpan[] AttemptOffsets =
        [TimeSpan.Zero, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(35), TimeSpan.FromHours(2.58), TimeSpan.FromHours(7.58), TimeSpan.FromHours(17.58), TimeSpan.FromHours(27.58)];

    private const int PerTransaction = 50_000;

    /// <summary>
    /// Writes <paramref name="count"/> ended deliveries created over three days ending two days past
    /// <paramref name="period"/>, round-robin over the integrators' webhooks; returns the attempts written.
    /// </summary>
    public static async Task<long> WriteAsync(string databasePath, IReadOnlyList<Integrator> integrators, int count, TimeSpan period, CancellationToken cancellationToken)
    {
        // The failed ones end 27.6 hours after their creation: the newest still ends 20 hours past the period.
        var newest = DateTimeOffset.UtcNow - period - TimeSpan.FromDays(2);
        var oldest = newest - TimeSpan.FromDays(3);
        await using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False;Default Timeout=30");
        await connection.OpenAsync(cancellationToken);
        await using (var pragmas = connection.CreateCommand())
        {
            // Set-up data, not the service's writes: no need to wait for the disk.
            pragmas.CommandText = "PRAGMA synchronous = OFF; PRAGMA cache_size = -262144;";
            await pragmas.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var events = new Insert(connection, "events", "id", "client_id", "document_id", "type", "data", "occurred_at");
        await using var deliveries = new Insert(
            connection, "deliveries", "id", "webhook_id", "event_id", "status", "attempt_count", "last_attempt_at", "last_status_code", "created_at");
        await using var attempts = new Insert(connection, "delivery_attempts", "delivery_id", "number", "started_at", "duration_ms", "status_code", "response_excerpt");
        const string Data = "{\"pages\":3,\"source\":\"bench\"}";

        long written = 0;
        SqliteTransaction? transaction = null;
        try
        {
            for (var i = 0; i < count; i++)
            {
                if (i % PerTransaction == 0)
                {
                    if (transaction is not null)
                    {
                        await transaction.CommitAsync(cancellationToken);
                        await transaction.DisposeAsync();
                    }

                    transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
                    events.Transaction = deliveries.Transaction = attempts.Transaction = transaction;
                }

                var at = oldest + ((newest - oldest) * i / count);
                var integrator = integrators[i % integrators.Count];
                var eventId = Recover.Text(Guid.CreateVersion7(at));
                await events.RunAsync(cancellationToken,
                    eventId, Recover.Text(integrator.ClientId), "retention-old-" + i.ToString(CultureInfo.InvariantCulture), 0, Data, Recover.Timestamp(at));

                var kind = i % 100;
                var tries = kind < 90 ? 1 : kind < 98 ? 3 : AttemptOffsets.Length;
                var succeeded = kind < 98;
                var deliveryId = Recover.Text(Guid.CreateVersion7(at));
                var ms = 20 + (i % 80);
                await deliveries.RunAsync(cancellationToken,
                    deliveryId, Recover.Text(integrator.WebhookId), eventId, succeeded ? "succeeded" : "failed", tries,
                    Recover.Timestamp(at + AttemptOffsets[tries - 1] + TimeSpan.FromMilliseconds(ms)), succeeded ? 200 : 503, Recover.Timestamp(at));

                for (var n = 1; n <= tries; n++)
                {
                    var ok = succeeded && n == tries;
                    await attempts.RunAsync(cancellationToken,
                        deliveryId, n, Recover.Timestamp(at + AttemptOffsets[n - 1]), ms, ok ? 200 : 503, ok ? null : "Service Unavailable");
                }

                written += tries;
            }

            if (transaction is not null)
            {
                await transaction.CommitAsync(cancellationToken);
            }
        }
        finally
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync();
            }
        }

        return written;
    }

    /// <summary>An <c>INSERT</c> of the columns named, compiled once and run with each row's values in their order.</summary>
    private sealed class Insert : IAsyncDisposable
    {
        private readonly SqliteCommand _command;

        public Insert(SqliteConnection connection, string table, params string[] columns)
        {
            _command = connection.CreateCommand();
            _command.CommandText = $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select(c => "$" + c))});";
            foreach (var column in columns)
            {
                _command.Parameters.Add(new SqliteParameter("$" + column, DBNull.Value));
            }
        }

        public SqliteTransaction? Transaction
        {
            set => _command.Transaction = value;
        }

        public Task<int> RunAsync(CancellationToken cancellationToken, params object?[] values)
        {
            for (var i = 0; i < values.Length; i++)
            {
                _command.Parameters[i].Value = values[i] ?? DBNull.Value;
            }

            return _command.ExecuteNonQueryAsync(cancellationToken);
        }

        public ValueTask DisposeAsync() => _command.DisposeAsync();
    }
}
