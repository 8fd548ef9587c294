using CleanWebhooks.Domain.Common;
using CleanWebhooks.Domain.Webhooks;

namespace CleanWebhooks.Domain.Deliveries;

/// <summary>
/// One event's delivery to one webhook, and its life: attempted (and then succeeded, pending again or failed), held
/// while its webhook's breaker is open or the webhook is disabled (neither moves it towards <c>failed</c>), cancelled
/// when its webhook is deleted, retried now by its integrator. Each transition refuses a wrong state with a named error.
/// </summary>
public sealed class Delivery
{
    private Delivery() { }

    public DeliveryId Id { get; private set; }

    public WebhookId WebhookId { get; private set; }

    public DeliveryStatus Status { get; private set; }

    public int AttemptCount { get; private set; }

    public DateTimeOffset? NextAttemptAt { get; private set; }

    /// <summary>Its integrator asked for it now: it goes out even while the breaker holds its webhook (it is the probe).</summary>
    public bool RetryRequested { get; private set; }

    /// <summary>Until when a dispatcher holds it to attempt it; null when none does.</summary>
    public DateTimeOffset? LeaseUntil { get; private set; }

    /// <summary>The stored state of a delivery, read back by a repository.</summary>
    public sealed record Snapshot(
        DeliveryId Id, WebhookId WebhookId, DeliveryStatus Status, int AttemptCount, DateTimeOffset? NextAttemptAt,
        bool RetryRequested, DateTimeOffset? LeaseUntil);

    /// <summary>A delivery the intake has just written: pending, never attempted, leased when it was handed off.</summary>
    public static Delivery Create(NewDelivery created)
    {
        ArgumentNullException.ThrowIfNull(created);
        return new Delivery
        {
            Id = created.Id, WebhookId = created.WebhookId, Status = DeliveryStatus.Pending, AttemptCount = 0,
            NextAttemptAt = created.NextAttemptAt, LeaseUntil = created.Lease?.Until,
        };
    }

    public static Delivery Restore(Snapshot s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return new Delivery
        {
            Id = s.Id, WebhookId = s.WebhookId, Status = s.Status, AttemptCount = s.AttemptCount, NextAttemptAt = s.NextAttemptAt,
            RetryRequested = s.RetryRequested, LeaseUntil = s.LeaseUntil,
        };
    }

    public bool IsInFlightAt(DateTimeOffset now) => LeaseUntil > now;

    /// <summary>
    /// Records an attempt (the next one by number) and decides what follows: <c>succeeded</c> on 2xx; <c>failed</c> on
    /// 410 or when the schedule has ended; otherwise pending until the schedule's next time (or the receiver's
    /// <c>Retry-After</c> on 429/503). <paramref name="jitterUnit"/> in [0, 1) places the jitter.
    /// </summary>
    public Result Attempted(DeliveryAttempt attempt, RetrySchedule schedule, DateTimeOffset now, double jitterUnit)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        if (Status != DeliveryStatus.Pending)
        {
            return DeliveryErrors.NotPending;
        }

        if (attempt.Number != AttemptCount + 1)
        {
            return DeliveryErrors.AttemptOutOfOrder;
        }

        (Status, NextAttemptAt) = attempt.Decide(schedule, now, jitterUnit);
        AttemptCount = attempt.Number;
        RetryRequested = false;
        LeaseUntil = null;
        return Result.Success();
    }

    /// <summary>The webhook's breaker is open: not attempted, not moved towards failed; it stays due for after the pause.</summary>
    public Result HeldByBreaker(WebhookHealth health, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(health);
        if (Status != DeliveryStatus.Pending)
        {
            return DeliveryErrors.NotPending;
        }

        if (!health.IsPausedAt(now) || RetryRequested)
        {
            return DeliveryErrors.NotHeld;
        }

        LeaseUntil = null;
        return Result.Success();
    }

    /// <summary>The webhook is disabled: nothing is sent, the delivery stays pending until the webhook is enabled.</summary>
    public Result HeldWhileDisabled(WebhookHealth health)
    {
        ArgumentNullException.ThrowIfNull(health);
        if (Status != DeliveryStatus.Pending)
        {
            return DeliveryErrors.NotPending;
        }

        if (!health.IsDisabled)
        {
            return DeliveryErrors.NotHeld;
        }

        LeaseUntil = null;
        return Result.Success();
    }

    /// <summary>Its webhook was deleted: nothing more is sent.</summary>
    public Result Cancel()
    {
        if (Status != DeliveryStatus.Pending)
        {
            return DeliveryErrors.NotPending;
        }

        Status = DeliveryStatus.Cancelled;
        NextAttemptAt = null;
        LeaseUntil = null;
        return Result.Success();
    }

    /// <summary>
    /// Its integrator asks for it now, whatever its state (a failed one too): due at once, ahead of the breaker's pause.
    /// Refused while it is being attempted, when cancelled, and while its webhook is disabled (enable it first).
    /// </summary>
    public Result RetryNow(WebhookHealth health, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(health);
        if (Status == DeliveryStatus.Cancelled)
        {
            return DeliveryErrors.NotFound;
        }

        if (IsInFlightAt(now))
        {
            return DeliveryErrors.InFlight;
        }

        if (health.IsDisabled)
        {
            return DeliveryErrors.WebhookDisabled;
        }

        Status = DeliveryStatus.Pending;
        NextAttemptAt = now;
        RetryRequested = true;
        return Result.Success();
    }

    /// <summary>
    /// Recovered after an outage (contract section 11): a delivery that ended failed is pending again and due at once,
    /// its attempts kept (their numbering goes on). Unlike <see cref="RetryNow"/> it is no manual retry: it waits for an
    /// open breaker and goes out within its webhook's window and limits like any other delivery.
    /// </summary>
    public Result Recover(DateTimeOffset now)
    {
        if (Status != DeliveryStatus.Failed)
        {
            return DeliveryErrors.NotFailed;
        }

        Status = DeliveryStatus.Pending;
        NextAttemptAt = now;
        RetryRequested = false;
        return Result.Success();
    }
}
