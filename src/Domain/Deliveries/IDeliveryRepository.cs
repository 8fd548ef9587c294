using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Webhooks;

namespace CleanWebhooks.Domain.Deliveries;

/// <summary>A lease on a delivery: the claim of a dispatcher that holds it, until when.</summary>
public sealed record DeliveryLease(string Claim, DateTimeOffset Until);

/// <summary>
/// A new delivery as the intake creates it: due at once, or, when <paramref name="Lease"/> is given, leased to this
/// node's dispatcher in the intake's own transaction (a hand-off: it goes to a sender without a claim).
/// </summary>
public sealed record NewDelivery(DeliveryId Id, WebhookId WebhookId, DateTimeOffset CreatedAt, DeliveryLease? Lease = null)
{
    /// <summary>When a claim may take it: at once, or when its lease ends (should its node die first).</summary>
    public DateTimeOffset NextAttemptAt => Lease?.Until ?? CreatedAt;
}

/// <summary>What an idempotent intake answered the first time.</summary>
public sealed record IntakeReceipt(EventId EventId, DeliveryId? DeliveryId);

/// <summary>The idempotency scope of an intake call: the same key from the same caller for the same client.</summary>
public sealed record IdempotencyKey(string Caller, string Key)
{
    /// <summary>How long a key is remembered: a repeat within it gets the first answer; after it, the key is forgotten.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromHours(24);
}

/// <summary>A delivery made due by a recovery, and where it stands in the recovery's order (created, then id).</summary>
public sealed record RecoveredDelivery(DeliveryId Id, DateTimeOffset CreatedAt);

/// <summary>The durable delivery queue.</summary>
public interface IDeliveryRepository
{
    /// <summary>
    /// Records the event and, when given, its delivery in one transaction (the outbox). With an idempotency key
    /// seen in the last 24 h for the same client and caller, stores nothing and returns the first receipt.
    /// </summary>
    Task<(IntakeReceipt Receipt, bool Created)> AddEventAsync(
        DocumentEvent documentEvent, NewDelivery? delivery, IdempotencyKey? idempotencyKey, CancellationToken cancellationToken);

    /// <summary>The receipt of an idempotency key used in the last 24 h, or null.</summary>
    Task<IntakeReceipt?> FindReceiptAsync(ClientId clientId, IdempotencyKey key, DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>A delivery of the webhook, or null.</summary>
    Task<Delivery?> GetAsync(WebhookId webhookId, DeliveryId id, CancellationToken cancellationToken);

    /// <summary>
    /// Stores <see cref="Delivery.RetryNow"/>: due now, ahead of its webhook's breaker. Checked again in the same
    /// statement: false when it does not exist, null when it is being attempted or its webhook was disabled meanwhile.
    /// </summary>
    Task<bool?> MakeDueNowAsync(WebhookId webhookId, DeliveryId id, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a test event (<see cref="DocumentEvent.Test"/>) and its delivery in one transaction. The delivery is due at
    /// once, ahead of its webhook's breaker (it is the probe), as a manual retry is.
    /// </summary>
    Task AddTestEventAsync(DocumentEvent testEvent, NewDelivery delivery, CancellationToken cancellationToken);

    /// <summary>How many of the webhook's deliveries ended failed and were created within <paramref name="window"/>.</summary>
    Task<int> CountRecoverableAsync(WebhookId webhookId, RecoveryWindow window, CancellationToken cancellationToken);

    /// <summary>
    /// Applies <see cref="Delivery.Recover"/> to at most <paramref name="batch"/> of the webhook's failed deliveries created
    /// within <paramref name="window"/>, oldest first, after <paramref name="after"/> (from the start when null), in one short
    /// statement; none while the webhook is disabled. Returns those it recovered, in order: the last is where the next
    /// batch starts, so a delivery that fails again meanwhile is not taken twice.
    /// </summary>
    Task<IReadOnlyList<RecoveredDelivery>> RecoverAsync(
        WebhookId webhookId, RecoveryWindow window, RecoveredDelivery? after, int batch, DateTimeOffset now, CancellationToken cancellationToken);
}
