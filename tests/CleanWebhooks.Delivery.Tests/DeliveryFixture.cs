using CleanWebhooks.Testing;

namespace CleanWebhooks.Delivery.Tests;

/// <summary>
/// A test class's service and receiver. Retries come fast here (a 100 ms schedule, 50 ms polling, 1 s timeout) so
/// that schedules are exercised in milliseconds; the schedule logic itself is the same as in production.
/// </summary>
public abstract class DeliveryFixture : IAsyncLifetime
{
    protected DeliveryFixture()
    {
        Factory.Settings["Delivery:RetrySchedule:0"] = "00:00:00.100";
        Factory.Settings["Delivery:RetrySchedule:1"] = "00:00:00.100";
        Factory.Settings["Delivery:PollInterval"] = "00:00:00.050";
        Factory.Settings["Delivery:Timeout"] = "00:00:01";
    }

    protected ApiFactory Factory { get; } = new();

    protected LoopbackReceiver Receiver { get; private set; } = null!;

    public virtual async Task InitializeAsync() => Receiver = await LoopbackReceiver.StartAsync();

    public virtual async Task DisposeAsync()
    {
        await Factory.DisposeAsync();
        await Receiver.DisposeAsync();
    }
}
