using System.Collections.Concurrent;
using System.Threading.Channels;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;
using CleanWebhooks.Infrastructure.Persistence.Deliveries;
using CleanWebhooks.Infrastructure.Persistence.Webhooks;
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

    private readonly string _owner = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
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
                    var claimed = await queue.ClaimDueAsync(_owner, Math.Min(free, options.BatchSize), now, now + options.Lease, stoppingToken);
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
        }
    }

    /// <summary>Pairs each claimed delivery with its webhook; deliveries of deleted webhooks are cancelled, not sent.</summary>
    private async Task<List<(ClaimedDelivery, Webhook)>> ResolveWebhooksAsync(IReadOnlyList<ClaimedDelivery> claimed, CancellationToken cancellationToken)
    {
        var rows = await queue.LoadWebhooksAsync(claimed.Select(c => c.WebhookId), cancellationToken);
        var byId = new Dictionary<Guid, Webhook>();
        foreach (var row in rows.Where(r => r.DeletedAt is null))
        {
            // Decrypting secrets costs more than the query: keep each webhook version decrypted once.
            if (!_webhookCache.TryGetValue(row.Id, out var cached) || cached.UpdatedAt != row.UpdatedAt)
            {
                cached = (row.UpdatedAt, webhooks.ToEntity(row));
                _webhookCache[row.Id] = cached;
            }

            byId[row.Id] = cached.Webhook;
        }

        var orphans = claimed.Where(c => !byId.ContainsKey(c.WebhookId)).Select(c => c.Id).ToList();
        if (orphans.Count > 0)
        {
            await queue.CancelAsync(_owner, orphans, cancellationToken);
        }

        return [.. claimed.Where(c => byId.ContainsKey(c.WebhookId)).Select(c => (c, byId[c.WebhookId]))];
    }

    private async Task AttemptAsync(ClaimedDelivery delivery, Webhook webhook, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Yield();
            var attempt = await sender.SendAsync(webhook, delivery, stoppingToken);
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

            _outcomes.Writer.TryWrite(new AttemptRecord(delivery.Id, attempt, status, next));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down mid-attempt: the lease expires and another dispatcher sends it again (at least once).
        }
        catch (Exception e)
        {
            LogAttemptCrashed(e, delivery.Id);
        }
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
                await queue.RecordAsync(_owner, batch, CancellationToken.None);
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

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not record {Count} delivery outcomes")]
    private partial void LogRecordFailed(Exception exception, int count);
}
