using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;
using Microsoft.Extensions.Time.Testing;

namespace CleanWebhooks.Domain.Tests.Deliveries;

/// <summary>What an attempt means for its delivery: the schedule, its jitter, Retry-After, 410 Gone.</summary>
public sealed class DeliveryScheduleTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Attempted_FirstFailure_DueAfterTheFirstWaitWithinJitter()
    {
        var delivery = Pending();

        Assert.True(delivery.Attempted(Failure(1, 500), RetrySchedule.Default, _clock.GetUtcNow(), 0.5).IsSuccess);

        Assert.Equal(DeliveryStatus.Pending, delivery.Status);
        Assert.Equal(1, delivery.AttemptCount);
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromSeconds(5), delivery.NextAttemptAt);
    }

    [Theory]
    [InlineData(0.0, 0.8)]
    [InlineData(0.999999, 1.2)]
    public void NextAttemptAt_JitterExtremes_StayWithinTwentyPercent(double unit, double factor)
    {
        var next = RetrySchedule.Default.NextAttemptAt(2, _clock.GetUtcNow(), unit)!.Value;

        var wait = next - _clock.GetUtcNow();
        Assert.InRange(wait.TotalSeconds, (300 * factor) - 0.01, (300 * factor) + 0.01);
    }

    [Fact]
    public void Attempted_EveryScheduledAttemptFailed_Failed()
    {
        var schedule = new RetrySchedule([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)]);
        var delivery = Pending();
        for (var number = 1; number <= 3; number++)
        {
            Assert.True(delivery.Attempted(Failure(number, 503), schedule, _clock.GetUtcNow(), 0.5).IsSuccess);
            _clock.Advance(TimeSpan.FromSeconds(3));
        }

        Assert.Equal(DeliveryStatus.Failed, delivery.Status);
        Assert.Null(delivery.NextAttemptAt);
    }

    [Fact]
    public void Attempted_503WithLongerRetryAfter_HonoursIt()
    {
        var delivery = Pending();

        delivery.Attempted(Failure(1, 503) with { RetryAfter = TimeSpan.FromMinutes(2) }, RetrySchedule.Default, _clock.GetUtcNow(), 0.5);

        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromMinutes(2), delivery.NextAttemptAt);
    }

    [Fact]
    public void Attempted_500WithRetryAfter_FollowsTheSchedule()
    {
        var delivery = Pending();

        delivery.Attempted(Failure(1, 500) with { RetryAfter = TimeSpan.FromMinutes(2) }, RetrySchedule.Default, _clock.GetUtcNow(), 0.5);

        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromSeconds(5), delivery.NextAttemptAt);
    }

    [Fact]
    public void Attempted_429WithRetryAfterBeyondSixHours_CappedAtSixHours()
    {
        var delivery = Pending();

        delivery.Attempted(Failure(1, 429) with { RetryAfter = TimeSpan.FromDays(3) }, RetrySchedule.Default, _clock.GetUtcNow(), 0.5);

        Assert.Equal(_clock.GetUtcNow() + RetrySchedule.MaxRetryAfter, delivery.NextAttemptAt);
    }

    [Fact]
    public void Attempted_410Gone_FailedAtOnce()
    {
        var delivery = Pending();

        delivery.Attempted(Failure(1, 410), RetrySchedule.Default, _clock.GetUtcNow(), 0.5);

        Assert.Equal(DeliveryStatus.Failed, delivery.Status);
        Assert.Null(delivery.NextAttemptAt);
    }

    [Fact]
    public void Attempted_2xx_Succeeded()
    {
        var delivery = Pending();

        delivery.Attempted(Failure(1, 204), RetrySchedule.Default, _clock.GetUtcNow(), 0.5);

        Assert.Equal(DeliveryStatus.Succeeded, delivery.Status);
        Assert.Null(delivery.NextAttemptAt);
    }

    [Fact]
    public void Attempted_NotTheNextNumber_RefusedAttemptOutOfOrder()
    {
        var delivery = Pending();

        var result = delivery.Attempted(Failure(2, 500), RetrySchedule.Default, _clock.GetUtcNow(), 0.5);

        Assert.Equal(DeliveryErrors.AttemptOutOfOrder, result.Error);
        Assert.Equal(0, delivery.AttemptCount);
    }

    [Fact]
    public void Attempted_EndedDelivery_RefusedNotPending()
    {
        var delivery = Pending();
        delivery.Attempted(Failure(1, 200), RetrySchedule.Default, _clock.GetUtcNow(), 0.5);

        Assert.Equal(DeliveryErrors.NotPending, delivery.Attempted(Failure(2, 200), RetrySchedule.Default, _clock.GetUtcNow(), 0.5).Error);
    }

    private DeliveryAttempt Failure(int number, int status) => new(number, _clock.GetUtcNow(), 10, status, null, null, null);

    internal static Delivery Pending(DateTimeOffset? leaseUntil = null) => Delivery.Restore(new Delivery.Snapshot(
        DeliveryId.New(), WebhookId.New(), DeliveryStatus.Pending, 0, DateTimeOffset.UnixEpoch, false, leaseUntil));
}
