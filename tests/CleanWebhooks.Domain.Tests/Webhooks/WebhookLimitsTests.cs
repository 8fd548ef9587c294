using CleanWebhooks.Domain.Webhooks;

namespace CleanWebhooks.Domain.Tests.Webhooks;

/// <summary>The integrator's own limits: their ranges, and the start slots of <c>maxPerSecond</c>.</summary>
public sealed class WebhookLimitsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(0, null, "webhook.invalid_max_in_flight")]
    [InlineData(65, null, "webhook.invalid_max_in_flight")]
    [InlineData(null, 0, "webhook.invalid_max_per_second")]
    [InlineData(null, 1001, "webhook.invalid_max_per_second")]
    public void Create_OutOfRange_RefusedNamingTheField(int? maxInFlight, int? maxPerSecond, string code)
    {
        var created = WebhookLimits.Create(maxInFlight, maxPerSecond);

        Assert.False(created.IsSuccess);
        Assert.Equal(code, created.Error.Code);
        Assert.Equal(code.EndsWith("in_flight", StringComparison.Ordinal) ? "maxInFlight" : "maxPerSecond", created.Error.Field);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(64, 1000)]
    [InlineData(null, null)]
    public void Create_InRangeOrNull_Accepted(int? maxInFlight, int? maxPerSecond)
    {
        Assert.True(WebhookLimits.Create(maxInFlight, maxPerSecond).IsSuccess);
    }

    [Fact]
    public void Starts_AnySecondOfSlots_HoldsAtMostMaxPerSecondEvenWhenEachStartsAsLateAsAllowed()
    {
        foreach (var perSecond in new[] { 1, 7, 20, 1000 })
        {
            var limits = WebhookLimits.Create(null, perSecond).Value;
            var (first, spacing, _) = limits.Starts(null, Now, perSecond * 3);

            // perSecond + 1 slots, the first as late as allowed and the last on time, still span more than a second.
            var span = (spacing * perSecond) - WebhookLimits.StartTolerance;
            Assert.True(span > TimeSpan.FromSeconds(1), $"{perSecond}/s: {perSecond + 1} starts within {span}.");
            Assert.Equal(Now, first);
        }
    }

    [Fact]
    public void Starts_AfterSlotsWereTaken_GoOnFromTheNextFreeSlot()
    {
        var limits = WebhookLimits.Create(null, 10).Value;
        var (_, spacing, next) = limits.Starts(null, Now, 3);

        var (first, _, after) = limits.Starts(next, Now, 2);

        Assert.Equal(Now + (spacing * 3), first);
        Assert.Equal(Now + (spacing * 5), after);
    }

    [Fact]
    public void FreeStarts_SlotsBeyondTheHorizon_AreNotHandedOutYet()
    {
        var limits = WebhookLimits.Create(null, 10).Value;
        var spacing = limits.StartSpacing!.Value;

        Assert.Equal(1 + (int)(WebhookLimits.SlotHorizon.Ticks / spacing.Ticks), limits.FreeStarts(null, Now));
        Assert.Equal(0, limits.FreeStarts(Now + WebhookLimits.SlotHorizon + TimeSpan.FromMilliseconds(1), Now));
        Assert.Equal(int.MaxValue, WebhookLimits.None.FreeStarts(null, Now));
    }
}
