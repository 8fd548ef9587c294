namespace CleanWebhooks.Domain.Deliveries;

/// <summary>One attempt to deliver: every attempt is recorded, whatever happened.</summary>
/// <param name="Number">1 for the first attempt.</param>
/// <param name="StartedAt">When the request started (UTC).</param>
/// <param name="DurationMs">How long until the answer, or the failure, in milliseconds.</param>
/// <param name="StatusCode">The receiver's status code; null when no answer came.</param>
/// <param name="Error">Why no answer came (<see cref="AttemptErrors"/>); null when one came.</param>
/// <param name="RetryAfter">The receiver's <c>Retry-After</c> on 429 or 503.</param>
/// <param name="ResponseExcerpt">The start of the answer's body (at most 1 KB).</param>
public sealed record DeliveryAttempt(
    int Number,
    DateTimeOffset StartedAt,
    int DurationMs,
    int? StatusCode,
    string? Error,
    TimeSpan? RetryAfter,
    string? ResponseExcerpt)
{
    public bool Succeeded => StatusCode is >= 200 and < 300;

    /// <summary>What the attempt tells of the receiver's capacity, for its webhook's send window.</summary>
    public ReceiverSignal Signal => this switch
    {
        { Succeeded: true } => ReceiverSignal.Accepted,
        { Error: AttemptErrors.Timeout or AttemptErrors.NetworkError } or { StatusCode: 429 or >= 500 } => ReceiverSignal.Congested,
        _ => ReceiverSignal.Neutral,
    };

    /// <summary>Whether the attempt tells something about the receiver's health: the service's own failures do not.</summary>
    public bool CountsForEndpointHealth => Error != AttemptErrors.InternalError;

    /// <summary>What the attempt means for the delivery: its new status and, when pending, when to try again.</summary>
    public (DeliveryStatus Status, DateTimeOffset? NextAttemptAt) Decide(RetrySchedule schedule, DateTimeOffset now, double jitterUnit)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        if (Succeeded)
        {
            return (DeliveryStatus.Succeeded, null);
        }

        // 410 Gone: the receiver says this endpoint will never take it.
        if (StatusCode == 410)
        {
            return (DeliveryStatus.Failed, null);
        }

        var honoured = StatusCode is 429 or 503 ? RetryAfter : null;
        return schedule.NextAttemptAt(Number, now, jitterUnit, honoured) is { } next
            ? (DeliveryStatus.Pending, next)
            : (DeliveryStatus.Failed, null);
    }
}

/// <summary>The kinds of failure recorded when no answer came.</summary>
public static class AttemptErrors
{
    public const string Timeout = "timeout";
    public const string NetworkError = "network_error";
    public const string BlockedAddress = "blocked_address";
    public const string TokenUnavailable = "token_unavailable";

    /// <summary>The service itself failed to make the attempt (a bug, or a webhook whose secrets cannot be read).</summary>
    public const string InternalError = "internal_error";
}
