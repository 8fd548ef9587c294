using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;

namespace CleanWebhooks.Domain.Tests.Deliveries;

/// <summary>Recovering after an outage (contract section 11): which deliveries, and what becomes of them.</summary>
public sealed class DeliveryRecoveryTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Recover_Failed_PendingDueNowWithItsAttemptsAndNoManualRetry()
    {
        var delivery = Delivery(DeliveryStatus.Failed, attempts: 8);

        Assert.True(delivery.Recover(Now).IsSuccess);

        Assert.Equal(DeliveryStatus.Pending, delivery.Status);
        Assert.Equal(Now, delivery.NextAttemptAt);
        Assert.Equal(8, delivery.AttemptCount);
        Assert.False(delivery.RetryRequested);
    }

    [Fact]
    public void Recover_Failed_HeldByAnOpenBreakerLikeAnyDelivery()
    {
        var delivery = Delivery(DeliveryStatus.Failed, attempts: 8);
        var paused = WebhookHealth.Healthy with { PausedUntil = Now.AddMinutes(1) };

        delivery.Recover(Now);

        Assert.True(delivery.HeldByBreaker(paused, Now).IsSuccess);
    }

    [Theory]
    [InlineData(DeliveryStatus.Pending)]
    [InlineData(DeliveryStatus.Succeeded)]
    [InlineData(DeliveryStatus.Cancelled)]
    public void Recover_NotFailed_RefusedAndUnchanged(DeliveryStatus status)
    {
        var delivery = Delivery(status, attempts: 2);

        Assert.Equal(DeliveryErrors.NotFailed, delivery.Recover(Now).Error);
        Assert.Equal(status, delivery.Status);
        Assert.Null(delivery.NextAttemptAt);
    }

    [Fact]
    public void RecoveryWindow_SinceNotBeforeUntil_RefusedNamingSince()
    {
        var same = RecoveryWindow.Create(Now, Now);
        var reversed = RecoveryWindow.Create(Now, Now.AddSeconds(-1));

        Assert.Equal(DeliveryErrors.EmptyRecoveryWindow, same.Error);
        Assert.Equal(DeliveryErrors.EmptyRecoveryWindow, reversed.Error);
        Assert.Equal("since", same.Error!.Field);
    }

    [Fact]
    public void RecoveryWindow_Contains_SinceButNotUntil()
    {
        var window = RecoveryWindow.Create(Now, Now.AddHours(1)).Value;

        Assert.True(window.Contains(Now));
        Assert.True(window.Contains(Now.AddHours(1).AddTicks(-10)));
        Assert.False(window.Contains(Now.AddHours(1)));
        Assert.False(window.Contains(Now.AddTicks(-10)));
    }

    [Fact]
    public void TestEvent_Always_ATestWithADocumentIdOfItsOwnAndNoData()
    {
        var client = ClientId.New();

        var first = DocumentEvent.Test(client, WebhookType.DocumentFinished, Now);
        var second = DocumentEvent.Test(client, WebhookType.DocumentFinished, Now);

        Assert.True(first.IsTest);
        Assert.StartsWith("test-", first.DocumentId, StringComparison.Ordinal);
        Assert.NotEqual(first.DocumentId, second.DocumentId);
        Assert.True(first.DocumentId.Length <= DocumentEvent.DocumentIdMaxLength);
        Assert.Null(first.Data);
        Assert.False(DocumentEvent.Create(client, "test-1", 0, null, Now).Value.IsTest);
    }

    private static Delivery Delivery(DeliveryStatus status, int attempts) =>
        Domain.Deliveries.Delivery.Restore(new Domain.Deliveries.Delivery.Snapshot(DeliveryId.New(), WebhookId.New(), status, attempts, null, false, null));
}
