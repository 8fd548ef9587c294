using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;

namespace CleanWebhooks.Domain.Tests.Deliveries;

/// <summary>The claim's rule, webhook by webhook, and how it shares a claim's capacity out.</summary>
public sealed class ClaimRuleTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private static readonly DeliveryPolicy Policy = DeliveryPolicy.Default;

    [Fact]
    public void Plan_HealthyWebhook_TakesWhatItsWindowHereLeaves()
    {
        var claim = Single(Due(due: 50), new NodeShare(Window: 16, InFlight: 10));

        Assert.Equal(6, claim.Take);
        Assert.Equal(ClaimHold.Room, claim.Hold);
        Assert.Equal((null, Now + Policy.RoomRecheck, true), claim.Settle(claim.Take, Now, Policy));
    }

    [Fact]
    public void Plan_FewerDueThanRoom_TakesThemAllAndIsLookedAtAgainAtItsNextDelivery()
    {
        var claim = Single(Due(due: 3), new NodeShare(16, 0));

        Assert.Equal(3, claim.Take);
        Assert.Equal(ClaimHold.None, claim.Hold);
        Assert.Equal((null, Now, false), claim.Settle(3, Now, Policy));
    }

    [Fact]
    public void Plan_MaxInFlight_CountsTheAttemptsOfEveryNode()
    {
        var claim = Single(Due(due: 50, inFlight: 7) with { Limits = WebhookLimits.Create(8, null).Value }, new NodeShare(16, 2));

        Assert.Equal(1, claim.Take);
        Assert.Equal(ClaimHold.Room, claim.Hold);
    }

    [Fact]
    public void Plan_Disabled_TakesNothingAndIsNotLookedAtUntilEnabled()
    {
        var claim = Single(Due(due: 5) with { Health = WebhookHealth.Healthy with { DisabledAt = Now, DisabledReason = new DisabledReason(TimeSpan.FromDays(5)) } }, new NodeShare(4, 0));

        Assert.Equal(0, claim.Take);
        Assert.Equal(ClaimHold.Disabled, claim.Hold);
        Assert.Null(claim.Settle(0, Now, Policy).NotBefore);
    }

    [Fact]
    public void Plan_Deleted_CancelsItsDueDeliveries()
    {
        var claim = Single(Due(due: 5) with { IsDeleted = true }, new NodeShare(4, 0));

        Assert.True(claim.Cancel);
        Assert.Equal(0, claim.Take);
    }

    [Fact]
    public void Plan_BreakerOpenNoManualRetry_TakesNothingUntilThePauseEnds()
    {
        var claim = Single(Due(due: 5) with { Health = Paused() }, new NodeShare(4, 0));

        Assert.Equal(0, claim.Take);
        Assert.Equal(ClaimHold.Breaker, claim.Hold);
        Assert.Equal(Now.AddMinutes(1), claim.Settle(0, Now, Policy).NotBefore);
    }

    [Fact]
    public void Plan_BreakerOpenWithAManualRetry_TheRetryGoesAloneAsTheProbe()
    {
        var alone = Single(Due(due: 5, retries: 2) with { Health = Paused() }, new NodeShare(4, 0));
        var behindAnother = Single(Due(due: 5, retries: 2, inFlight: 1) with { Health = Paused() }, new NodeShare(4, 0));

        Assert.Equal((1, true), (alone.Take, alone.RetriesOnly));
        Assert.Equal((0, ClaimHold.Room), (behindAnother.Take, behindAnother.Hold));
    }

    [Fact]
    public void Plan_PauseOver_OneProbeAtATimeAcrossNodes()
    {
        var probing = WebhookHealth.Healthy with { ConsecutiveFailures = 5, BreakerTrips = 1, PausedUntil = Now.AddSeconds(-1) };

        Assert.Equal(1, Single(Due(due: 5) with { Health = probing }, new NodeShare(16, 0)).Take);
        Assert.Equal(0, Single(Due(due: 5, inFlight: 1) with { Health = probing }, new NodeShare(16, 0)).Take);
    }

    [Fact]
    public void Plan_MaxPerSecond_TakesOnlyTheFreeStartSlotsAndWaitsForTheNext()
    {
        var limits = WebhookLimits.Create(null, 10).Value;
        var claim = Single(Due(due: 50) with { Limits = limits }, new NodeShare(64, 0));

        Assert.Equal(limits.FreeStarts(null, Now), claim.Take);
        Assert.Equal(ClaimHold.Rate, claim.Hold);
        var (next, notBefore, waits) = claim.Settle(claim.Take, Now, Policy);
        Assert.Equal(Now + (limits.StartSpacing!.Value * claim.Take), next);
        Assert.Equal(next - WebhookLimits.SlotHorizon, notBefore);
        Assert.False(waits);
    }

    [Fact]
    public void Plan_CapacityShort_GoesFirstToTheWebhooksHoldingTheLeast()
    {
        DueWebhook[] due = [Due(due: 50), Due(due: 50), Due(due: 50)];
        var held = new Dictionary<WebhookId, int> { [due[0].Id] = 0, [due[1].Id] = 5, [due[2].Id] = 10 };

        var plan = ClaimRule.Plan(due, w => new NodeShare(64, held[w.Id]), capacity: 6, Now, Policy);

        Assert.Equal([6, 0, 0], plan.Select(c => c.Take));
        Assert.All(plan, c => Assert.Equal(ClaimHold.Capacity, c.Hold));
    }

    [Fact]
    public void Plan_CapacityForAll_EveryWebhookGetsItsRoom()
    {
        DueWebhook[] due = [Due(due: 3), Due(due: 50), Due(due: 2)];

        var plan = ClaimRule.Plan(due, _ => new NodeShare(4, 0), capacity: 100, Now, Policy);

        Assert.Equal([3, 4, 2], plan.Select(c => c.Take));
    }

    private static WebhookClaim Single(DueWebhook due, NodeShare share) =>
        Assert.Single(ClaimRule.Plan([due], _ => share, capacity: 1000, Now, Policy));

    private static WebhookHealth Paused() =>
        WebhookHealth.Healthy with { ConsecutiveFailures = 5, BreakerTrips = 1, FailingSince = Now.AddMinutes(-2), PausedUntil = Now.AddMinutes(1) };

    private static DueWebhook Due(int due, int retries = 0, int inFlight = 0) =>
        new(WebhookId.New(), WebhookHealth.Healthy, WebhookLimits.None, false, inFlight, due, retries, null);
}
