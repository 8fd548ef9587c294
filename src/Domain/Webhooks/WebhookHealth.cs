namespace CleanWebhooks.Domain.Webhooks;

/// <summary>When an endpoint counts as down: the circuit breaker's threshold and pauses, and the auto-disable window.</summary>
/// <param name="BreakerFailures">Consecutive failed attempts that open the breaker.</param>
/// <param name="BreakerPause">The first pause of an open breaker; it doubles each time the breaker opens again.</param>
/// <param name="BreakerMaxPause">The longest pause.</param>
/// <param name="DisableAfter">How long every attempt may fail (from the first failure after the last success) before the webhook is disabled.</param>
public sealed record EndpointHealthPolicy(int BreakerFailures, TimeSpan BreakerPause, TimeSpan BreakerMaxPause, TimeSpan DisableAfter)
{
    public static readonly EndpointHealthPolicy Default = new(5, TimeSpan.FromMinutes(1), TimeSpan.FromHours(1), TimeSpan.FromDays(5));

    /// <summary>The pause of the breaker's <paramref name="trip"/>-th opening in a row (1 for the first).</summary>
    public TimeSpan PauseOfTrip(int trip)
    {
        var pause = BreakerPause;
        for (var i = 1; i < trip && pause < BreakerMaxPause; i++)
        {
            pause *= 2;
        }

        return pause < BreakerMaxPause ? pause : BreakerMaxPause;
    }
}

public enum WebhookStatus
{
    Active,

    /// <summary>Every attempt failed for longer than the disable window: nothing is sent until it is enabled.</summary>
    Disabled,
}

public static class WebhookStatuses
{
    public static string ToText(this WebhookStatus status) => status switch
    {
        WebhookStatus.Active => "active",
        WebhookStatus.Disabled => "disabled",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };
}

/// <summary>What an attempt's outcome changed about a webhook's health, for the logs, metrics and alerts.</summary>
public enum HealthChange
{
    None,
    BreakerOpened,
    BreakerClosed,
    Disabled,
}

/// <summary>
/// The health of a webhook's endpoint, part of the <see cref="Webhook"/> aggregate and stored with it, so every node
/// sees it. It changes only through its transitions: an attempt succeeded, an attempt failed, the webhook was enabled.
/// </summary>
/// <param name="ConsecutiveFailures">Failed attempts since the last success.</param>
/// <param name="FailingSince">When the first of those failures started; null after a success.</param>
/// <param name="BreakerTrips">How often the breaker opened in a row; the pause doubles with each.</param>
/// <param name="PausedUntil">Until when the open breaker holds the webhook's deliveries.</param>
/// <param name="DisabledAt">When the webhook was disabled; null while active.</param>
/// <param name="DisabledReason">Why, as data that each language words its own way.</param>
public sealed record WebhookHealth(
    int ConsecutiveFailures,
    DateTimeOffset? FailingSince,
    int BreakerTrips,
    DateTimeOffset? PausedUntil,
    DateTimeOffset? DisabledAt,
    DisabledReason? DisabledReason)
{
    public static readonly WebhookHealth Healthy = new(0, null, 0, null, null, null);

    public WebhookStatus Status => DisabledAt is null ? WebhookStatus.Active : WebhookStatus.Disabled;

    public bool IsDisabled => DisabledAt is not null;

    /// <summary>Whether the open breaker holds the webhook's deliveries at <paramref name="now"/>.</summary>
    public bool IsPausedAt(DateTimeOffset now) => PausedUntil > now;

    /// <summary>The end of the breaker's pause while it holds, else null.</summary>
    public DateTimeOffset? PausedUntilAt(DateTimeOffset now) => IsPausedAt(now) ? PausedUntil : null;

    /// <summary>Whether the breaker has tripped and its pause is over: the next attempt is the probe, and it goes alone.</summary>
    public bool IsProbingAt(DateTimeOffset now, EndpointHealthPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return ConsecutiveFailures >= policy.BreakerFailures && !IsPausedAt(now) && !IsDisabled;
    }

    /// <summary>The health after an attempt: see <see cref="AttemptSucceeded"/> and <see cref="AttemptFailed"/>; the service's own failures change nothing.</summary>
    public (WebhookHealth Health, HealthChange Change) After(Deliveries.DeliveryAttempt attempt, DateTimeOffset now, EndpointHealthPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        if (!attempt.CountsForEndpointHealth)
        {
            return (this, HealthChange.None);
        }

        return attempt.Succeeded ? AttemptSucceeded() : AttemptFailed(attempt.StartedAt, now, policy);
    }

    /// <summary>An attempt reached the receiver and it took the delivery: the breaker closes and the failure window ends.</summary>
    public (WebhookHealth Health, HealthChange Change) AttemptSucceeded()
    {
        var change = BreakerTrips > 0 ? HealthChange.BreakerClosed : HealthChange.None;

        // Disabling is undone by an operator's enable only: an attempt that was in flight when it came does not.
        return (Healthy with { DisabledAt = DisabledAt, DisabledReason = DisabledReason }, change);
    }

    /// <summary>
    /// An attempt that started at <paramref name="startedAt"/> failed, and is recorded at <paramref name="now"/>. After
    /// <see cref="EndpointHealthPolicy.BreakerFailures"/> failures in a row the breaker opens (again, for twice as long,
    /// when its probe failed); once every attempt has failed for <see cref="EndpointHealthPolicy.DisableAfter"/>, the
    /// webhook is disabled. Failures of attempts that were in flight while the breaker opened do not extend its pause.
    /// </summary>
    public (WebhookHealth Health, HealthChange Change) AttemptFailed(DateTimeOffset startedAt, DateTimeOffset now, EndpointHealthPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (IsDisabled)
        {
            return (this, HealthChange.None);
        }

        var failures = ConsecutiveFailures + 1;
        var since = FailingSince is { } first && first <= startedAt ? first : startedAt;
        if (now - since >= policy.DisableAfter)
        {
            return (new WebhookHealth(failures, since, BreakerTrips, null, now, new DisabledReason(policy.DisableAfter)), HealthChange.Disabled);
        }

        if (failures >= policy.BreakerFailures && !IsPausedAt(now))
        {
            var trips = BreakerTrips + 1;
            return (new WebhookHealth(failures, since, trips, now + policy.PauseOfTrip(trips), null, null), HealthChange.BreakerOpened);
        }

        return (this with { ConsecutiveFailures = failures, FailingSince = since }, HealthChange.None);
    }

    /// <summary>An operator enabled the webhook: active again, with its failure window and breaker reset.</summary>
    public static WebhookHealth Enabled() => Healthy;
}
