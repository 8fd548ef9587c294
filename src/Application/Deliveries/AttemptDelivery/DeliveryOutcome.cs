using CleanWebhooks.Domain.Deliveries;

namespace CleanWebhooks.Application.Deliveries.AttemptDelivery;

/// <summary>What became of a claimed delivery; the queue writes many of them in one commit.</summary>
public abstract record DeliveryOutcome(ClaimedDelivery Claimed)
{
    /// <summary>An attempt was made (every attempt is a row); the delivery is now as <see cref="ClaimedDelivery.Delivery"/> says.</summary>
    public sealed record Attempted(ClaimedDelivery Claimed, DeliveryAttempt Attempt) : DeliveryOutcome(Claimed);

    /// <summary>
    /// Not attempted: its webhook's breaker holds it, the webhook is disabled, or it missed its start slot. The lease is
    /// handed back and it is due at once for whoever may send it; nothing else changes.
    /// </summary>
    public sealed record Held(ClaimedDelivery Claimed) : DeliveryOutcome(Claimed);

    /// <summary>Its webhook was deleted: cancelled, nothing sent.</summary>
    public sealed record Cancelled(ClaimedDelivery Claimed) : DeliveryOutcome(Claimed);
}
