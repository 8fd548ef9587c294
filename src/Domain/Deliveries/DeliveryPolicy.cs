using CleanWebhooks.Domain.Webhooks;

namespace CleanWebhooks.Domain.Deliveries;

/// <summary>
/// Every rule of how deliveries go out, in one record (contract section 5): the send windows, the endpoint's health
/// (circuit breaker and auto-disable) and the lease. The <c>Delivery</c> configuration section binds into it; the
/// dispatcher's windows (<see cref="SendWindow"/>), the claim (<see cref="ClaimRule"/>) and the outcome writer
/// (<see cref="WebhookHealth.After"/>) take their numbers from it, and the claim statements receive what they need of
/// it as parameters.
/// </summary>
/// <param name="InitialWindow">A webhook's send window on a node before its receiver has answered <c>2xx</c>.</param>
/// <param name="MaxPerWebhook">The largest send window: attempts of one webhook in flight at once on one node.</param>
/// <param name="Health">When an endpoint counts as down: the breaker and the disable window.</param>
/// <param name="Lease">How long a claimed delivery stays with its dispatcher: longer than its slowest attempt.</param>
public sealed record DeliveryPolicy(int InitialWindow, int MaxPerWebhook, EndpointHealthPolicy Health, TimeSpan Lease)
{
    public static readonly DeliveryPolicy Default = new(4, 64, EndpointHealthPolicy.Default, TimeSpan.FromSeconds(75));

    /// <summary>
    /// How long a webhook that has due work but no room (its window or its <c>maxInFlight</c> full, or its probe in
    /// flight) is left alone by the claim, unless one of its attempts ends first: the bound on how late a room that
    /// opened on another node, or a lease that expired, is noticed.
    /// </summary>
    public TimeSpan RoomRecheck { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The send window a webhook starts with, within its limits.</summary>
    public SendWindow NewWindow() => new(InitialWindow);

    /// <summary>The largest window of a webhook: <see cref="MaxPerWebhook"/>, or the integrator's <c>maxInFlight</c> when lower.</summary>
    public int WindowCap(WebhookLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return limits.MaxInFlight is { } max && max < MaxPerWebhook ? max : MaxPerWebhook;
    }
}
