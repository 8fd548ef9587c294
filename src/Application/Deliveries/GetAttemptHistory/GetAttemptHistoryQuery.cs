using CleanWebhooks.Domain.Clients;
using Mediator;

namespace CleanWebhooks.Application.Deliveries.GetAttemptHistory;

/// <summary>The client's attempts of the last 24 hours, per webhook and hour: how many succeeded and how many failed.</summary>
public sealed record GetAttemptHistoryQuery(ClientId ClientId) : IQuery<AttemptHistory>;

/// <summary>Attempts started in one hour (UTC, from <see cref="Hour"/> on).</summary>
public sealed record HourlyAttempts(DateTimeOffset Hour, int Succeeded, int Failed);

/// <summary>Hourly counts from <see cref="From"/>, oldest first, the same <see cref="AttemptHistory.Hours"/> hours for every webhook.</summary>
public sealed record AttemptHistory(DateTimeOffset From, IReadOnlyDictionary<Guid, IReadOnlyList<HourlyAttempts>> ByWebhook)
{
    public const int Hours = 24;

    /// <summary>The hours of one webhook; all zero when it made no attempt.</summary>
    public IReadOnlyList<HourlyAttempts> Of(Guid webhookId) =>
        ByWebhook.TryGetValue(webhookId, out var hours)
            ? hours
            : [.. Enumerable.Range(0, Hours).Select(h => new HourlyAttempts(From.AddHours(h), 0, 0))];
}

public sealed class GetAttemptHistoryQueryHandler(IDeliveryQueries deliveries, TimeProvider clock)
    : IQueryHandler<GetAttemptHistoryQuery, AttemptHistory>
{
    public async ValueTask<AttemptHistory> Handle(GetAttemptHistoryQuery query, CancellationToken cancellationToken)
    {
        // 24 whole hours ending with the current one.
        var now = clock.GetUtcNow();
        var from = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero).AddHours(1 - AttemptHistory.Hours);
        var counts = await deliveries.CountAttemptsByHourAsync(query.ClientId, from, cancellationToken);

        var byWebhook = new Dictionary<Guid, IReadOnlyList<HourlyAttempts>>();
        foreach (var webhook in counts.GroupBy(c => c.WebhookId))
        {
            var hours = webhook.ToDictionary(c => c.Hour);
            byWebhook[webhook.Key] =
            [
                .. Enumerable.Range(0, AttemptHistory.Hours).Select(h =>
                {
                    var hour = from.AddHours(h);
                    return hours.TryGetValue(hour, out var c) ? new HourlyAttempts(hour, c.Succeeded, c.Failed) : new HourlyAttempts(hour, 0, 0);
                }),
            ];
        }

        return new AttemptHistory(from, byWebhook);
    }
}
