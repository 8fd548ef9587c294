using CleanWebhooks.Application.Deliveries.AttemptDelivery;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;
using Microsoft.Extensions.Time.Testing;

namespace CleanWebhooks.Application.Tests.Deliveries;

/// <summary>The attempt use case without HTTP: what it sends, holds or cancels, and what it decides.</summary>
public sealed class AttemptDeliveryHandlerTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly RecordingSender _sender;

    public AttemptDeliveryHandlerTests() => _sender = new RecordingSender(_clock);

    [Fact]
    public async Task Handle_HealthyWebhook500_SendsOnceAndSchedulesTheNextAttempt()
    {
        _sender.Status = 500;
        var claimed = Claimed();

        var outcome = await Handler().HandleAsync(claimed, new WebhookForDelivery(Webhook(WebhookHealth.Healthy), false), CancellationToken.None);

        var attempted = Assert.IsType<DeliveryOutcome.Attempted>(outcome);
        Assert.Equal(1, _sender.Calls);
        Assert.Equal(1, attempted.Attempt.Number);
        Assert.Equal(DeliveryStatus.Pending, claimed.Delivery.Status);
        Assert.InRange(claimed.Delivery.NextAttemptAt!.Value, _clock.GetUtcNow() + (RetrySchedule.Default.Waits[0] * 0.8), _clock.GetUtcNow() + (RetrySchedule.Default.Waits[0] * 1.2));
    }

    [Fact]
    public async Task Handle_DeletedWebhook_CancelsWithoutSending()
    {
        var claimed = Claimed();

        var outcome = await Handler().HandleAsync(claimed, WebhookForDelivery.Gone, CancellationToken.None);

        Assert.IsType<DeliveryOutcome.Cancelled>(outcome);
        Assert.Equal(DeliveryStatus.Cancelled, claimed.Delivery.Status);
        Assert.Equal(0, _sender.Calls);
    }

    [Fact]
    public async Task Handle_DisabledWebhook_HoldsWithoutSending()
    {
        var disabled = WebhookHealth.Healthy with { DisabledAt = _clock.GetUtcNow(), DisabledReason = new DisabledReason(TimeSpan.FromDays(5)) };

        var outcome = await Handler().HandleAsync(Claimed(), new WebhookForDelivery(Webhook(disabled), false), CancellationToken.None);

        Assert.IsType<DeliveryOutcome.Held>(outcome);
        Assert.Equal(0, _sender.Calls);
    }

    [Fact]
    public async Task Handle_BreakerOpen_HoldsWithoutSending_ButARetriedDeliveryIsTheProbe()
    {
        var paused = WebhookHealth.Healthy with { ConsecutiveFailures = 5, BreakerTrips = 1, PausedUntil = _clock.GetUtcNow().AddMinutes(1) };
        var webhook = new WebhookForDelivery(Webhook(paused), false);

        var held = await Handler().HandleAsync(Claimed(), webhook, CancellationToken.None);
        var probe = await Handler().HandleAsync(Claimed(retryRequested: true), webhook, CancellationToken.None);

        Assert.IsType<DeliveryOutcome.Held>(held);
        Assert.IsType<DeliveryOutcome.Attempted>(probe);
        Assert.Equal(1, _sender.Calls);
    }

    [Fact]
    public async Task Handle_StartSlotOfMaxPerSecond_StartsWithinItsToleranceOrIsHeldWithoutSending()
    {
        var webhook = new WebhookForDelivery(Webhook(WebhookHealth.Healthy), false);
        var slot = _clock.GetUtcNow();

        var onTime = await Handler().HandleAsync(Claimed() with { StartAt = slot }, webhook, CancellationToken.None);
        _clock.Advance(WebhookLimits.StartTolerance + TimeSpan.FromTicks(10));
        var late = await Handler().HandleAsync(Claimed() with { StartAt = slot }, webhook, CancellationToken.None);

        Assert.IsType<DeliveryOutcome.Attempted>(onTime);
        Assert.IsType<DeliveryOutcome.Held>(late);
        Assert.Equal(slot + WebhookLimits.StartTolerance, _sender.StartBy);
        Assert.Equal(1, _sender.Calls);
    }

    [Fact]
    public async Task Handle_UnreadableWebhook_RecordsAnInternalErrorAttempt()
    {
        var outcome = await Handler().HandleAsync(Claimed(), new WebhookForDelivery(null, true), CancellationToken.None);

        var attempted = Assert.IsType<DeliveryOutcome.Attempted>(outcome);
        Assert.Equal(AttemptErrors.InternalError, attempted.Attempt.Error);
        Assert.Equal(0, _sender.Calls);
    }

    private AttemptDeliveryHandler Handler() => new(_sender, RetrySchedule.Default, _clock);

    private static ClaimedDelivery Claimed(bool retryRequested = false) => new(
        Delivery.Restore(new Delivery.Snapshot(DeliveryId.New(), WebhookId.New(), DeliveryStatus.Pending, 0, DateTimeOffset.UnixEpoch, retryRequested, null)),
        "claim-1",
        new DeliveryMessage(EventId.New(), ClientId.New(), "doc-1", 0, null, DateTimeOffset.UnixEpoch));

    private Webhook Webhook(WebhookHealth health)
    {
        var created = Domain.Webhooks.Webhook.Create(ClientId.New(), new WebhookDefinition(
            "Webhook 1", 0, "POST", null, null, "https://example.com/hook/:id", null, null, null, null, null, null), _clock.GetUtcNow()).Value;
        return Domain.Webhooks.Webhook.Restore(new Domain.Webhooks.Webhook.Snapshot(
            created.Id, created.ClientId, created.Name, created.Type, created.Method, created.Headers, created.HeaderAuth, created.Url,
            created.Authorization, created.AuthorizationUrl, created.AuthorizationMethod, created.AuthorizationHeaders, created.AuthorizationBody,
            created.AuthorizationResponseTokenAttr, created.SigningSecret, null, null, created.CreatedAt, created.UpdatedAt, null, health));
    }

    /// <summary>
    /// Stands in for HTTP (tested through the real service elsewhere): answers with <see cref="Status"/>, counts calls,
    /// and starts nothing after the time it is given (<see cref="StartBy"/>), as the real sender does.
    /// </summary>
    private sealed class RecordingSender(TimeProvider clock) : IDeliverySender
    {
        public int Status { get; set; } = 200;

        public int Calls { get; private set; }

        public DateTimeOffset? StartBy { get; private set; }

        public Task<DeliveryAttempt?> SendAsync(
            Webhook webhook, DeliveryId deliveryId, DeliveryMessage message, int attemptNumber, DateTimeOffset? startBy, CancellationToken cancellationToken)
        {
            StartBy = startBy;
            if (clock.GetUtcNow() > startBy)
            {
                return Task.FromResult<DeliveryAttempt?>(null);
            }

            Calls++;
            return Task.FromResult<DeliveryAttempt?>(new DeliveryAttempt(attemptNumber, clock.GetUtcNow(), 1, Status, null, null, null));
        }
    }
}
