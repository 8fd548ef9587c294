using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;

namespace CleanWebhooks.Application.Deliveries.AttemptDelivery;

/// <summary>Makes one attempt over HTTP as the contract's section 3 says (token policy, envelope, signature).</summary>
public interface IDeliverySender
{
    /// <summary>
    /// The attempt; null, with nothing sent, when it cannot start by <paramref name="startBy"/> (its start slot under the
    /// webhook's <c>maxPerSecond</c> has passed). The attempt's start is the instant that is checked.
    /// </summary>
    Task<DeliveryAttempt?> SendAsync(
        Webhook webhook, DeliveryId deliveryId, DeliveryMessage message, int attemptNumber, DateTimeOffset? startBy, CancellationToken cancellationToken);
}
