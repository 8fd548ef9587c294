namespace CleanWebhooks.Client.Tests;

internal static class ClientTestExtensions
{
    /// <summary>The generated client for the platform's internal calls, on the test server.</summary>
    public static CleanWebhooksClient CreateInternalApiClient(this ApiFactory factory) =>
        CleanWebhooksClient.ForInternal(factory.CreateClient(), ApiFactory.InternalKey);

    /// <summary>The generated client of a new integrator, created through the generated internal client.</summary>
    public static async Task<CleanWebhooksClient> CreateIntegratorApiClientAsync(this ApiFactory factory, string name = "Integrator")
    {
        var created = await factory.CreateInternalApiClient().CreateClientAsync(new CreateClientRequest { Name = name });
        return CleanWebhooksClient.ForIntegrator(factory.CreateClient(), created.ApiKey);
    }

    public static CreateWebhookRequest ValidWebhook(string url = "https://receiver.example.com/documents/:id") => new()
    {
        Name = "Documents finished",
        Type = 0,
        Method = WebhookMethod.POST,
        Url = url,
    };

    /// <summary>Polls a delivery until its status is <paramref name="status"/>; fails after 20 s.</summary>
    public static async Task<DeliveryDetailsResponse> WaitForStatusAsync(this CleanWebhooksClient client, Guid webhookId, Guid deliveryId, DeliveryStatus status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var delivery = await client.GetDeliveryAsync(webhookId, deliveryId);
            if (delivery.Status == status)
            {
                return delivery;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Delivery stayed {delivery.Status}, never {status}.");
            await Task.Delay(25);
        }
    }
}
