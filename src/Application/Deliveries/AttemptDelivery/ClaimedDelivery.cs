using CleanWebhooks.Domain.Deliveries;

namespace CleanWebhooks.Application.Deliveries.AttemptDelivery;

/// <summary>
/// A delivery leased to one claim of a dispatcher; only that claim may record what became of it. <paramref name="StartAt"/>
/// is the start slot its webhook's <c>maxPerSecond</c> gave it (null: none, it goes at once).
/// </summary>
public sealed record ClaimedDelivery(Delivery Delivery, string Claim, DeliveryMessage Message, DateTimeOffset? StartAt = null);
