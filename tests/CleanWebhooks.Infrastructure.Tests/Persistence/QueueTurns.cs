using CleanWebhooks.Application.Deliveries.AttemptDelivery;
using CleanWebhooks.Domain.Deliveries;

namespace CleanWebhooks.Infrastructure.Tests.Persistence;

/// <summary>A dispatcher's turn taken apart, as the contract's tests use it: a claim alone, or outcomes alone.</summary>
internal static class QueueTurns
{
    /// <summary>A turn that only claims, this node's share of every webhook being <paramref name="share"/> (a wide window by default).</summary>
    public static async Task<IReadOnlyList<ClaimedDelivery>> ClaimDueAsync(
        this IDeliveryQueue queue, string claim, int limit, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken,
        NodeShare? share = null) =>
        (await queue.TurnAsync([], new ClaimRequest(claim, limit, now, leaseUntil, _ => share ?? new NodeShare(1000, 0)), cancellationToken)).Claimed;

    /// <summary>A turn that only records outcomes; returns the health changes.</summary>
    public static async Task<IReadOnlyList<WebhookHealthChanged>> RecordAsync(
        this IDeliveryQueue queue, IReadOnlyList<DeliveryOutcome> outcomes, CancellationToken cancellationToken) =>
        (await queue.TurnAsync(outcomes, null, cancellationToken)).Changes;
}
