using CleanWebhooks.Application.Deliveries.AttemptDelivery;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;
using CleanWebhooks.Infrastructure.Persistence.Deliveries;

namespace CleanWebhooks.Infrastructure.Delivery;

/// <summary>The use case's sender: one attempt through <see cref="WebhookSender"/>.</summary>
internal sealed class DeliverySender(WebhookSender sender) : IDeliverySender
{
    public Task<DeliveryAttempt> SendAsync(Webhook webhook, DeliveryId deliveryId, DeliveryMessage message, int attemptNumber, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return sender.SendAsync(webhook, new Persistence.Deliveries.ClaimedDelivery
        {
            Id = deliveryId.Value,
            WebhookId = webhook.Id.Value,
            AttemptCount = attemptNumber - 1,
            EventId = message.EventId.Value,
            ClientId = message.ClientId.Value,
            DocumentId = message.DocumentId,
            Type = message.Type,
            Data = message.Data,
            OccurredAt = message.OccurredAt,
            IsTest = message.IsTest,
        }, cancellationToken);
    }
}
