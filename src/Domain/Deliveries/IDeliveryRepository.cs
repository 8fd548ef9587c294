using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Webhooks;

namespace CleanWebhooks.Domain.Deliveries;

/// <summary>A delivery made due by a recovery, and where it stands in the recovery's order (created, then id).</summary>
public sealed record RecoveredDelivery(DeliveryId Id, DateTimeOffset CreatedAt);

/// <summary>Deliveries already stored, as operators and integrators act on them: a retry, a test event, a recovery.</summary>
public interface IDeliveryRepository
{
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
