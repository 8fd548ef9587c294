using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CleanWebhooks.Api.Tests.Http;
using CleanWebhooks.Testing;
using static CleanWebhooks.Api.Tests.Webhooks.Payloads;

namespace CleanWebhooks.Api.Tests.Webhooks;

/// <summary>A webhook of another client is answered as if it did not exist.</summary>
public sealed class WebhookOwnershipTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task GetAndDelete_AnotherClientsWebhook_Are404AndLeaveItAlone()
    {
        using var a = await api.CreateIntegratorAsync("Client A");
        using var b = await api.CreateIntegratorAsync("Client B");
        using var created = await b.Http.PostAsync(WebhooksUri, Json(SeedRequest));
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        using var readByA = await a.Http.GetAsync(WebhookUri(id));
        using var deletedByA = await a.Http.DeleteAsync(WebhookUri(id));
        var listedByA = await a.Http.GetStringAsync(WebhooksUri);

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        await readByA.AssertProblemAsync(HttpStatusCode.NotFound);
        await deletedByA.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal("[]", listedByA);
        using var readByB = await b.Http.GetAsync(WebhookUri(id));
        Assert.Equal(HttpStatusCode.OK, readByB.StatusCode);
    }

    [Fact]
    public async Task Get_AnotherClientsWebhook_LooksExactlyLikeAnUnknownId()
    {
        using var a = await api.CreateIntegratorAsync("Client A");
        using var b = await api.CreateIntegratorAsync("Client B");
        using var created = await b.Http.PostAsync(WebhooksUri, Json(SeedRequest));
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        using var othersWebhook = await a.Http.GetAsync(WebhookUri(id));
        using var unknown = await a.Http.GetAsync(WebhookUri(Guid.NewGuid()));

        var others = await othersWebhook.AssertProblemAsync(HttpStatusCode.NotFound);
        var none = await unknown.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(none.GetProperty("detail").GetString(), others.GetProperty("detail").GetString());
        Assert.Equal(none.GetProperty("code").GetString(), others.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Create_SameTypeByTwoClients_BothSucceed()
    {
        using var a = await api.CreateIntegratorAsync("Client A");
        using var b = await api.CreateIntegratorAsync("Client B");

        using var byA = await a.Http.PostAsync(WebhooksUri, Json(SeedRequest));
        using var byB = await b.Http.PostAsync(WebhooksUri, Json(SeedRequest));

        Assert.Equal(HttpStatusCode.OK, byA.StatusCode);
        Assert.Equal(HttpStatusCode.OK, byB.StatusCode);
    }

    [Theory]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    [InlineData("0b5c2f1e-6f0a-4c1e-9d64-3f3c5f0d8b11")]
    [InlineData("not-a-guid")]
    [InlineData("123")]
    public async Task Get_UnknownOrMalformedId_Is404Problem(string id)
    {
        using var integrator = await api.CreateIntegratorAsync();

        using var response = await integrator.Http.GetAsync(WebhookUri(id));

        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Delete_MalformedId_Is404Problem()
    {
        using var integrator = await api.CreateIntegratorAsync();

        using var response = await integrator.Http.DeleteAsync(WebhookUri("not-a-guid"));

        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }
}
