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
/// The host of the delivery use case (<see cref="AttemptDeliveryHandler"/>). It works in turns: each turn, in one
/// transaction, writes the outcomes of the attempts that ended and claims what the send windows (<see cref="SendWindows"/>)
/// and the integrators' limits leave room for (<see cref="ClaimRule"/>); then it hands what it claimed to senders. A
/// turn runs when the intake signals new work, when an attempt ends (its room opens), and every
/// <c>Delivery:PollInterval</c> as the fallback for retries and for work that other nodes' intakes created. There is
/// no other gate: capacity is never held back while a webhook with room has due work. A new delivery whose webhook has
/// room here needs no claim at all: the intake writes it leased to this dispatcher and hands it over
/// (<see cref="IDeliveryHandOff"/>).
/// </summary>
internal sealed partial class Dispatcher(
    IDeliveryQueue queue,
    IWebhookSource webhooks,
    AttemptDeliveryHandler attempts,
    IWebhookHealthEvents healthEvents,
    DispatchSignal signal,
    SendWindows windows,
    DeliveryOptions options,
    DeliveryMetrics metrics,
    TimeProvider clock,
    ILogger<Dispatcher> logger) : BackgroundService, IDeliveryHandOff
{
    private static readonly TimeSpan[] RetryBackoff = [TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)];

    /// <summary>This dispatcher; each claim it makes is named <c>{owner}-{n}</c>, and only that claim records its outcomes.</summary>
    private readonly string _owner = Guid.NewGuid().ToString("N");
    private long _claims;
    private readonly Channel<EndedAttempt> _outcomes = Channel.CreateUnbounded<EndedAttempt>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>An attempt that ended with an outcome to write, and what its webhook's window learns from it.</summary>
    private sealed record EndedAttempt(DeliveryOutcome Outcome, WebhookId WebhookId, ReceiverSignal Signal, WebhookLimits Limits, bool Failed);

    /// <summary>
    /// Attempts in flight. When the turn loop ends it takes one more away, so that the count goes below zero exactly
    /// when the last attempt has ended, and that attempt completes <see cref="_drained"/>.
    /// </summary>
    private int _inFlight;

    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The host's stopping token, once it runs; hand-offs are refused before and after.</summary>
    private CancellationToken _stopping;
    private volatile bool _running;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        _running = true;
        var counting = CountQueueDepthAsync(stoppingToken);
        var pending = new List<DeliveryOutcome>();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    var more = await TurnAsync(pending, claim: true, stoppingToken);
                    if (!more)
                    {
                        await signal.WaitAsync(options.PollInterval, stoppingToken);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // A database hiccup must not stop delivery: leases make a retry of the whole turn safe.
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
            // No new hand-off from here: the count below must only fall.
            lock (_handOffs)
            {
                _running = false;
            }

            if (Interlocked.Decrement(ref _inFlight) >= 0)
            {
                await _drained.Task;
            }

            await RecordLastAsync(pending);
            await ReleaseLeasesAsync();
            await counting;
        }
    }

    /// <summary>
    /// One turn: the ended attempts' outcomes written and, when <paramref name="claim"/>, due work claimed and handed to
    /// senders. True when the claim filled its capacity (more may be due at once).
    /// </summary>
    private async Task<bool> TurnAsync(List<DeliveryOutcome> pending, bool claim, CancellationToken stoppingToken)
    {
        // An ended attempt's room opens in the turn that writes its outcome, before that turn's claim: a claim never
        // fills a room whose attempt's outcome (a failure that opens the breaker, say) it has not written.
        while (_outcomes.Reader.TryRead(out var ended))
        {
            windows.Ended(ended.WebhookId, ended.Signal, ended.Limits, failed: ended.Failed);
            pending.Add(ended.Outcome);
        }

        var free = options.MaxConcurrency - Volatile.Read(ref _inFlight);
        var capacity = Math.Min(free, options.BatchSize);
        var now = clock.GetUtcNow();
        var request = claim && capacity > 0
            ? new ClaimRequest($"{_owner}-{Interlocked.Increment(ref _claims)}", capacity, now, now + options.Lease, w => windows.Share(w.Id, w.Limits))
            : null;
        var turn = await TurnWithRetriesAsync(pending, request, stoppingToken);
        pending.Clear();
        AfterRecorded(turn);
        if (turn.Claimed.Count == 0)
        {
            return false;
        }

        var found = await webhooks.GetForDeliveryAsync(turn.Webhooks, stoppingToken);
        var limits = turn.Webhooks.ToDictionary(w => w.Id, w => w.Limits);
        foreach (var delivery in turn.Claimed)
        {
            var webhookId = delivery.Delivery.WebhookId;
            Interlocked.Increment(ref _inFlight);
            windows.Started(webhookId);
            _ = RunAsync(delivery, found.GetValueOrDefault(webhookId, WebhookForDelivery.Gone), limits.GetValueOrDefault(webhookId, WebhookLimits.None), stoppingToken);
        }

        return turn.Claimed.Count >= request!.Capacity;
    }

    /// <summary>A passing database fault must not cost a batch of outcomes (each would be sent again).</summary>
    private async Task<DispatchTurn> TurnWithRetriesAsync(List<DeliveryOutcome> outcomes, ClaimRequest? claim, CancellationToken stoppingToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await queue.TurnAsync(outcomes, claim, stoppingToken);
            }
            catch (Exception e) when (attempt < RetryBackoff.Length && e is System.Data.Common.DbException or TimeoutException)
            {
                LogTurnRetry(e, outcomes.Count);
                await Task.Delay(RetryBackoff[attempt], clock, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // Unrecorded outcomes leave their leases to expire: those deliveries are sent again (at least once).
                LogRecordFailed(e, outcomes.Count);
                outcomes.Clear();
                throw;
            }
        }
    }

    /// <summary>
    /// The deliveries that the turn ended are counted (only attempts whose claim still held the lease: a stale one's
    /// delivery belongs to a newer claim, whose outcome says how it ends), the health changes are announced, and a
    /// retry, or a webhook the claim left for later (a start slot, a room), due before the next poll wakes the loop for
    /// it. A turn whose commit went through although its caller saw it fail records nothing when retried (its leases
    /// are gone): its deliveries' ends are then not counted, so the counts are at most once, never twice.
    /// </summary>
    private void AfterRecorded(DispatchTurn turn)
    {
        foreach (var recorded in turn.Recorded)
        {
            CountEnd(recorded);
        }

        foreach (var change in turn.Changes)
        {
            healthEvents.Changed(change);
        }

        var soonest = turn.Recorded.Select(r => r.Claimed.Delivery.NextAttemptAt)
            .Append(turn.WakeAt)
            .Where(at => at is not null).Select(at => at!.Value).DefaultIfEmpty(DateTimeOffset.MaxValue).Min();
        var wait = soonest - clock.GetUtcNow();
        if (wait > TimeSpan.Zero && wait < options.PollInterval)
        {
            _ = WakeAfterAsync(wait);
        }
    }

    /// <summary>After the last attempt ended: its outcome and the others not yet written, with no claim.</summary>
    private async Task RecordLastAsync(List<DeliveryOutcome> pending)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await TurnAsync(pending, claim: false, timeout.Token);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or OperationCanceledException or InvalidOperationException or TimeoutException)
        {
            // Their leases expire, and those deliveries are sent again (at least once).
            LogRecordFailed(e, pending.Count);
        }
    }

    /// <summary>
    /// Counts pending deliveries for the queue-depth gauge every <c>Delivery:QueueDepthInterval</c>, apart from the
    /// turn loop: on SQL Server without READ_COMMITTED_SNAPSHOT the count waits behind every writer, and it must not
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
    /// One attempt and its bookkeeping: it waits for its start slot (a webhook's <c>maxPerSecond</c>), and when it ends
    /// its window learns what the receiver said, its room opens, and the loop is woken to fill it. The last attempt to
    /// end after stopping completes <see cref="_drained"/>.
    /// </summary>
    private async Task RunAsync(ClaimedDelivery delivery, WebhookForDelivery webhook, WebhookLimits limits, CancellationToken stoppingToken)
    {
        DeliveryOutcome? outcome = null;
        try
        {
            outcome = await AttemptAsync(delivery, webhook, stoppingToken);
        }
        finally
        {
            // Its room opens in the turn that writes the outcome (TurnAsync), which the signal below starts.
            var webhookId = delivery.Delivery.WebhookId;
            if (outcome is null)
            {
                windows.Ended(webhookId, ReceiverSignal.Neutral, limits);
            }
            else
            {
                var attempt = (outcome as DeliveryOutcome.Attempted)?.Attempt;
                Record(new EndedAttempt(outcome, webhookId, attempt?.Signal ?? ReceiverSignal.Neutral, limits, attempt is { Succeeded: false }));
            }

            signal.DeliveryDue();
            if (Interlocked.Decrement(ref _inFlight) < 0)
            {
                _drained.TrySetResult();
            }
        }
    }

    /// <summary>The attempt, once its start slot has come; null when the service is stopping mid-attempt.</summary>
    private async Task<DeliveryOutcome?> AttemptAsync(ClaimedDelivery delivery, WebhookForDelivery webhook, CancellationToken stoppingToken)
    {
        if (delivery.StartAt is { } start && start - clock.GetUtcNow() is { Ticks: > 0 } wait)
        {
            // Its start slot (the webhook's maxPerSecond): the sender starts it then, or not at all.
            await Task.Delay(wait, clock, stoppingToken);
        }

        using var activity = DeliveryTracing.StartAttempt(delivery);
        try
        {
            await Task.Yield();
            var outcome = await attempts.HandleAsync(delivery, webhook, stoppingToken);
            if (outcome is DeliveryOutcome.Attempted attempted)
            {
                DeliveryTracing.Ended(activity, attempted.Attempt);
            }

            return outcome;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down mid-attempt: its lease is handed back and it is sent again (at least once).
            return null;
        }
        catch (Exception e)
        {
            // A bug, not the receiver's doing; still an attempt, so the schedule moves on instead of looping forever.
            LogAttemptCrashed(e, delivery.Delivery.Id.Value);
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, AttemptErrors.InternalError);
            return attempts.Crashed(delivery);
        }
    }

    private readonly Lock _handOffs = new();

    public HandOff? Reserve(WebhookVersion webhook, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        lock (_handOffs)
        {
            if (!_running || Volatile.Read(ref _inFlight) >= options.MaxConcurrency || !windows.TryReserve(webhook.Id, webhook.Limits))
            {
                return null;
            }

            Interlocked.Increment(ref _inFlight);
        }

        return new HandOff(webhook, new DeliveryLease($"{_owner}-{Interlocked.Increment(ref _claims)}", now + options.Lease));
    }

    public void Start(HandOff handOff, ClaimedDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(handOff);
        ArgumentNullException.ThrowIfNull(delivery);
        metrics.HandedOff();

        // The attempt's trace links to the request that reported the event, as a claimed delivery's does.
        var message = delivery.Message with { TraceParent = Tracing.CurrentTraceParent() };
        _ = RunHandedOffAsync(delivery with { Message = message }, handOff.Webhook);
    }

    public void Release(HandOff handOff)
    {
        ArgumentNullException.ThrowIfNull(handOff);
        GiveBack(handOff.Webhook);
    }

    /// <summary>A reserved place that no attempt used: the window and the process count it no more.</summary>
    private void GiveBack(WebhookVersion webhook)
    {
        windows.Ended(webhook.Id, ReceiverSignal.Neutral, webhook.Limits);
        if (Interlocked.Decrement(ref _inFlight) < 0)
        {
            _drained.TrySetResult();
        }
    }

    /// <summary>A handed-off delivery: its webhook (secrets decrypted, from the cache as a rule), then its attempt.</summary>
    private async Task RunHandedOffAsync(ClaimedDelivery delivery, WebhookVersion webhook)
    {
        WebhookForDelivery target;
        try
        {
            // Not on the request's path: the intake answers once the event is written.
            await Task.Yield();
            target = (await webhooks.GetForDeliveryAsync([webhook], _stopping)).GetValueOrDefault(webhook.Id, WebhookForDelivery.Gone);
        }
        catch (Exception e)
        {
            // The lease is left to expire; another claim sends the delivery then (at least once).
            if (e is not OperationCanceledException || !_stopping.IsCancellationRequested)
            {
                LogHandOffFailed(e, delivery.Delivery.Id.Value);
            }

            GiveBack(webhook);
            return;
        }

        await RunAsync(delivery, target, webhook.Limits, _stopping);
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

    /// <summary>An attempt ended (the receiver was called, whatever the database later makes of it): counted, and queued for the next turn.</summary>
    private void Record(EndedAttempt ended)
    {
        if (ended.Outcome is DeliveryOutcome.Attempted { Attempt: var attempt, Claimed.Delivery: var delivery })
        {
            metrics.Attempted(attempt.Succeeded ? "success" : attempt.Error ?? $"http_{attempt.StatusCode}", attempt.DurationMs);
            LogAttempt(delivery.Id.Value, attempt.Number, attempt.StatusCode, attempt.Error, attempt.DurationMs, delivery.Status);
        }

        _outcomes.Writer.TryWrite(ended);
    }

    /// <summary>A recorded attempt that ended its delivery, succeeded or given up.</summary>
    private void CountEnd(DeliveryOutcome.Attempted recorded)
    {
        var (delivery, attempt) = (recorded.Claimed.Delivery, recorded.Attempt);
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

    private async Task WakeAfterAsync(TimeSpan wait)
    {
        await Task.Delay(wait, clock);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "A dispatcher turn with {Count} outcomes failed; retrying")]
    private partial void LogTurnRetry(Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A handed-off delivery {DeliveryId} could not start; its lease will expire and a claim sends it")]
    private partial void LogHandOffFailed(Exception exception, Guid deliveryId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not hand back this dispatcher's leases; they will expire")]
    private partial void LogReleaseFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not record {Count} delivery outcomes")]
    private partial void LogRecordFailed(Exception exception, int count);
}
