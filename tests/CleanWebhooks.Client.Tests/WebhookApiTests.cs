namespace CleanWebhooks.Client.Tests;

/// <summary>An integrator's webhooks through the generated client.</summary>
public sealed class WebhookApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task CreateListGetDelete_OneWebhook_RoundTripsThroughTheClient()
    {
        var client = await factory.CreateIntegratorApiClientAsync();
        var request = ClientTestExtensions.ValidWebhook();
        request.Headers = new Dictionary<string, string> { ["X-Tenant"] = "acme" };
        request.HeaderAuth = "Bearer";
        request.Authorization = "Bearer secret-token-value";

        var created = await client.CreateWebhookAsync(request);

        Assert.NotEqual(Guid.Empty, created.Id);
        Assert.Equal("Documents finished", created.Name);
        Assert.Equal(0, created.Type);
        Assert.Equal(WebhookMethod.POST, created.Method);
        Assert.Equal("https://receiver.example.com/documents/:id", created.Url);
        Assert.Equal("acme", created.Headers["X-Tenant"]);
        Assert.NotNull(created.Authorization);
        Assert.DoesNotContain("secret-token-value", created.Authorization, StringComparison.Ordinal);
        Assert.NotEqual(default, created.CreatedAt);

        var listed = Assert.Single(await client.ListWebhooksAsync());
        Assert.Equal(created.Id, listed.Id);

        var read = await client.GetWebhookAsync(created.Id);
        Assert.Equal(created.Id, read.Id);
        Assert.Equal(created.ClientId, read.ClientId);
        Assert.Equal(created.CreatedAt, read.CreatedAt);

        await client.DeleteWebhookAsync(created.Id);

        Assert.Empty(await client.ListWebhooksAsync());
        var gone = await Assert.ThrowsAsync<CleanWebhooksApiException<ProblemDetails>>(() => client.GetWebhookAsync(created.Id));
        Assert.Equal(404, gone.StatusCode);
    }

    [Fact]
    public async Task SetWebhookLimitsAsync_ThenOutOfRange_LimitsInTheAnswerAndA400NamingTheField()
    {
        var client = await factory.CreateIntegratorApiClientAsync();
        var created = await client.CreateWebhookAsync(ClientTestExtensions.ValidWebhook());

        var limited = await client.SetWebhookLimitsAsync(created.Id, new SetWebhookLimitsRequest { MaxInFlight = 4, MaxPerSecond = 50 });
        var refused = await Assert.ThrowsAsync<CleanWebhooksApiException<HttpValidationProblemDetails>>(
            () => client.SetWebhookLimitsAsync(created.Id, new SetWebhookLimitsRequest { MaxInFlight = 65 }));

        Assert.Equal((4, 50), (limited.MaxInFlight, limited.MaxPerSecond));
        Assert.Equal(400, refused.StatusCode);
        Assert.Contains("maxInFlight", refused.Result.Errors.Keys);
        Assert.Equal(4, (await client.GetWebhookAsync(created.Id)).MaxInFlight);
    }

    [Fact]
    public async Task SetSigningSchemeAsync_Ed25519_PublicKeyInTheSecretAndTheJwksThroughTheClient()
    {
        var client = await factory.CreateIntegratorApiClientAsync();
        var webhook = await client.CreateWebhookAsync(ClientTestExtensions.ValidWebhook());

        var signing = await client.SetSigningSchemeAsync(webhook.Id, new SetSigningSchemeRequest { Scheme = "ed25519" });
        var secret = await client.GetSigningSecretAsync(webhook.Id);
        var keys = await client.GetSigningPublicKeysAsync(webhook.Id);

        Assert.Equal("ed25519", signing.Scheme);
        Assert.StartsWith("whpk_", signing.PublicKey, StringComparison.Ordinal);
        Assert.Null(secret.Key);
        Assert.Equal(signing.PublicKey, secret.PublicKey);
        var key = Assert.Single(keys.Keys);
        Assert.Equal(("OKP", "Ed25519"), (key.Kty, key.Crv));
        var refused = await Assert.ThrowsAsync<CleanWebhooksApiException<HttpValidationProblemDetails>>(
            () => client.SetSigningSchemeAsync(webhook.Id, new SetSigningSchemeRequest { Scheme = "rsa" }));
        Assert.True(refused.Result.Errors.ContainsKey("scheme"));
    }

    [Fact]
    public async Task CreateWebhookAsync_WithAuthorizationUrl_SendsTheTokenSettingsAndGetsTheDefaults()
    {
        var client = await factory.CreateIntegratorApiClientAsync();
        var request = ClientTestExtensions.ValidWebhook();
        request.AuthorizationUrl = "https://auth.example.com/token";
        request.AuthorizationHeaders = new Dictionary<string, string> { ["Content-Type"] = "application/json" };
        request.AuthorizationBody = new Dictionary<string, string> { ["client_id"] = "acme", ["client_secret"] = "s3cret" };

        var created = await client.CreateWebhookAsync(request);

        Assert.Null(created.Authorization);
        Assert.Equal("https://auth.example.com/token", created.AuthorizationUrl);
        Assert.Equal("POST", created.AuthorizationMethod);
        Assert.Equal("access_token", created.AuthorizationResponseTokenAttr);
        Assert.Equal("application/json", created.AuthorizationHeaders?["Content-Type"]);
    }

    [Fact]
    public async Task GetWebhookAsync_AnotherClientsWebhook_ThrowsNotFoundProblem()
    {
        var owner = await factory.CreateIntegratorApiClientAsync("Owner");
        var stranger = await factory.CreateIntegratorApiClientAsync("Stranger");
        var created = await owner.CreateWebhookAsync(ClientTestExtensions.ValidWebhook());

        var error = await Assert.ThrowsAsync<CleanWebhooksApiException<ProblemDetails>>(() => stranger.GetWebhookAsync(created.Id));

        Assert.Equal(404, error.StatusCode);
        Assert.Equal(404, error.Result.Status);
        Assert.Equal("Not Found", error.Result.Title);
        var delete = await Assert.ThrowsAsync<CleanWebhooksApiException<ProblemDetails>>(() => stranger.DeleteWebhookAsync(created.Id));
        Assert.Equal(404, delete.StatusCode);
    }

    [Fact]
    public async Task EnableWebhookAsync_ActiveWebhook_ReturnsItActiveWithItsHealth()
    {
        var client = await factory.CreateIntegratorApiClientAsync();
        var created = await client.CreateWebhookAsync(ClientTestExtensions.ValidWebhook());

        var enabled = await client.EnableWebhookAsync(created.Id);

        Assert.Equal(created.Id, enabled.Id);
        Assert.Equal(WebhookStatus.Active, enabled.Status);
        Assert.Null(enabled.DisabledAt);
        Assert.Null(enabled.DisabledReason);
        Assert.Null(enabled.PausedUntil);
        var missing = await Assert.ThrowsAsync<CleanWebhooksApiException<ProblemDetails>>(() => client.EnableWebhookAsync(Guid.NewGuid()));
        Assert.Equal(404, missing.StatusCode);
    }
}
