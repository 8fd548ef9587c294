using System.Threading.Channels;
using CleanWebhooks.Application.Common.Abstractions;
using CleanWebhooks.Application.Deliveries.AttemptDelivery;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;
using CleanWebhooks.Infrastructure.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CleanWebhooks.Infrastructure.Delivery;

/// <summary>
/// The host of the delivery use case (<see cref="AttemptDeliveryHandler"/>). It claims due deliveries in batches with a
/// lease (fairly across webhooks), runs up to <c>Delivery:MaxConcurrency</c> attempts at once and at most
/// <c>Delivery:MaxPerWebhook</c> of one webhook, and writes outcomes in batches (one commit for many attempts, with
/// their webhooks' health). It wakes when the intake signals a new delivery, and polls as the fallback for retries and
/// for work that other nodes' intakes created.
/// </summary>
internal sealed partial class Dispatcher(
    IDeliveryQueue queue,
    IWebhookSource webhooks,
    AttemptDeliveryHandler attempts,
    IWebhookHealthEvents healthEvents,
    DispatchSignal signal,
    DeliveryOptions options,
    DeliveryMetrics metrics,
    TimeProvider clock,
    ILogger<Dispatcher> logger) : BackgroundService
{
    /// <summary>This dispatcher; each claim it makes is named <c>{owner}-{n}</c>, and only that claim records its outcomes.</summary>
    private readonly string _owner = Guid.NewGuid().ToString("N");
    private long _claims;
    private readonly EndpointHealthPolicy _health = options.HealthPolicy();
    private readonly Channel<DeliveryOutcome> _outcomes = Channel.CreateUnbounded<DeliveryOutcome>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>
    /// Attempts in flight. When the claim loop ends it takes one more away, so that the count goes below zero exactly
    /// when the last attempt has ended, and that attempt completes <see cref="_drained"/>.
    /// </summary>
    private int _inFlight;

    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Attempts in flight on this node, per webhook: the node's own guard of the fair share.</summary>
    private readonly Dictionary<WebhookId, int> _inFlightPerWebhook = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var writer = WriteOutcomesAsync();
        var counting = CountQueueDepthAsync(stoppingToken);
        using var slotFreed = new SemaphoreSlim(0);

        // Under load, wait for a worthwhile number of free slots rather than claiming one delivery per statement.
        var worthClaiming = Math.Max(1, Math.Min(options.BatchSize, options.MaxConcurrency) / 4);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    var free = options.MaxConcurrency - Volatile.Read(ref _inFlight);
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

                    var found = await webhooks.GetForDeliveryAsync([.. claimed.Select(c => c.Delivery.WebhookId).Distinct()], stoppingToken);
                    var overShare = new List<ClaimedDelivery>();
                    foreach (var delivery in claimed)
                    {
                        var webhook = found.GetValueOrDefault(delivery.Delivery.WebhookId, WebhookForDelivery.Gone);
                        if (!TakeShare(delivery.Delivery.WebhookId))
                        {
                            overShare.Add(delivery);
                            continue;
                        }

                        Interlocked.Increment(ref _inFlight);
                        _ = RunAsync(delivery, webhook, slotFreed, stoppingToken);
                    }

                    if (overShare.Count > 0)
                    {
                        // Another claim of this node (on a server database, of another node) raced this one.
                        await queue.HandBackAsync(overShare, stoppingToken);
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
            if (Interlocked.Decrement(ref _inFlight) >= 0)
            {
                await _drained.Task;
            }

            _outcomes.Writer.TryComplete();
            await writer;
            await ReleaseLeasesAsync();
            await counting;
        }
    }

    /// <summary>
    /// Counts pending deliveries for the queue-depth gauge every <c>Delivery:QueueDepthInterval</c>, apart from the
    /// claim loop: on SQL Server without READ_COMMITTED_SNAPSHOT the count waits behind every writer, and it must not
    /// hold up claiming while it does.
    /// </summary>
    private async Task CountQueueDepthAsync(CancellationToken stoppingToken)
    {
        // Not on the host's start-up path: ExecuteAsync runs synchronously until its first await.
        await Task.Yield();
        using var timer = new PeriodicTimer(options.QueueDepthInterval, clock);
        try
        {
            do
            {
                try
                {
                    metrics.QueueDepth(await queue.CountPendingAsync(stoppingToken));
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // The gauge keeps its last value; the next tick counts again.
                    LogCountFailed(e);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>
    /// One attempt and its bookkeeping: the webhook's share and the send slot are given back when it ends. Cheaper than a
    /// continuation and a set of running tasks per attempt; the last attempt to end after stopping completes
    /// <see cref="_drained"/>.
    /// </summary>
    private async Task RunAsync(ClaimedDelivery delivery, WebhookForDelivery webhook, SemaphoreSlim slotFreed, CancellationToken stoppingToken)
    {
        try
        {
            await AttemptAsync(delivery, webhook, stoppingToken);
        }
        finally
        {
            ReturnShare(delivery.Delivery.WebhookId);
            if (Interlocked.Decrement(ref _inFlight) < 0)
            {
                _drained.TrySetResult();
            }

            try
            {
                slotFreed.Release();
            }
            catch (ObjectDisposedException)
            {
                // The last attempt after stopping: the claim loop has ended, and nobody waits for a slot any more.
            }
        }
    }

    private bool TakeShare(WebhookId webhookId)
    {
        lock (_inFlightPerWebhook)
        {
            var count = _inFlightPerWebhook.GetValueOrDefault(webhookId);
            if (count >= options.MaxPerWebhook)
            {
                return false;
            }

            _inFlightPerWebhook[webhookId] = count + 1;
            return true;
        }
    }

    private void ReturnShare(WebhookId webhookId)
    {
        lock (_inFlightPerWebhook)
        {
            var count = _inFlightPerWebhook.GetValueOrDefault(webhookId) - 1;
            if (count <= 0)
            {
                _inFlightPerWebhook.Remove(webhookId);
            }
            else
            {
                _inFlightPerWebhook[webhookId] = count;
            }
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

    private async Task AttemptAsync(ClaimedDelivery delivery, WebhookForDelivery webhook, CancellationToken stoppingToken)
    {
        using var activity = DeliveryTracing.StartAttempt(delivery);
        try
        {
            await Task.Yield();
            var outcome = await attempts.HandleAsync(delivery, webhook, stoppingToken);
            if (outcome is DeliveryOutcome.Attempted attempted)
            {
                DeliveryTracing.Ended(activity, attempted.Attempt);
            }

            Record(outcome);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down mid-attempt: its lease is handed back and it is sent again (at least once).
        }
        catch (Exception e)
        {
            // A bug, not the receiver's doing; still an attempt, so the schedule moves on instead of looping forever.
            LogAttemptCrashed(e, delivery.Delivery.Id.Value);
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, AttemptErrors.InternalError);
            Record(attempts.Crashed(delivery));
        }
    }

    private void Record(DeliveryOutcome outcome)
    {
        if (outcome is DeliveryOutcome.Attempted { Attempt: var attempt, Claimed.Delivery: var delivery })
        {
            metrics.Attempted(attempt.Succeeded ? "success" : attempt.Error ?? $"http_{attempt.StatusCode}", attempt.DurationMs);
            LogAttempt(delivery.Id.Value, attempt.Number, attempt.StatusCode, attempt.Error, attempt.DurationMs, delivery.Status);
            if (delivery.Status == DeliveryStatus.Succeeded)
            {
                metrics.Succeeded();
            }
            else if (delivery.Status == DeliveryStatus.Failed)
            {
                metrics.Failed();
                LogGaveUp(delivery.Id.Value, attempt.Number, attempt.StatusCode, attempt.Error);
            }
        }

        _outcomes.Writer.TryWrite(outcome);
    }

    /// <summary>Writes outcomes in batches; wakes the claim loop for retries due before the next poll.</summary>
    private async Task WriteOutcomesAsync()
    {
        var batch = new List<DeliveryOutcome>(256);
        while (await _outcomes.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < 256 && _outcomes.Reader.TryRead(out var record))
            {
                batch.Add(record);
            }

            try
            {
                foreach (var change in await RecordWithRetriesAsync(batch))
                {
                    healthEvents.Changed(change);
                }

                var soonest = batch.OfType<DeliveryOutcome.Attempted>().Select(r => r.Claimed.Delivery.NextAttemptAt)
                    .Where(at => at is not null).Select(at => at!.Value).DefaultIfEmpty(DateTimeOffset.MaxValue).Min();
                // These outcomes gave their webhooks' shares back: deliveries the claim had to leave are claimable now.
                signal.DeliveryDue();
                var wait = soonest - clock.GetUtcNow();
                if (wait > TimeSpan.Zero && wait < options.PollInterval)
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
    private async Task<IReadOnlyList<WebhookHealthChanged>> RecordWithRetriesAsync(List<DeliveryOutcome> batch)
    {
        TimeSpan[] backoff = [TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)];
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await queue.RecordAsync(batch, _health, CancellationToken.None);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Counting pending deliveries for the queue-depth gauge failed")]
    private partial void LogCountFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Dispatcher loop failed; retrying")]
    private partial void LogLoopFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery {DeliveryId} failed for good after attempt {Attempt} (status {StatusCode}, error {Error})")]
    private partial void LogGaveUp(Guid deliveryId, int attempt, int? statusCode, string? error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Attempt of delivery {DeliveryId} crashed")]
    private partial void LogAttemptCrashed(Exception exception, Guid deliveryId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording {Count} delivery outcomes failed; retrying")]
    private partial void LogRecordRetry(Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not hand back this dispatcher's leases; they will expire")]
    private partial void LogReleaseFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not record {Count} delivery outcomes")]
    private partial void LogRecordFailed(Exception exception, int count);
}
