using CleanWebhooks.Application.Deliveries.AttemptDelivery;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Webhooks;

namespace CleanWebhooks.Application.Common.Abstractions;

/// <summary>
/// Tells the platform about webhooks' health: logs and metrics for every change, and for a disabled webhook a warning
/// and an alert (a signed POST to <c>Alerts:Url</c>). Never blocks or fails the caller: alerts go out in the background.
/// </summary>
public interface IWebhookHealthEvents
{
    void Changed(WebhookHealthChanged change);

    void Enabled(ClientId clientId, WebhookId webhookId);
}
