using System.Diagnostics.Metrics;
using CleanWebhooks.Application.Deliveries.AttemptDelivery;
using CleanWebhooks.Domain.Webhooks;
using CleanWebhooks.Infrastructure.Delivery;
using Microsoft.Extensions.DependencyInjection;

namespace CleanWebhooks.Delivery.Tests;

/// <summary>
/// The queue-depth count runs apart from the claim loop: on SQL Server without READ_COMMITTED_SNAPSHOT it waits behind
/// every writer, and claiming must go on meanwhile (issue 11, point 7).
/// </summary>
public sealed class QueueDepthTests : DeliveryFixture
{
    [Fact]
    public async Task Dispatcher_WhileQueueDepthCountIsBlocked_KeepsDelivering()
    {
        // The real queue on the real database, except that counting pending deliveries never finishes, as when the
        // count waits for a writer's lock.
        var blocked = new BlockedCount();
        Factory.TestServices.Add(services => Decorate(services, queue => new CountBlockingQueue(queue, blocked)));
        using var integrator = await Factory.CreateIntegratorAsync();
        var webhook = await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"));
        await blocked.Entered.Task.WaitAsync(TimeSpan.FromSeconds(60));

        var (_, deliveryId) = await Factory.ReportAsync(integrator.ClientId, "while-counting");

        await integrator.WaitForStatusAsync(webhook.Id(), deliveryId!.Value, "succeeded");
        Assert.False(blocked.Finished, "The count finished after all, so this test proved nothing.");
    }

    [Fact]
    public async Task QueueDepthGauge_WithPendingDeliveries_ReportsThem()
    {
        Factory.Settings["Delivery:QueueDepthInterval"] = "00:00:00.100";
        Factory.Settings["Delivery:RetrySchedule:0"] = "01:00:00"; // the failed first attempts stay pending
        Receiver.Respond = (_, _) => new ReceiverAnswer(503);
        var depth = -1L;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == DeliveryMetrics.MeterName && instrument.Name == "cleanwebhooks.delivery.queue_depth")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Exchange(ref depth, value));
        listener.Start();
        using var integrator = await Factory.CreateIntegratorAsync();
        await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"));

        for (var i = 0; i < 3; i++)
        {
            await Factory.ReportAsync(integrator.ClientId, $"pending-{i}");
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (Interlocked.Read(ref depth) < 3 && DateTime.UtcNow < deadline)
        {
            listener.RecordObservableInstruments();
            await Task.Delay(50);
        }

        Assert.Equal(3, Interlocked.Read(ref depth));
    }

    private static void Decorate(IServiceCollection services, Func<IDeliveryQueue, IDeliveryQueue> decorate)
    {
        var original = services.Single(d => d.ServiceType == typeof(IDeliveryQueue));
        services.Remove(original);
        services.AddSingleton(sp => decorate((IDeliveryQueue)ActivatorUtilities.CreateInstance(sp, original.ImplementationType!)));
    }

    private sealed class BlockedCount
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Finished { get; set; }
    }

    /// <summary>The real queue, whose count waits until the dispatcher stops.</summary>
    private sealed class CountBlockingQueue(IDeliveryQueue inner, BlockedCount blocked) : IDeliveryQueue
    {
        public async Task<long> CountPendingAsync(CancellationToken cancellationToken)
        {
            blocked.Entered.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            blocked.Finished = true;
            return await inner.CountPendingAsync(cancellationToken);
        }

        public Task<DispatchTurn> TurnAsync(IReadOnlyList<DeliveryOutcome> outcomes, ClaimRequest? claim, CancellationToken cancellationToken) =>
            inner.TurnAsync(outcomes, claim, cancellationToken);

        public Task ReleaseAsync(string dispatcher, CancellationToken cancellationToken) => inner.ReleaseAsync(dispatcher, cancellationToken);
    }
}
