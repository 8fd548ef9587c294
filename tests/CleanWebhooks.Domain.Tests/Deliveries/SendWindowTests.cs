using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;

namespace CleanWebhooks.Domain.Tests.Deliveries;

/// <summary>A webhook's send window (contract section 5, "Flow control"), as each attempt's answer moves it.</summary>
public sealed class SendWindowTests
{
    private static readonly DeliveryPolicy Policy = DeliveryPolicy.Default;

    [Fact]
    public void New_StartsAtTheInitialWindow()
    {
        Assert.Equal(4, Policy.NewWindow().Size(Policy.MaxPerWebhook));
    }

    [Fact]
    public void Observe_Accepted_DoublesEachRoundTripUntilTheCap()
    {
        var window = Policy.NewWindow();
        var sizes = new List<int>();
        for (var trip = 0; trip < 6; trip++)
        {
            // A round trip: every attempt of the window answered 2xx.
            var inFlight = window.Size(64);
            for (var i = 0; i < inFlight; i++)
            {
                window.Observe(ReceiverSignal.Accepted, 64);
            }

            sizes.Add(window.Size(64));
        }

        Assert.Equal([8, 16, 32, 64, 64, 64], sizes);
    }

    [Theory]
    [InlineData(null, 500)]
    [InlineData(null, 429)]
    [InlineData(null, 503)]
    [InlineData(AttemptErrors.Timeout, null)]
    [InlineData(AttemptErrors.NetworkError, null)]
    public void Observe_Congested_AtLeastHalves(string? error, int? status)
    {
        var window = Grown(40);
        var attempt = new DeliveryAttempt(1, DateTimeOffset.UnixEpoch, 5, status, error, null, null);

        window.Observe(attempt.Signal, 64);

        Assert.Equal(ReceiverSignal.Congested, attempt.Signal);
        Assert.True(window.Size(64) <= 20, $"The window is {window.Size(64)} after a congestion signal at 40.");
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(404)]
    [InlineData(410)]
    [InlineData(302)]
    public void Observe_ClientErrorOrRedirect_LeavesTheWindowAsItIs(int status)
    {
        var window = Grown(12);
        var attempt = new DeliveryAttempt(1, DateTimeOffset.UnixEpoch, 5, status, null, null, null);

        window.Observe(attempt.Signal, 64);

        Assert.Equal(ReceiverSignal.Neutral, attempt.Signal);
        Assert.Equal(12, window.Size(64));
    }

    [Fact]
    public void Observe_NeverA2xx_StaysAtMostTheInitialWindow()
    {
        var window = Policy.NewWindow();
        foreach (var signal in new[] { ReceiverSignal.Congested, ReceiverSignal.Neutral, ReceiverSignal.Congested, ReceiverSignal.Neutral })
        {
            window.Observe(signal, 64);
            Assert.InRange(window.Size(64), 1, Policy.InitialWindow);
        }

        Assert.Equal(1, window.Size(64));
    }

    [Fact]
    public void Observe_AfterAHalving_GrowsByAboutOnePerRoundTrip()
    {
        var window = Grown(32);
        window.Observe(ReceiverSignal.Congested, 64);
        Assert.Equal(16, window.Size(64));

        // A round trip and a bit (1/16 + 1/16.06 + ... falls just short of 1 after 16 answers).
        for (var i = 0; i < 18; i++)
        {
            window.Observe(ReceiverSignal.Accepted, 64);
        }

        Assert.Equal(17, window.Size(64));
        Assert.False(window.IsStarting);
    }

    [Fact]
    public void Size_IntegratorsMaxInFlightBelowTheWindow_IsTheCap()
    {
        var window = Grown(40);
        var cap = Policy.WindowCap(WebhookLimits.Create(6, null).Value);

        Assert.Equal(6, cap);
        Assert.Equal(6, window.Size(cap));
        Assert.Equal(Policy.MaxPerWebhook, Policy.WindowCap(WebhookLimits.None));
    }

    private static SendWindow Grown(int size)
    {
        var window = new SendWindow(1);
        while (window.Size(64) < size)
        {
            window.Observe(ReceiverSignal.Accepted, size);
        }

        return window;
    }
}
