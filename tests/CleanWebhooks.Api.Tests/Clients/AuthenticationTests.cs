using System.Net;
using System.Net.Http.Json;
using CleanWebhooks.Api.Tests.Http;
using CleanWebhooks.Testing;
using static CleanWebhooks.Api.Tests.Webhooks.Payloads;

namespace CleanWebhooks.Api.Tests.Clients;

/// <summary><c>X-API-KEY</c> for integrators, <c>X-INTERNAL-KEY</c> for the platform: each opens only its own door.</summary>
public sealed class AuthenticationTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static readonly Uri Clients = new("/internal/clients", UriKind.Relative);

    [Fact]
    public async Task Webhooks_WithoutApiKey_Are401Problems()
    {
        using var http = api.CreateClient();

        using var list = await http.GetAsync(WebhooksUri);
        using var create = await http.PostAsync(WebhooksUri, Json(SeedRequest));
        using var get = await http.GetAsync(WebhookUri(Guid.NewGuid()));
        using var delete = await http.DeleteAsync(WebhookUri(Guid.NewGuid()));

        foreach (var response in new[] { list, create, get, delete })
        {
            var problem = await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
            Assert.Contains("X-API-KEY", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("wrong")]
    [InlineData("cwk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("")]
    public async Task Webhooks_WithUnknownApiKey_Are401Problems(string key)
    {
        using var http = api.CreateClient();
        http.DefaultRequestHeaders.TryAddWithoutValidation("X-API-KEY", key);

        using var response = await http.GetAsync(WebhooksUri);

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Webhooks_WithOverlongApiKey_Is401Problem()
    {
        using var http = api.CreateClientWithApiKey(new string('k', 10_000));

        using var response = await http.GetAsync(WebhooksUri);

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Webhooks_WithRevokedApiKey_Are401WhileTheClientsOtherKeyWorks()
    {
        using var integrator = await api.CreateIntegratorAsync();
        var second = await api.IssueApiKeyAsync(integrator.ClientId);
        using var before = await integrator.Http.GetAsync(WebhooksUri);

        var revoked = await api.RevokeApiKeyAsync(integrator.ClientId, integrator.ApiKeyId);

        using var after = await integrator.Http.GetAsync(WebhooksUri);
        using var secondHttp = api.CreateClientWithApiKey(second.ApiKey);
        using var withSecond = await secondHttp.GetAsync(WebhooksUri);
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, revoked);
        await after.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.OK, withSecond.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, await api.RevokeApiKeyAsync(integrator.ClientId, integrator.ApiKeyId));
    }

    [Fact]
    public async Task RevokeApiKey_OfAnotherClient_Is404AndTheKeyKeepsWorking()
    {
        using var owner = await api.CreateIntegratorAsync("Owner");
        using var other = await api.CreateIntegratorAsync("Other");

        var status = await api.RevokeApiKeyAsync(other.ClientId, owner.ApiKeyId);

        Assert.Equal(HttpStatusCode.NotFound, status);
        using var stillWorks = await owner.Http.GetAsync(WebhooksUri);
        Assert.Equal(HttpStatusCode.OK, stillWorks.StatusCode);
    }

    [Fact]
    public async Task IssueApiKey_UnknownClient_Is404Problem()
    {
        using var admin = api.CreateInternalClient();

        using var response = await admin.PostAsync(new Uri($"/internal/clients/{Guid.NewGuid()}/api_keys", UriKind.Relative), null);

        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task IssueApiKey_KnownClient_Is201WithAKeyThatWorks()
    {
        using var integrator = await api.CreateIntegratorAsync();
        using var admin = api.CreateInternalClient();

        using var response = await admin.PostAsync(new Uri($"/internal/clients/{integrator.ClientId}/api_keys", UriKind.Relative), null);
        var issued = await response.Content.ReadFromJsonAsync<IssuedApiKey>();

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.NotNull(issued);
        Assert.NotEqual(integrator.ApiKey, issued.ApiKey);
        using var http = api.CreateClientWithApiKey(issued.ApiKey);
        using var list = await http.GetAsync(WebhooksUri);
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
    }

    [Fact]
    public async Task InternalEndpoints_WithoutInternalKey_Are401Problems()
    {
        using var http = api.CreateClient();

        using var create = await http.PostAsJsonAsync(Clients, new { name = "Acme" });
        using var issue = await http.PostAsync(new Uri($"/internal/clients/{Guid.NewGuid()}/api_keys", UriKind.Relative), null);
        using var revoke = await http.DeleteAsync(new Uri($"/internal/clients/{Guid.NewGuid()}/api_keys/{Guid.NewGuid()}", UriKind.Relative));

        foreach (var response in new[] { create, issue, revoke })
        {
            var problem = await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
            Assert.Contains("X-INTERNAL-KEY", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("wrong-internal-key")]
    [InlineData(ApiFactory.InternalKey + " ")]
    [InlineData("TEST-INTERNAL-KEY-OF-THE-FUNCTIONAL-TESTS")]
    public async Task InternalEndpoints_WithWrongInternalKey_Are401Problems(string key)
    {
        using var http = api.CreateClient();
        http.DefaultRequestHeaders.Add("X-INTERNAL-KEY", key);

        using var response = await http.PostAsJsonAsync(Clients, new { name = "Acme" });

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task InternalEndpoints_WithAnIntegratorsApiKey_Are401()
    {
        using var integrator = await api.CreateIntegratorAsync();

        using var response = await integrator.Http.PostAsJsonAsync(Clients, new { name = "Acme" });

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Webhooks_WithTheInternalKeyOnly_Are401()
    {
        using var admin = api.CreateInternalClient();

        using var response = await admin.GetAsync(WebhooksUri);

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task CreateClient_WithInternalKey_Is201WithTheKeyShownOnce()
    {
        using var admin = api.CreateInternalClient();

        using var response = await admin.PostAsJsonAsync(Clients, new { name = "Acme" });
        var body = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(["id", "name", "apiKey", "apiKeyId", "createdAt"], body.EnumerateObject().Select(p => p.Name));
        Assert.StartsWith("cwk_", body.GetProperty("apiKey").GetString(), StringComparison.Ordinal);
        Assert.Equal($"/internal/clients/{body.GetProperty("id").GetString()}", response.Headers.Location?.OriginalString);
    }

    [Theory]
    [InlineData("""{"name": ""}""")]
    [InlineData("""{}""")]
    public async Task CreateClient_WithoutName_Is400OnName(string json)
    {
        using var admin = api.CreateInternalClient();

        using var response = await admin.PostAsync(Clients, Json(json));

        await response.AssertValidationProblemAsync("name");
    }
}
