using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Webhooks;

namespace CleanWebhooks.Domain.Deliveries;

/// <summary>A new delivery as the intake creates it: due at once.</summary>
public sealed record NewDelivery(DeliveryId Id, WebhookId WebhookId, DateTimeOffset CreatedAt);

/// <summary>What an idempotent intake answered the first time.</summary>
public sealed record IntakeReceipt(EventId EventId, DeliveryId? DeliveryId);

/// <summary>The idempotency scope of an intake call: the same key from the same caller for the same client.</summary>
public sealed record IdempotencyKey(string Caller, string Key)
{
    /// <summary>How long a key is remembered: a repeat within it gets the first answer; after it, the key is forgotten.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromHours(24);
}

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
}
