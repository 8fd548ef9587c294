using CleanWebhooks.Domain.Common;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;

namespace CleanWebhooks.Application.Deliveries.AttemptDelivery;

/// <summary>
/// One attempt of a claimed delivery, the use case a dispatcher hosts: a deleted webhook cancels it; a disabled webhook
/// or an open breaker holds it (not attempted, not moved towards failed), and so does a start slot missed; otherwise it is sent through
/// <see cref="IDeliverySender"/> and the <see cref="Delivery"/> decides what follows. Recording is the host's
/// (many outcomes per commit), and so is the webhook's health (applied to its stored state as the outcome is written).
/// </summary>
public sealed class AttemptDeliveryHandler(IDeliverySender sender, RetrySchedule schedule, TimeProvider clock)
{
    public async Task<DeliveryOutcome> HandleAsync(ClaimedDelivery claimed, WebhookForDelivery webhook, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claimed);
        ArgumentNullException.ThrowIfNull(webhook);
        var delivery = claimed.Delivery;
        var now = clock.GetUtcNow();

        if (webhook.Unreadable)
        {
            // The service cannot read its own record of the webhook: an attempt failed by us, which the schedule counts.
            return Attempt(claimed, InternalError(delivery, now));
        }

        if (webhook.Webhook is not { IsDeleted: false } target)
        {
            return Expect(delivery.Cancel(), new DeliveryOutcome.Cancelled(claimed));
        }

        if (target.Health.IsDisabled)
        {
            return Expect(delivery.HeldWhileDisabled(target.Health), new DeliveryOutcome.Held(claimed));
        }

        if (delivery.HeldByBreaker(target.Health, now).IsSuccess)
        {
            return new DeliveryOutcome.Held(claimed);
        }

        // A start slot of the webhook's maxPerSecond is kept to within its tolerance, or not used at all.
        var startBy = claimed.StartAt + WebhookLimits.StartTolerance;
        return await sender.SendAsync(target, delivery.Id, claimed.Message, delivery.AttemptCount + 1, startBy, cancellationToken) is { } attempt
            ? Attempt(claimed, attempt)
            : new DeliveryOutcome.Held(claimed);
    }

    /// <summary>An attempt the service itself failed to make (a bug): still an attempt, so the schedule moves on.</summary>
    public DeliveryOutcome Crashed(ClaimedDelivery claimed)
    {
        ArgumentNullException.ThrowIfNull(claimed);
        return Attempt(claimed, InternalError(claimed.Delivery, clock.GetUtcNow()));
    }

    private DeliveryOutcome.Attempted Attempt(ClaimedDelivery claimed, DeliveryAttempt attempt) =>
        Expect(claimed.Delivery.Attempted(attempt, schedule, clock.GetUtcNow(), Random.Shared.NextDouble()), new DeliveryOutcome.Attempted(claimed, attempt));

    private static DeliveryAttempt InternalError(Delivery delivery, DateTimeOffset now) =>
        new(delivery.AttemptCount + 1, now.TruncatedToMicroseconds(), 0, null, AttemptErrors.InternalError, null, null);

    /// <summary>A claimed delivery is pending by construction: a refused transition is a bug, not an outcome.</summary>
    private static T Expect<T>(Result result, T outcome) =>
        result.IsSuccess ? outcome : throw new InvalidOperationException($"A claimed delivery refused its transition: {result.Error.Code}.");
}
