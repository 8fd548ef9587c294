namespace CleanWebhooks.Client.Tests;

/// <summary>
/// A test class that drives the generated client against one service with a real receiver on 127.0.0.1: retries come
/// 50 ms apart and a delivery fails after its second attempt, so deliveries end within a test.
/// </summary>
public abstract class ReceiverApiTests : IClassFixture<ApiFactory>, IAsyncLifetime
{
    protected ReceiverApiTests(ApiFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Factory = factory;
        Factory.Settings["Delivery:PollInterval"] = "00:00:00.050";
        Factory.Settings["Delivery:RetrySchedule:0"] = "00:00:00.050";
    }

    protected ApiFactory Factory { get; }

    protected LoopbackReceiver Receiver { get; private set; } = null!;

    public async Task InitializeAsync() => Receiver = await LoopbackReceiver.StartAsync();

    public async Task DisposeAsync() => await Receiver.DisposeAsync();

    /// <summary>A new client through the generated internal client, and the generated client of its API key.</summary>
    protected async Task<(Guid ClientId, CleanWebhooksClient Client)> NewIntegratorAsync(string name = "Deliveries")
    {
        var created = await Factory.CreateInternalApiClient().CreateClientAsync(new CreateClientRequest { Name = name });
        return (created.Id, CleanWebhooksClient.ForIntegrator(Factory.CreateClient(), created.ApiKey));
    }
}
