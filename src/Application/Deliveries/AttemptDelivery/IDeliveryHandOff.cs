using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;

namespace CleanWebhooks.Application.Deliveries.AttemptDelivery;

/// <summary>A place in this node's send window, held for one new delivery from its reservation to its start.</summary>
/// <param name="Webhook">The webhook as the intake read it.</param>
/// <param name="Lease">The lease the delivery is written with: this node's claim, until when.</param>
public sealed record HandOff(WebhookVersion Webhook, DeliveryLease Lease);

/// <summary>
/// Hands a new delivery straight to this node's sender: when its webhook has room in this node's window, the intake
/// writes it leased to this node, in its own transaction, and it is sent at once, with no poll, no claim and no write
/// turn of its own. Should the node die between the commit and the send, the lease expires and another node's claim
/// takes the delivery, as any claimed delivery's.
/// </summary>
public interface IDeliveryHandOff
{
    /// <summary>
    /// A place in this node's window for one new delivery of the webhook (<see cref="ClaimRule.HandsOff"/> allowing);
    /// null when there is none: no dispatcher here, the window full, the process at its bound, or stopping.
    /// </summary>
    HandOff? Reserve(WebhookVersion webhook, DateTimeOffset now);

    /// <summary>The intake committed the delivery leased to this node: it goes to a sender now.</summary>
    void Start(HandOff handOff, ClaimedDelivery delivery);

    /// <summary>Nothing was committed (a repeated key, a failed write): the place is given back.</summary>
    void Release(HandOff handOff);
}

/// <summary>A node without a dispatcher hands nothing off: every delivery goes through the claim.</summary>
public sealed class NoHandOff : IDeliveryHandOff
{
    public HandOff? Reserve(WebhookVersion webhook, DateTimeOffset now) => null;

    public void Start(HandOff handOff, ClaimedDelivery delivery) => throw new InvalidOperationException("Nothing is handed off on this node.");

    public void Release(HandOff handOff) => throw new InvalidOperationException("Nothing is handed off on this node.");
}
