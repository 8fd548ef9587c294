using CleanWebhooks.Application.Deliveries;
using CleanWebhooks.Application.Deliveries.GetAttemptHistory;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;

namespace CleanWebhooks.Application.Tests.Deliveries;

public class GetAttemptHistoryQueryHandlerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 9, 41, 12, TimeSpan.Zero);

    [Fact]
    public async Task Handle_CountsOfSomeHours_Returns24HoursEndingWithTheCurrentOneForEachWebhook()
    {
        var webhook = Guid.NewGuid();
        var queries = new CountingQueries(
        [
            new AttemptCount(webhook, new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero), 3, 1),
            new AttemptCount(webhook, new DateTimeOffset(2026, 11, 29, 9, 0, 0, TimeSpan.Zero), 0, 2),
        ]);
        var handler = new GetAttemptHistoryQueryHandler(queries, new FixedClock(Now));

        var history = await handler.Handle(new GetAttemptHistoryQuery(ClientId.New()), default);

        var from = new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);
        Assert.Equal(from, history.From);
        Assert.Equal(from, queries.Since);
        var hours = history.Of(webhook);
        Assert.Equal(24, hours.Count);
        Assert.Equal(Enumerable.Range(0, 24).Select(h => from.AddHours(h)), hours.Select(h => h.Hour));
        Assert.Equal(new HourlyAttempts(from, 3, 1), hours[0]);
        Assert.Equal(new HourlyAttempts(from.AddHours(23), 0, 2), hours[23]);
        Assert.Equal(6, hours.Sum(h => h.Succeeded + h.Failed));
        var quiet = history.Of(Guid.NewGuid());
        Assert.Equal(24, quiet.Count);
        Assert.All(quiet, h => Assert.Equal(0, h.Succeeded + h.Failed));
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private sealed class CountingQueries(IReadOnlyList<AttemptCount> counts) : IDeliveryQueries
    {
        public DateTimeOffset? Since { get; private set; }

        public Task<IReadOnlyList<AttemptCount>> CountAttemptsByHourAsync(ClientId clientId, DateTimeOffset since, CancellationToken cancellationToken)
        {
            Since = since;
            return Task.FromResult(counts);
        }

        public Task<DeliveryPage> ListAsync(
            ClientId clientId, WebhookId webhookId, DeliveryFilter filter, int limit, DeliveryCursor? after, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<DeliveryPage> ListOfDocumentAsync(ClientId clientId, string documentId, int limit, DeliveryCursor? after, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<DeliveryDetailsResponse?> GetAsync(ClientId clientId, WebhookId webhookId, DeliveryId id, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }
}
