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

/// <summary>
/// Where the intake writes: each event with its delivery in one transaction (the outbox pattern), so that an event
/// acknowledged is never without the delivery that will carry it.
/// </summary>
public interface IEventOutbox
{
    /// <summary>
    /// Records the event and, when given, its delivery in one transaction (the outbox). With an idempotency key
    /// seen in the last 24 h for the same client and caller, stores nothing and returns the first receipt.
    /// </summary>
    Task<(IntakeReceipt Receipt, bool Created)> AddEventAsync(
        DocumentEvent documentEvent, NewDelivery? delivery, IdempotencyKey? idempotencyKey, CancellationToken cancellationToken);

    /// <summary>The receipt of an idempotency key used in the last 24 h, or null.</summary>
    Task<IntakeReceipt?> FindReceiptAsync(ClientId clientId, IdempotencyKey key, DateTimeOffset since, CancellationToken cancellationToken);
}
