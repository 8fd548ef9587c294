using CleanWebhooks.Application.Deliveries.AttemptDelivery;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;
using CleanWebhooks.Infrastructure.Persistence.Webhooks;

namespace CleanWebhooks.Infrastructure.Persistence.Deliveries;

/// <summary>
/// A webhook with due work as the claim reads it: its stored state (<see cref="WebhookHealthRow"/>, limits, version) and
/// what is in flight and due of it, counted by the claim's statement.
/// </summary>
internal sealed class DueWebhookRow : WebhookHealthRow
{
    /// <summary>The webhook columns it is read from (of a webhook <c>w</c>); the counts are the statement's own.</summary>
    public const string Columns =
        "w.id, w.client_id, w.updated_at, w.deleted_at, w.consecutive_failures, w.failing_since, w.breaker_trips, w.paused_until, " +
        "w.disabled_at, w.disabled_reason, w.max_in_flight, w.max_per_second, w.next_start_at";

    public DateTimeOffset UpdatedAt { get; init; }

    public DateTimeOffset? DeletedAt { get; init; }

    public int? MaxInFlight { get; init; }

    public int? MaxPerSecond { get; init; }

    public DateTimeOffset? NextStartAt { get; init; }

    public int InFlight { get; private set; }

    public int Due { get; private set; }

    public int RetriesDue { get; private set; }

    /// <summary>Takes the counts read by a statement of their own (PostgreSQL: after the webhook was locked).</summary>
    public void Count(DueCountsRow counts)
    {
        (InFlight, Due, RetriesDue) = (counts.InFlight, counts.Due, counts.RetriesDue);
    }

    public WebhookLimits Limits() => WebhookLimits.Restore(MaxInFlight, MaxPerSecond);

    public DueWebhook ToDueWebhook() =>
        new(new WebhookId(Id), Health(), Limits(), DeletedAt is not null, InFlight, Due, RetriesDue, NextStartAt);

    public WebhookVersion ToVersion() => new(new WebhookId(Id), UpdatedAt, Health(), Limits());
}

/// <summary>What is in flight and due of a webhook, counted apart from its row.</summary>
internal sealed class DueCountsRow
{
    public Guid Id { get; init; }

    public int InFlight { get; init; }

    public int Due { get; init; }

    public int RetriesDue { get; init; }
}
