using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Webhooks;

namespace CleanWebhooks.Application.Webhooks;

/// <summary>Reads webhooks straight into answers: no secret is decrypted to show a webhook.</summary>
public interface IWebhookQueries
{
    Task<WebhookResponse?> GetAsync(ClientId clientId, WebhookId id, CancellationToken cancellationToken);

    Task<IReadOnlyList<WebhookResponse>> ListAsync(ClientId clientId, CancellationToken cancellationToken);
}
