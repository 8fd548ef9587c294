using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;
using Microsoft.Extensions.Time.Testing;

namespace CleanWebhooks.Domain.Tests.Deliveries;

/// <summary>A delivery's transitions besides attempts: held by the breaker, held while disabled, cancelled, retried now.</summary>
public sealed class DeliveryTransitionTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void HeldByBreaker_WhilePaused_StaysPendingWithItsAttemptsAndDueTime()
    {
        var delivery = DeliveryScheduleTests.Pending();
        var paused = WebhookHealth.Healthy with { PausedUntil = _clock.GetUtcNow().AddMinutes(1) };

        Assert.True(delivery.HeldByBreaker(paused, _clock.GetUtcNow()).IsSuccess);

        Assert.Equal(DeliveryStatus.Pending, delivery.Status);
        Assert.Equal(0, delivery.AttemptCount);
        Assert.Equal(DateTimeOffset.UnixEpoch, delivery.NextAttemptAt);
    }

    [Fact]
    public void HeldByBreaker_PauseOver_RefusedNotHeld()
    {
        var paused = WebhookHealth.Healthy with { PausedUntil = _clock.GetUtcNow().AddMinutes(1) };
        _clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(DeliveryErrors.NotHeld, DeliveryScheduleTests.Pending().HeldByBreaker(paused, _clock.GetUtcNow()).Error);
    }

    [Fact]
    public void HeldByBreaker_RetryRequested_RefusedNotHeld()
    {
        var delivery = DeliveryScheduleTests.Pending();
        var paused = WebhookHealth.Healthy with { PausedUntil = _clock.GetUtcNow().AddMinutes(1) };
        delivery.RetryNow(paused, _clock.GetUtcNow());

        Assert.Equal(DeliveryErrors.NotHeld, delivery.HeldByBreaker(paused, _clock.GetUtcNow()).Error);
    }

    [Fact]
    public void HeldWhileDisabled_DisabledWebhook_StaysPending()
    {
        var delivery = DeliveryScheduleTests.Pending();

        Assert.True(delivery.HeldWhileDisabled(Disabled()).IsSuccess);
        Assert.Equal(DeliveryStatus.Pending, delivery.Status);
        Assert.Equal(DeliveryErrors.NotHeld, delivery.HeldWhileDisabled(WebhookHealth.Healthy).Error);
    }

    [Fact]
    public void Cancel_Pending_CancelledWithNothingDue()
    {
        var delivery = DeliveryScheduleTests.Pending();

        Assert.True(delivery.Cancel().IsSuccess);

        Assert.Equal(DeliveryStatus.Cancelled, delivery.Status);
        Assert.Null(delivery.NextAttemptAt);
        Assert.Equal(DeliveryErrors.NotPending, delivery.Cancel().Error);
    }

    [Fact]
    public void RetryNow_Failed_PendingDueNowAndRequested()
    {
        var delivery = Delivery.Restore(new Delivery.Snapshot(DeliveryId.New(), WebhookId.New(), DeliveryStatus.Failed, 8, null, false, null));

        Assert.True(delivery.RetryNow(WebhookHealth.Healthy, _clock.GetUtcNow()).IsSuccess);

        Assert.Equal(DeliveryStatus.Pending, delivery.Status);
        Assert.Equal(_clock.GetUtcNow(), delivery.NextAttemptAt);
        Assert.True(delivery.RetryRequested);
    }

    [Fact]
    public void RetryNow_InFlight_RefusedInFlight()
    {
        var delivery = DeliveryScheduleTests.Pending(leaseUntil: _clock.GetUtcNow().AddSeconds(30));

        Assert.Equal(DeliveryErrors.InFlight, delivery.RetryNow(WebhookHealth.Healthy, _clock.GetUtcNow()).Error);
    }

    [Fact]
    public void RetryNow_WebhookDisabled_RefusedWebhookDisabled()
    {
        Assert.Equal(DeliveryErrors.WebhookDisabled, DeliveryScheduleTests.Pending().RetryNow(Disabled(), _clock.GetUtcNow()).Error);
    }

    [Fact]
    public void RetryNow_Cancelled_RefusedNotFound()
    {
        var delivery = DeliveryScheduleTests.Pending();
        delivery.Cancel();

        Assert.Equal(DeliveryErrors.NotFound, delivery.RetryNow(WebhookHealth.Healthy, _clock.GetUtcNow()).Error);
    }

    private WebhookHealth Disabled() => WebhookHealth.Healthy with { DisabledAt = _clock.GetUtcNow(), DisabledReason = new DisabledReason(TimeSpan.FromDays(5)) };
}
