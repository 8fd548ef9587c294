using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;

namespace CleanWebhooks.Application.Deliveries.AttemptDelivery;

/// <summary>What a delivery announces: the event, as the envelope carries it (and the trace of the request that reported it; whether it is a test event).</summary>
public sealed record DeliveryMessage(
    EventId EventId, ClientId ClientId, string DocumentId, int Type, string? Data, DateTimeOffset OccurredAt, string? TraceParent = null, bool IsTest = false);

/// <summary>A delivery leased to one claim of a dispatcher; only that claim may record what became of it.</summary>
public sealed record ClaimedDelivery(Delivery Delivery, string Claim, DeliveryMessage Message);

/// <summary>What became of a claimed delivery; the queue writes many of them in one commit.</summary>
public abstract record DeliveryOutcome(ClaimedDelivery Claimed)
{
    /// <summary>An attempt was made (every attempt is a row); the delivery is now as <see cref="ClaimedDelivery.Delivery"/> says.</summary>
    public sealed record Attempted(ClaimedDelivery Claimed, DeliveryAttempt Attempt) : DeliveryOutcome(Claimed);

    /// <summary>Not attempted: its webhook's breaker holds it or the webhook is disabled. The lease is handed back, nothing else changes.</summary>
    public sealed record Held(ClaimedDelivery Claimed) : DeliveryOutcome(Claimed);

    /// <summary>Its webhook was deleted: cancelled, nothing sent.</summary>
    public sealed record Cancelled(ClaimedDelivery Claimed) : DeliveryOutcome(Claimed);
}

/// <summary>A webhook's health changed with the outcomes of a batch (breaker opened or closed, webhook disabled).</summary>
public sealed record WebhookHealthChanged(WebhookId WebhookId, ClientId ClientId, HealthChange Change, WebhookHealth Health);

/// <summary>The durable delivery queue, as dispatchers see it: claim due work with a lease, record what became of it.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "It is the delivery queue.")]
public interface IDeliveryQueue
{
    /// <summary>
    /// Leases up to <paramref name="limit"/> due deliveries to the claim <paramref name="claim"/>, in one statement,
    /// picked across webhooks: each webhook gets at most its fair share in flight, none while its breaker holds it or
    /// it is disabled (a manual retry goes through as the probe).
    /// </summary>
    Task<IReadOnlyList<ClaimedDelivery>> ClaimDueAsync(string claim, int limit, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken);

    /// <summary>
    /// Writes outcomes in one transaction, together with what they mean for their webhooks' health (applied by
    /// <see cref="WebhookHealth.After"/> to the stored health, so every node's outcomes count). An outcome whose claim
    /// lost its lease meanwhile changes nothing. Returns the health changes.
    /// </summary>
    Task<IReadOnlyList<WebhookHealthChanged>> RecordAsync(IReadOnlyList<DeliveryOutcome> outcomes, EndpointHealthPolicy policy, CancellationToken cancellationToken);

    /// <summary>Gives claimed deliveries back unattempted (nothing recorded): they are due again for whoever may send them.</summary>
    Task HandBackAsync(IReadOnlyList<ClaimedDelivery> deliveries, CancellationToken cancellationToken);

    /// <summary>Gives back every lease of a stopping dispatcher (its claims are named <c>{dispatcher}-n</c>), so others need not wait for them to expire.</summary>
    Task ReleaseAsync(string dispatcher, CancellationToken cancellationToken);

    /// <summary>Pending deliveries, for the queue-depth metric.</summary>
    Task<long> CountPendingAsync(CancellationToken cancellationToken);
}

/// <summary>Makes one attempt over HTTP as the contract's section 3 says (token policy, envelope, signature).</summary>
public interface IDeliverySender
{
    Task<DeliveryAttempt> SendAsync(Webhook webhook, DeliveryId deliveryId, DeliveryMessage message, int attemptNumber, CancellationToken cancellationToken);
}

/// <summary>A webhook as a dispatcher needs it: readable (with its secrets and current health), unreadable, or gone.</summary>
public sealed record WebhookForDelivery(Webhook? Webhook, bool Unreadable)
{
    public static readonly WebhookForDelivery Gone = new(null, false);
}

/// <summary>Finds the webhooks of claimed deliveries, with their current health.</summary>
public interface IWebhookSource
{
    /// <summary>One entry per id; a deleted or missing webhook is <see cref="WebhookForDelivery.Gone"/>.</summary>
    Task<IReadOnlyDictionary<WebhookId, WebhookForDelivery>> GetForDeliveryAsync(IReadOnlyCollection<WebhookId> ids, CancellationToken cancellationToken);
}
