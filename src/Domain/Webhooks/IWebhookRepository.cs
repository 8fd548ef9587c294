using CleanWebhooks.Domain.Clients;

namespace CleanWebhooks.Domain.Webhooks;

/// <summary>Stores webhooks. Deleted webhooks are kept for their delivery history but never returned.</summary>
public interface IWebhookRepository
{
    /// <summary>Stores a new webhook; false when the client already has an active webhook of its type.</summary>
    Task<bool> AddAsync(Webhook webhook, CancellationToken cancellationToken);


    /// <summary>The client's active webhook with that id, or null.</summary>
    Task<Webhook?> GetAsync(ClientId clientId, WebhookId id, CancellationToken cancellationToken);

    /// <summary>
    /// The client's active webhook of that type, without its secrets (its version, health and limits), if it has one;
    /// null when there is no such client. Every intake request asks it, once for both answers.
    /// </summary>
    Task<ClientWebhookOfType?> GetClientWebhookOfTypeAsync(ClientId clientId, WebhookType type, CancellationToken cancellationToken);

    /// <summary>
    /// Marks the client's active webhook deleted and cancels its pending deliveries, in one transaction; false when
    /// there is no such webhook. Deleting needs no secret, so the webhook is not read (its secrets may be unreadable).
    /// </summary>
    Task<bool> DeleteAsync(ClientId clientId, WebhookId id, DateTimeOffset deletedAt, CancellationToken cancellationToken);

    /// <summary>The health of the client's active webhook, or null; no secret is read.</summary>
    Task<WebhookHealth?> GetHealthAsync(ClientId clientId, WebhookId id, CancellationToken cancellationToken);

    /// <summary>
    /// Enables the client's active webhook, in one transaction: its health becomes <see cref="WebhookHealth.Enabled"/>
    /// (active, failure window and breaker reset) and its pending deliveries are due at <paramref name="now"/>.
    /// False when there is no such webhook.
    /// </summary>
    Task<bool> EnableAsync(ClientId clientId, WebhookId id, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the client's active webhook's limits and moves its <c>updatedAt</c>; false when there is no such webhook.
    /// Its waiting deliveries are looked at again at once (raised limits may free room for them).
    /// </summary>
    Task<bool> SetLimitsAsync(ClientId clientId, WebhookId id, WebhookLimits limits, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Stores rotated secrets, unless the webhook changed since it was read (its <c>updatedAt</c> is no longer
    /// <paramref name="readUpdatedAt"/>): false then, and nothing is written.
    /// </summary>
    Task<bool> UpdateSecretsAsync(Webhook webhook, DateTimeOffset readUpdatedAt, CancellationToken cancellationToken);
}
