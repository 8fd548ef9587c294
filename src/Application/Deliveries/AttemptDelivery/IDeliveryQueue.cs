using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;

namespace CleanWebhooks.Application.Deliveries.AttemptDelivery;

/// <summary>
/// What a dispatcher asks one turn to claim: up to <paramref name="Capacity"/> due deliveries, leased to the claim
/// <paramref name="Claim"/> until <paramref name="LeaseUntil"/>, shared out by <see cref="ClaimRule"/> with
/// <paramref name="Node"/> telling this node's share of each webhook.
/// </summary>
public sealed record ClaimRequest(string Claim, int Capacity, DateTimeOffset Now, DateTimeOffset LeaseUntil, Func<DueWebhook, NodeShare> Node);

/// <summary>
/// What one turn did: the attempts it recorded (those whose claim still held the lease: what a delivery's end is
/// counted and logged from), their health changes, the deliveries it claimed, the stored state of their webhooks as the
/// claim read it (so that a webhook already known need not be read again), and the earliest time at which the claim
/// left a webhook to be looked at again (a start slot, a room to recheck), if any.
/// </summary>
public sealed record DispatchTurn(
    IReadOnlyList<DeliveryOutcome.Attempted> Recorded, IReadOnlyList<WebhookHealthChanged> Changes, IReadOnlyList<ClaimedDelivery> Claimed,
    IReadOnlyList<WebhookVersion> Webhooks, DateTimeOffset? WakeAt = null)
{
    public static readonly DispatchTurn Empty = new([], [], [], []);
}

/// <summary>The durable delivery queue, as dispatchers see it: claim due work with a lease, record what became of it.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "It is the delivery queue.")]
public interface IDeliveryQueue
{
    /// <summary>
    /// One turn of a dispatcher, in one transaction: first <paramref name="outcomes"/> are written, together with what
    /// they mean for their webhooks' health (applied by <see cref="Domain.Webhooks.WebhookHealth.After"/> to the stored
    /// health, so every node's outcomes count; an outcome whose claim lost its lease changes nothing); then, when
    /// <paramref name="claim"/> is given, due deliveries are leased as <see cref="ClaimRule.Plan"/> decides, from the
    /// webhooks that have due work only, whatever the number of idle ones.
    /// </summary>
    Task<DispatchTurn> TurnAsync(IReadOnlyList<DeliveryOutcome> outcomes, ClaimRequest? claim, CancellationToken cancellationToken);

    /// <summary>Gives back every lease of a stopping dispatcher (its claims are named <c>{dispatcher}-n</c>), so others need not wait for them to expire.</summary>
    Task ReleaseAsync(string dispatcher, CancellationToken cancellationToken);

    /// <summary>Pending deliveries, for the queue-depth metric.</summary>
    Task<long> CountPendingAsync(CancellationToken cancellationToken);
}
