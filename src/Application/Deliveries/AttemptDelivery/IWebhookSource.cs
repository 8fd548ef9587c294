using CleanWebhooks.Domain.Webhooks;

namespace CleanWebhooks.Application.Deliveries.AttemptDelivery;

/// <summary>A webhook as a dispatcher needs it: readable (with its secrets and current health), unreadable, or gone.</summary>
public sealed record WebhookForDelivery(Webhook? Webhook, bool Unreadable)
{
    public static readonly WebhookForDelivery Gone = new(null, false);
}

/// <summary>Finds the webhooks of claimed deliveries, with their secrets, at the version the claim read.</summary>
public interface IWebhookSource
{
    /// <summary>
    /// One entry per webhook; a deleted or missing webhook is <see cref="WebhookForDelivery.Gone"/>. A webhook whose
    /// version is already known is not read again; its health and limits are the ones given.
    /// </summary>
    Task<IReadOnlyDictionary<WebhookId, WebhookForDelivery>> GetForDeliveryAsync(IReadOnlyCollection<WebhookVersion> webhooks, CancellationToken cancellationToken);
}
