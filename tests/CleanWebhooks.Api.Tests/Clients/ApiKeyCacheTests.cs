using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CleanWebhooks.Api.Tests.Http;
using CleanWebhooks.Application.Clients;
using CleanWebhooks.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static CleanWebhooks.Api.Tests.Webhooks.Payloads;

namespace CleanWebhooks.Api.Tests.Clients;

/// <summary>
/// Two nodes on one SQLite file. The second node's clock stands still unless a test moves it, so whatever it
/// answers from its key cache it keeps answering until the test says the cache lifetime has passed.
/// </summary>
public sealed class TwoNodes : IDisposable
{
    public TwoNodes()
    {
        Second = ApiFactory.SharingDatabaseWith(First);
        Second.Settings["Delivery:DispatcherEnabled"] = "false";
        Second.Settings["Retention:Enabled"] = "false";
        Second.TestServices.Add(services => services.AddSingleton<TimeProvider>(SecondClock));
    }

    public ApiFactory First { get; } = new();

    public ApiFactory Second { get; }

    public FakeTimeProvider SecondClock { get; } = new(DateTimeOffset.UtcNow);

    public void Dispose()
    {
        Second.Dispose();
        First.Dispose();
    }
}

/// <summary>
/// The API key cache (ADR 13): a revoked key is refused at once on the node that revoked it and within
/// <c>ApiKeys:CacheLifetime</c> on the others; a cached key never answers for another client; a new key works at once.
/// </summary>
public sealed class ApiKeyCacheTests(TwoNodes nodes) : IClassFixture<TwoNodes>
{
    private static readonly TimeSpan Lifetime = new ApiKeyCacheOptions().CacheLifetime;

    [Fact]
    public async Task Get_KeyRevokedOnThisNode_Is401AtOnce()
    {
        using var integrator = await nodes.First.CreateIntegratorAsync();
        var id = await CreateWebhookAsync(integrator.Http);
        using var onSecond = nodes.Second.CreateClientWithApiKey(integrator.ApiKey);
        using var before = await onSecond.GetAsync(WebhookUri(id));

        var revoked = await nodes.Second.RevokeApiKeyAsync(integrator.ClientId, integrator.ApiKeyId);

        using var after = await onSecond.GetAsync(WebhookUri(id));
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, revoked);
        await after.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Get_KeyRevokedOnAnotherNode_Is401OnceTheCacheLifetimeHasPassed()
    {
        using var integrator = await nodes.First.CreateIntegratorAsync();
        var id = await CreateWebhookAsync(integrator.Http);
        using var onSecond = nodes.Second.CreateClientWithApiKey(integrator.ApiKey);
        using var cached = await onSecond.GetAsync(WebhookUri(id));

        var revoked = await nodes.First.RevokeApiKeyAsync(integrator.ClientId, integrator.ApiKeyId);
        using var onFirst = await integrator.Http.GetAsync(WebhookUri(id));
        using var withinTheBound = await onSecond.GetAsync(WebhookUri(id));
        nodes.SecondClock.Advance(Lifetime);
        using var afterTheBound = await onSecond.GetAsync(WebhookUri(id));

        Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, revoked);
        await onFirst.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.OK, withinTheBound.StatusCode);
        await afterTheBound.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Get_TwoClientsKeysInterleavedOnACachingNode_EachSeesOnlyItsOwnWebhook()
    {
        using var a = await nodes.First.CreateIntegratorAsync("Client A");
        using var b = await nodes.First.CreateIntegratorAsync("Client B");
        var ofA = await CreateWebhookAsync(a.Http);
        var ofB = await CreateWebhookAsync(b.Http);
        using var aOnSecond = nodes.Second.CreateClientWithApiKey(a.ApiKey);
        using var bOnSecond = nodes.Second.CreateClientWithApiKey(b.ApiKey);

        for (var round = 0; round < 5; round++)
        {
            await AssertOwnAsync(aOnSecond, ofA, a.ClientId);
            await AssertOwnAsync(bOnSecond, ofB, b.ClientId);
            using var aReadsB = await aOnSecond.GetAsync(WebhookUri(ofB));
            using var bReadsA = await bOnSecond.GetAsync(WebhookUri(ofA));
            await aReadsB.AssertProblemAsync(HttpStatusCode.NotFound);
            await bReadsA.AssertProblemAsync(HttpStatusCode.NotFound);
            Assert.Equal(ofA.ToString(), await ListedIdAsync(aOnSecond));
            Assert.Equal(ofB.ToString(), await ListedIdAsync(bOnSecond));
        }
    }

    [Fact]
    public async Task Get_KeyIssuedOnAnotherNode_WorksAtOnceBesideTheClientsCachedKey()
    {
        using var integrator = await nodes.First.CreateIntegratorAsync();
        var id = await CreateWebhookAsync(integrator.Http);
        using var firstKeyOnSecond = nodes.Second.CreateClientWithApiKey(integrator.ApiKey);
        using var cached = await firstKeyOnSecond.GetAsync(WebhookUri(id));

        var issued = await nodes.First.IssueApiKeyAsync(integrator.ClientId);

        using var newKeyOnSecond = nodes.Second.CreateClientWithApiKey(issued.ApiKey);
        Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
        await AssertOwnAsync(newKeyOnSecond, id, integrator.ClientId);
    }

    private static async Task<Guid> CreateWebhookAsync(HttpClient http)
    {
        using var created = await http.PostAsync(WebhooksUri, Json(SeedRequest));
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static async Task AssertOwnAsync(HttpClient http, Guid webhookId, Guid clientId)
    {
        using var response = await http.GetAsync(WebhookUri(webhookId));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(webhookId, body.GetProperty("id").GetGuid());
        Assert.Equal(clientId, body.GetProperty("clientId").GetGuid());
    }

    private static async Task<string> ListedIdAsync(HttpClient http)
    {
        var listed = await http.GetFromJsonAsync<JsonElement>(WebhooksUri);
        return string.Join(',', listed.EnumerateArray().Select(w => w.GetProperty("id").GetGuid()));
    }
}
