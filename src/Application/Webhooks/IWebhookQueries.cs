using CleanWebhooks.Application.Webhooks.GetSigningPublicKeys;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Webhooks;

namespace CleanWebhooks.Application.Webhooks;

/// <summary>Reads webhooks straight into answers: no secret is decrypted to show a webhook.</summary>
public interface IWebhookQueries
{
    Task<WebhookResponse?> GetAsync(ClientId clientId, WebhookId id, CancellationToken cancellationToken);

    Task<IReadOnlyList<WebhookResponse>> ListAsync(ClientId clientId, CancellationToken cancellationToken);

    /// <summary>The client's active webhook's stored public keys (no secret read), or null when there is no such webhook.</summary>
    Task<SigningPublicKeys?> GetSigningPublicKeysAsync(ClientId clientId, WebhookId id, CancellationToken cancellationToken);
}
