namespace CleanWebhooks.Client.Tests;

/// <summary>Clients and API keys through the generated client's internal operations.</summary>
public sealed class InternalApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task CreateClientAsync_WithName_ReturnsTheClientAndAWorkingKey()
    {
        var created = await factory.CreateInternalApiClient().CreateClientAsync(new CreateClientRequest { Name = "Acme" });

        Assert.NotEqual(Guid.Empty, created.Id);
        Assert.Equal("Acme", created.Name);
        Assert.NotEqual(Guid.Empty, created.ApiKeyId);
        Assert.NotEqual(default, created.CreatedAt);
        var integrator = CleanWebhooksClient.ForIntegrator(factory.CreateClient(), created.ApiKey);
        Assert.Empty(await integrator.ListWebhooksAsync());
    }

    [Fact]
    public async Task IssueApiKeyAsync_ThenRevokeApiKeyAsync_OnlyTheRevokedKeyStopsWorking()
    {
        var admin = factory.CreateInternalApiClient();
        var created = await admin.CreateClientAsync(new CreateClientRequest { Name = "Rotating" });

        var issued = await admin.IssueApiKeyAsync(created.Id);
        Assert.NotEqual(created.ApiKeyId, issued.ApiKeyId);
        Assert.NotEqual(created.ApiKey, issued.ApiKey);
        var withFirstKey = CleanWebhooksClient.ForIntegrator(factory.CreateClient(), created.ApiKey);
        var withSecondKey = CleanWebhooksClient.ForIntegrator(factory.CreateClient(), issued.ApiKey);
        Assert.Empty(await withSecondKey.ListWebhooksAsync());

        await admin.RevokeApiKeyAsync(created.Id, created.ApiKeyId);

        var rejected = await Assert.ThrowsAnyAsync<CleanWebhooksApiException>(() => withFirstKey.ListWebhooksAsync());
        Assert.Equal(401, rejected.StatusCode);
        Assert.Empty(await withSecondKey.ListWebhooksAsync());
    }

    [Fact]
    public async Task OpenPortalSessionAsync_KnownClient_ReturnsARelativePortalUrlAndItsExpiry()
    {
        var admin = factory.CreateInternalApiClient();
        var created = await admin.CreateClientAsync(new CreateClientRequest { Name = "Portal user" });

        var session = await admin.OpenPortalSessionAsync(created.Id);

        Assert.StartsWith("/portal/", session.Url, StringComparison.Ordinal);
        Assert.InRange(session.ExpiresAt, DateTimeOffset.UtcNow.AddMinutes(59), DateTimeOffset.UtcNow.AddMinutes(61));
        var error = await Assert.ThrowsAnyAsync<CleanWebhooksApiException>(() => admin.OpenPortalSessionAsync(Guid.NewGuid()));
        Assert.Equal(404, error.StatusCode);
    }

    [Fact]
    public async Task IssueApiKeyAsync_UnknownClient_ThrowsNotFoundProblem()
    {
        var error = await Assert.ThrowsAsync<CleanWebhooksApiException<ProblemDetails>>(
            () => factory.CreateInternalApiClient().IssueApiKeyAsync(Guid.NewGuid()));

        Assert.Equal(404, error.StatusCode);
        Assert.Equal(404, error.Result.Status);
        Assert.Equal("Not Found", error.Result.Title);
        Assert.False(string.IsNullOrEmpty(error.Result.Detail));
    }

    [Fact]
    public async Task RevokeApiKeyAsync_UnknownKey_ThrowsNotFoundProblem()
    {
        var admin = factory.CreateInternalApiClient();
        var created = await admin.CreateClientAsync(new CreateClientRequest { Name = "Keeper" });

        var error = await Assert.ThrowsAnyAsync<CleanWebhooksApiException>(() => admin.RevokeApiKeyAsync(created.Id, Guid.NewGuid()));

        Assert.Equal(404, error.StatusCode);
        Assert.Equal(404, error.Problem?.Status);
    }

    [Fact]
    public async Task CreateClientAsync_WrongInternalKey_ThrowsUnauthorizedProblem()
    {
        var client = CleanWebhooksClient.ForInternal(factory.CreateClient(), "not-the-internal-key");

        var error = await Assert.ThrowsAsync<CleanWebhooksApiException<ProblemDetails>>(
            () => client.CreateClientAsync(new CreateClientRequest { Name = "Nobody" }));

        Assert.Equal(401, error.StatusCode);
        Assert.Equal("Unauthorized", error.Result.Title);
        Assert.Contains("X-INTERNAL-KEY", error.Result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateClientAsync_EmptyName_ThrowsValidationProblemNamingTheField()
    {
        var error = await Assert.ThrowsAsync<CleanWebhooksApiException<HttpValidationProblemDetails>>(
            () => factory.CreateInternalApiClient().CreateClientAsync(new CreateClientRequest { Name = "" }));

        Assert.Equal(400, error.StatusCode);
        Assert.NotEmpty(error.Result.Errors["name"]);
    }
}
