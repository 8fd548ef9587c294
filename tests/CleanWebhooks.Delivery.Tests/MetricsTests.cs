using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using CleanWebhooks.Delivery.Tests.Operations;
using CleanWebhooks.Infrastructure.Delivery;

namespace CleanWebhooks.Delivery.Tests;

public sealed class MetricsTests : DeliveryFixture
{
    [Fact]
    public async Task SuccessfulDelivery_RecordsAttemptSuccessAndDuration()
    {
        var measured = new ConcurrentDictionary<string, double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == DeliveryMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => measured.AddOrUpdate(instrument.Name, value, (_, old) => old + value));
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => measured.AddOrUpdate(instrument.Name, value, (_, old) => old + value));
        listener.Start();
        using var integrator = await Factory.CreateIntegratorAsync();
        var webhook = await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"));

        var (_, deliveryId) = await Factory.ReportAsync(integrator.ClientId, "d1");
        await integrator.WaitForStatusAsync(webhook.Id(), deliveryId!.Value, "succeeded");

        // Counted once the dispatcher's turn has committed the outcome, just after the status can be read.
        await StoredRows.WaitUntilAsync(
            () => Task.FromResult(measured.GetValueOrDefault("cleanwebhooks.deliveries.succeeded") >= 1), "a delivery counted as succeeded", TimeSpan.FromSeconds(10));
        Assert.True(measured.GetValueOrDefault("cleanwebhooks.delivery.attempts") >= 1);
        Assert.True(measured.ContainsKey("cleanwebhooks.delivery.attempt.duration"));
    }
}
