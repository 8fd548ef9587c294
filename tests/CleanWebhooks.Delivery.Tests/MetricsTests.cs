using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using CleanWebhooks.Delivery.Tests.Operations;
using CleanWebhooks.Infrastructure.Delivery;
using Microsoft.Extensions.DependencyInjection;

namespace CleanWebhooks.Delivery.Tests;

public sealed class MetricsTests : DeliveryFixture
{
    [Fact]
    public async Task SuccessfulDeliveries_EachCountedOnceWithItsAttemptAndDuration()
    {
        var measured = new ConcurrentDictionary<string, double>();
        using var listener = new MeterListener();

        // This host's meters only: the listener hears every host of the process, and other test classes run beside this one.
        var meterFactory = Factory.Services.GetRequiredService<IMeterFactory>();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == DeliveryMetrics.MeterName && instrument.Meter.Scope == meterFactory)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => measured.AddOrUpdate(instrument.Name, value, (_, old) => old + value));
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => measured.AddOrUpdate(instrument.Name, value, (_, old) => old + value));
        listener.Start();
        using var integrator = await Factory.CreateIntegratorAsync();
        var webhook = await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"));

        // Counted once the dispatcher's turn has committed the outcome, just after the status can be read: each is
        // awaited, and the second's count comes after any the first's turn could make, so that a delivery counted
        // twice shows.
        foreach (var (document, count) in new[] { ("d1", 1), ("d2", 2) })
        {
            var (_, deliveryId) = await Factory.ReportAsync(integrator.ClientId, document);
            await integrator.WaitForStatusAsync(webhook.Id(), deliveryId!.Value, "succeeded");
            await StoredRows.WaitUntilAsync(
                () => Task.FromResult(measured.GetValueOrDefault("cleanwebhooks.deliveries.succeeded") >= count), $"{count} deliveries counted as succeeded", TimeSpan.FromSeconds(10));
        }

        Assert.Equal(2, measured["cleanwebhooks.deliveries.succeeded"]);
        Assert.Equal(2, measured["cleanwebhooks.delivery.attempts"]);
        Assert.True(measured.ContainsKey("cleanwebhooks.delivery.attempt.duration"));
    }
}
