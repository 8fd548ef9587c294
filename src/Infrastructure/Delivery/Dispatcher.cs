using System.Collections.Concurrent;
using System.Threading.Channels;
using CleanWebhooks.Domain.Common;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;
using CleanWebhooks.Infrastructure.Persistence.Deliveries;
using CleanWebhooks.Infrastructure.Persistence.Webhooks;
using CleanWebhooks.Infrastructure.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CleanWebhooks.Infrastructure.Delivery;

/// <summary>
/// Sends due deliveries. It claims them in batches with a lease, sends up to <c>Delivery:MaxConcurrency</c> at
/// once, and writes outcomes in batches (one commit for many attempts). It wakes when the intake signals a new
/// delivery, and polls as the fallback for retries and for work that other nodes' intakes created.
/// </summary>
internal sealed partial class Dispatcher(
    DeliveryQueue queue,
    WebhookRepository webhooks,
    WebhookSender sender,
    DispatchSignal signal,
    DeliveryOptions options,
    DeliveryMetrics metrics,
    TimeProvider clock,
    ILogger<Dispatcher> logger) : BackgroundService
{
    private static readonly TimeSpan QueueDepthEvery = TimeSpan.FromSeconds(10);

    /// <summary>This dispatcher; each claim it makes is named <c>{owner}-{n}</c>, and only that claim records its outcomes.</summary>
    private readonly string _owner = Guid.NewGuid().ToString("N");
    private long _claims;
    private readonly RetrySchedule _schedule = options.Schedule();
    private readonly Channel<AttemptRecord> _outcomes = Channel.CreateUnbounded<AttemptRecord>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<Guid, (DateTimeOffset UpdatedAt, Webhook Webhook)> _webhookCache = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var writer = WriteOutcomesAsync();
        using var slotFreed = new SemaphoreSlim(0);
        var running = new ConcurrentDictionary<Task, bool>();
        var inFlight = 0;

        // Under load, wait for a worthwhile number of free slots rather than claiming one delivery per statement.
        var worthClaiming = Math.Max(1, Math.Min(options.BatchSize, options.MaxConcurrency) / 4);
        var lastCount = DateTimeOffset.MinValue;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    if (clock.GetUtcNow() - lastCount > QueueDepthEvery)
                    {
                        metrics.QueueDepth(await queue.CountPendingAsync(stoppingToken));
                        lastCount = clock.GetUtcNow();
                    }

                    var free = options.MaxConcurrency - Volatile.Read(ref inFlight);
                    if (free < worthClaiming && free < options.MaxConcurrency)
                    {
                        await slotFreed.WaitAsync(stoppingToken);
                        continue;
                    }

                    var now = clock.GetUtcNow();
                    var claim = $"{_owner}-{Interlocked.Increment(ref _claims)}";
                    var claimed = await queue.ClaimDueAsync(claim, Math.Min(free, options.BatchSize), now, now + options.Lease, stoppingToken);
                    if (claimed.Count == 0)
                    {
                        await signal.WaitAsync(options.PollInterval, stoppingToken);
                        continue;
                    }

                    foreach (var (delivery, webhook) in await ResolveWebhooksAsync(claimed, stoppingToken))
                    {
                        Interlocked.Increment(ref inFlight);
                        var task = AttemptAsync(delivery, webhook, stoppingToken);
                        running[task] = true;
                        _ = task.ContinueWith(
                            t =>
                            {
                                running.TryRemove(t, out _);
                                Interlocked.Decrement(ref inFlight);
                                slotFreed.Release();
                            },
                            CancellationToken.None,
                            TaskContinuationOptions.ExecuteSynchronously,
                            TaskScheduler.Default);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // A database hiccup must not stop delivery: leases make a retry of the whole step safe.
                    LogLoopFailed(e);
                    await Task.Delay(options.PollInterval, clock, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: in-flight attempts finish below; unclaimed work waits for the next dispatcher.
        }
        finally
        {
            await Task.WhenAll(running.Keys);
            _outcomes.Writer.TryComplete();
            await writer;
            await ReleaseLeasesAsync();
        }
    }

    /// <summary>Hands back what this dispatcher still holds, so that other dispatchers need not wait for its leases to expire.</summary>
    private async Task ReleaseLeasesAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await queue.ReleaseAsync(_owner, timeout.Token);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or OperationCanceledException or InvalidOperationException)
        {
            // The leases then simply expire.
            LogReleaseFailed(e);
        }
    }

    /// <summary>
    /// Pairs each claimed delivery with its webhook. Deliveries of deleted webhooks are cancelled, not sent; a
    /// webhook that cannot be read (say its secrets cannot be decrypted) fails its own deliveries' attempts only.
    /// </summary>
    private async Task<List<(ClaimedDelivery, Webhook)>> ResolveWebhooksAsync(IReadOnlyList<ClaimedDelivery> claimed, CancellationToken cancellationToken)
    {
        var rows = await queue.LoadWebhooksAsync(claimed.Select(c => c.WebhookId), cancellationToken);
        var byId = new Dictionary<Guid, Webhook>();
        var unreadable = new HashSet<Guid>();
        foreach (var row in rows.Where(r => r.DeletedAt is null))
        {
            try
            {
                // Decrypting secrets costs more than the query: keep each webhook version decrypted once.
                if (!_webhookCache.TryGetValue(row.Id, out var cached) || cached.UpdatedAt != row.UpdatedAt)
                {
                    cached = (row.UpdatedAt, webhooks.ToEntity(row));
                    _webhookCache[row.Id] = cached;
                }

                byId[row.Id] = cached.Webhook;
            }
            catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or FormatException or System.Text.Json.JsonException)
            {
                LogWebhookUnreadable(e, row.Id);
                unreadable.Add(row.Id);
            }
        }

        foreach (var delivery in claimed.Where(c => unreadable.Contains(c.WebhookId)))
        {
            RecordFailure(delivery, AttemptErrors.InternalError);
        }

        var orphans = claimed.Where(c => !byId.ContainsKey(c.WebhookId) && !unreadable.Contains(c.WebhookId)).ToList();
        if (orphans.Count > 0)
        {
            await queue.CancelAsync(orphans, cancellationToken);
        }

        return [.. claimed.Where(c => byId.ContainsKey(c.WebhookId)).Select(c => (c, byId[c.WebhookId]))];
    }

    private async Task AttemptAsync(ClaimedDelivery delivery, Webhook webhook, CancellationToken stoppingToken)
    {
        using var activity = DeliveryTracing.StartAttempt(delivery);
        try
        {
            await Task.Yield();
            Record(delivery, DeliveryTracing.Ended(activity, await sender.SendAsync(webhook, delivery, stoppingToken)));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down mid-attempt: its lease is handed back and it is sent again (at least once).
        }
        catch (Exception e)
        {
            // A bug, not the receiver's doing; still an attempt, so the schedule moves on instead of looping forever.
            LogAttemptCrashed(e, delivery.Id);
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, AttemptErrors.InternalError);
            RecordFailure(delivery, AttemptErrors.InternalError);
        }
    }

    private void RecordFailure(ClaimedDelivery delivery, string error) =>
        Record(delivery, new DeliveryAttempt(delivery.AttemptCount + 1, clock.GetUtcNow().TruncatedToMicroseconds(), 0, null, error, null, null));

    private void Record(ClaimedDelivery delivery, DeliveryAttempt attempt)
    {
        var (status, next) = attempt.Decide(_schedule, clock.GetUtcNow(), Random.Shared.NextDouble());
        metrics.Attempted(attempt.Succeeded ? "success" : attempt.Error ?? $"http_{attempt.StatusCode}", attempt.DurationMs);
        LogAttempt(delivery.Id, attempt.Number, attempt.StatusCode, attempt.Error, attempt.DurationMs, status);
        if (status == DeliveryStatus.Succeeded)
        {
            metrics.Succeeded();
        }
        else if (status == DeliveryStatus.Failed)
        {
            metrics.Failed();
            LogGaveUp(delivery.Id, attempt.Number, attempt.StatusCode, attempt.Error);
        }

        _outcomes.Writer.TryWrite(new AttemptRecord(delivery.Id, delivery.LockedBy, attempt, status, next));
    }

    /// <summary>Writes outcomes in batches; wakes the claim loop for retries due before the next poll.</summary>
    private async Task WriteOutcomesAsync()
    {
        var batch = new List<AttemptRecord>(256);
        while (await _outcomes.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < 256 && _outcomes.Reader.TryRead(out var record))
            {
                batch.Add(record);
            }

            try
            {
                await RecordWithRetriesAsync(batch);
                var soonest = batch.Where(r => r.NextAttemptAt is not null).Select(r => r.NextAttemptAt!.Value).DefaultIfEmpty(DateTimeOffset.MaxValue).Min();
                var wait = soonest - clock.GetUtcNow();
                if (wait < options.PollInterval)
                {
                    _ = WakeAfterAsync(wait);
                }
            }
            catch (Exception e)
            {
                // Unrecorded outcomes leave the lease to expire: those deliveries are sent again (at least once).
                LogRecordFailed(e, batch.Count);
            }

            batch.Clear();
        }
    }

    /// <summary>A passing database fault must not cost a batch of outcomes (each would be sent again).</summary>
    private async Task RecordWithRetriesAsync(List<AttemptRecord> batch)
    {
        TimeSpan[] backoff = [TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)];
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await queue.RecordAsync(batch, CancellationToken.None);
                return;
            }
            catch (Exception e) when (attempt < backoff.Length && e is System.Data.Common.DbException or TimeoutException)
            {
                LogRecordRetry(e, batch.Count);
                await Task.Delay(backoff[attempt], clock);
            }
        }
    }

    private async Task WakeAfterAsync(TimeSpan wait)
    {
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, clock);
        }

        signal.DeliveryDue();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Delivery {DeliveryId} attempt {Attempt}: status {StatusCode}, error {Error}, {DurationMs} ms, now {Status}")]
    private partial void LogAttempt(Guid deliveryId, int attempt, int? statusCode, string? error, int durationMs, DeliveryStatus status);

    [LoggerMessage(Level = LogLevel.Error, Message = "Dispatcher loop failed; retrying")]
    private partial void LogLoopFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery {DeliveryId} failed for good after attempt {Attempt} (status {StatusCode}, error {Error})")]
    private partial void LogGaveUp(Guid deliveryId, int attempt, int? statusCode, string? error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Attempt of delivery {DeliveryId} crashed")]
    private partial void LogAttemptCrashed(Exception exception, Guid deliveryId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording {Count} delivery outcomes failed; retrying")]
    private partial void LogRecordRetry(Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook {WebhookId} cannot be read; its deliveries fail with internal_error")]
    private partial void LogWebhookUnreadable(Exception exception, Guid webhookId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not hand back this dispatcher's leases; they will expire")]
    private partial void LogReleaseFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not record {Count} delivery outcomes")]
    private partial void LogRecordFailed(Exception exception, int count);
}
