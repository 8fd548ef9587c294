using CleanWebhooks.Domain.Clients;

namespace CleanWebhooks.Domain.Webhooks;

/// <summary>Stores webhooks. Deleted webhooks are kept for their delivery history but never returned.</summary>
public interface IWebhookRepository
{
    /// <summary>Stores a new webhook; false when the client already has an active webhook of its type.</summary>
    Task<bool> AddAsync(Webhook webhook, CancellationToken cancellationToken);

    Task<bool> ExistsActiveOfTypeAsync(ClientId clientId, WebhookType type, CancellationToken cancellationToken);

    /// <summary>The client's active webhook with that id, or null.</summary>
    Task<Webhook?> GetAsync(ClientId clientId, WebhookId id, CancellationToken cancellationToken);

    /// <summary>The id of the client's active webhook of that type, or null.</summary>
    Task<WebhookId?> GetActiveIdOfTypeAsync(ClientId clientId, WebhookType type, CancellationToken cancellationToken);

    /// <summary>Marks the webhook deleted and cancels its pending deliveries, in one transaction.</summary>
    Task DeleteAsync(Webhook webhook, CancellationToken cancellationToken);

    Task UpdateSecretsAsync(Webhook webhook, CancellationToken cancellationToken);
}
