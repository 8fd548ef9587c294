using System.Diagnostics.Metrics;
using CleanWebhooks.Infrastructure.Delivery;
using Microsoft.Extensions.DependencyInjection;

namespace CleanWebhooks.Delivery.Tests;

/// <summary>
/// The intake's hand-off (ADR 0021): a new delivery whose webhook has room in this node's window is written leased to
/// this node and sent at once, with no claim; one that has no room, or whose webhook's last attempt failed here, waits
/// for the claim, which applies the breaker and the window. What happens to a handed-off delivery when its node dies is
/// <see cref="DispatcherConcurrencyTests.IntakeNodeKilledWithHandedOffDeliveriesInFlight_OthersSendThemWhenTheirLeasesEnd"/>.
/// </summary>
public sealed class HandOffTests : DeliveryFixture
{
    private long _handedOff;

    [Fact]
    public async Task HealthyWebhookWithRoom_EveryNewDeliveryIsHandedOff()
    {
        // No poll to fall back on: a delivery that waited for the claim would wait for the intake's signal.
        Factory.Settings["Delivery:PollInterval"] = "00:10:00";
        using var listener = CountHandOffs();
        using var integrator = await Factory.CreateIntegratorAsync();
        await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"));

        for (var i = 1; i <= 5; i++)
        {
            var (_, deliveryId) = await Factory.ReportAsync(integrator.ClientId, $"doc-{i}");
            var received = await Receiver.WaitForAsync(i, TimeSpan.FromSeconds(10));
            Assert.Equal(deliveryId.ToString(), received[^1].Header("webhook-id"));
        }

        Assert.Equal(5, Interlocked.Read(ref _handedOff));
    }

    [Fact]
    public async Task WindowFull_TheNextDeliveryWaitsForTheClaim_AndNeverExceedsTheWindow()
    {
        Factory.Settings["Delivery:InitialWindow"] = "1";
        Factory.Settings["Delivery:Timeout"] = "00:00:05";
        Receiver.Respond = (_, before) => before == 0 ? new ReceiverAnswer(200, Delay: TimeSpan.FromMilliseconds(800)) : ReceiverAnswer.Ok;
        using var listener = CountHandOffs();
        using var integrator = await Factory.CreateIntegratorAsync();
        await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"));

        var (_, first) = await Factory.ReportAsync(integrator.ClientId, "first");
        await Receiver.WaitForAsync(1);
        var (_, second) = await Factory.ReportAsync(integrator.ClientId, "second");

        var received = await Receiver.WaitForAsync(2, TimeSpan.FromSeconds(10));
        Assert.Equal([first.ToString(), second.ToString()], received.Select(r => r.Header("webhook-id")));
        Assert.Equal(1, Receiver.MaxInFlight);
        Assert.Equal(1, Interlocked.Read(ref _handedOff));
    }

    [Fact]
    public async Task AfterAFailedAttempt_NewDeliveriesGoThroughTheClaimUntilOneSucceeds()
    {
        Receiver.Respond = (_, before) => before == 0 ? new ReceiverAnswer(503) : ReceiverAnswer.Ok;
        using var listener = CountHandOffs();
        using var integrator = await Factory.CreateIntegratorAsync();
        var webhook = await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"));

        var (_, failing) = await Factory.ReportAsync(integrator.ClientId, "fails-first");
        await Receiver.WaitForAsync(1);
        await WaitUntilEndedAsync(1);
        var (_, afterFailure) = await Factory.ReportAsync(integrator.ClientId, "after-the-failure");
        await integrator.WaitForStatusAsync(webhook.Id(), afterFailure!.Value, "succeeded");
        await integrator.WaitForStatusAsync(webhook.Id(), failing!.Value, "succeeded");

        // The first was handed off; the second came while the webhook's last attempt here had failed.
        Assert.Equal(1, Interlocked.Read(ref _handedOff));

        // A success since: the hand-off resumes.
        var (_, resumed) = await Factory.ReportAsync(integrator.ClientId, "resumed");
        await integrator.WaitForStatusAsync(webhook.Id(), resumed!.Value, "succeeded");
        Assert.Equal(2, Interlocked.Read(ref _handedOff));
    }

    [Fact]
    public async Task WebhookWithItsOwnLimit_NewDeliveriesGoThroughTheClaim()
    {
        // Integrators' limits hold across nodes, and only the claim sees every node's attempts.
        using var listener = CountHandOffs();
        using var integrator = await Factory.CreateIntegratorAsync();
        var webhook = await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"));
        await integrator.SetLimitsAsync(webhook.Id(), maxInFlight: 2, maxPerSecond: null);

        var (_, deliveryId) = await Factory.ReportAsync(integrator.ClientId, "limited");
        await integrator.WaitForStatusAsync(webhook.Id(), deliveryId!.Value, "succeeded");
        Assert.Equal(0, Interlocked.Read(ref _handedOff));
    }

    /// <summary>Counts this test's service's hand-offs only (other tests' services publish the same instrument).</summary>
    private MeterListener CountHandOffs()
    {
        var meterFactory = Factory.Services.GetRequiredService<IMeterFactory>();
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == meterFactory && instrument.Name == "cleanwebhooks.delivery.handed_off")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _handedOff, value));
        listener.Start();
        return listener;
    }

    private async Task WaitUntilEndedAsync(int attempts)
    {
        var rows = new Operations.StoredRows(Factory.DatabasePath);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (await rows.CountAsync("SELECT COUNT(*) FROM delivery_attempts") < attempts)
        {
            Assert.True(DateTime.UtcNow < deadline, "The attempt was not recorded within 10 s.");
            await Task.Delay(20);
        }
    }
}
