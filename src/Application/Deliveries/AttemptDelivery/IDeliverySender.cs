using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;

namespace CleanWebhooks.Application.Deliveries.AttemptDelivery;

/// <summary>Makes one attempt over HTTP as the contract's section 3 says (token policy, envelope, signature).</summary>
public interface IDeliverySender
{
    Task<DeliveryAttempt> SendAsync(Webhook webhook, DeliveryId deliveryId, DeliveryMessage message, int attemptNumber, CancellationToken cancellationToken);
}
