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
}
