using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using CleanWebhooks.Api.Tests.Http;
using CleanWebhooks.Testing;
using static CleanWebhooks.Api.Tests.Webhooks.Payloads;

namespace CleanWebhooks.Api.Tests.Webhooks;

/// <summary>Contract section 6 through the real API: refused registrations are 400s naming the field, in both languages.</summary>
public sealed class RefusedInputTests(ApiFactory api) : IntegratorTests(api)
{
    [Theory]
    [InlineData("url", "http://localhost:5000/ocr_feedback/:id\r\nX-Injected: 1")]
    [InlineData("url", "http://localhost:5000/ocr_feedback/:id\u0000")]
    [InlineData("url", "http://localhost:5000/ocr feedback/:id")]
    [InlineData("url", "http://localhost:0/ocr_feedback/:id")]
    [InlineData("url", "http://user:pass@localhost:5000/ocr_feedback/:id")]
    [InlineData("authorizationUrl", "http://localhost:5000/login\r\n")]
    [InlineData("authorizationUrl", "http://localhost:0/login")]
    [InlineData("authorizationUrl", "http://root:root@localhost:5000/login")]
    [InlineData("name", "\u0000")]
    [InlineData("name", "invoice\u202Efdp.exe")]
    public async Task Create_RefusedValue_Is400OnThatFieldAndNothingCreated(string field, string value)
    {
        using var response = await Http.PostAsync(WebhooksUri, SeedWith(seed => seed[field] = value));

        await response.AssertValidationProblemAsync(field);
        Assert.Equal("[]", await Http.GetStringAsync(WebhooksUri));
    }

    [Theory]
    [InlineData("headers", "Proxy-Authorization")]
    [InlineData("headers", "Expect")]
    [InlineData("headers", "Keep-Alive")]
    [InlineData("headers", "webhook-custom")]
    [InlineData("authorizationHeaders", "Expect")]
    [InlineData("authorizationHeaders", "Host")]
    public async Task Create_RefusedHeader_Is400OnThatHeaderSet(string field, string header)
    {
        using var response = await Http.PostAsync(WebhooksUri, SeedWith(seed => seed[field] = new JsonObject { [header] = "100-continue" }));

        var messages = await response.AssertValidationProblemAsync(field);
        Assert.Contains(header, messages[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_AuthorizationInHeaders_Is400PointingToTheAuthorizationFieldInPortuguese()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, WebhooksUri)
        {
            Content = SeedWith(seed => seed["headers"] = new JsonObject { ["Authorization"] = "Bearer secret" }),
        };
        request.Headers.AcceptLanguage.Add(new StringWithQualityHeaderValue("pt-BR"));

        using var response = await Http.SendAsync(request);

        var messages = await response.AssertValidationProblemAsync("headers");
        Assert.Contains("campo authorization", messages[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_BasicAuthorizationForTheTokenCall_IsAccepted()
    {
        using var response = await Http.PostAsync(WebhooksUri, SeedWith(seed =>
            seed["authorizationHeaders"] = new JsonObject { ["Authorization"] = "Basic Y2xpZW50OnNlY3JldA==" }));

        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Create_CookieHeader_IsAccepted()
    {
        using var response = await Http.PostAsync(WebhooksUri, SeedWith(seed => seed["headers"] = new JsonObject { ["Cookie"] = "session=abc" }));

        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task CreateClient_NameWithControlCharacter_Is400OnName()
    {
        using var admin = Api.CreateInternalClient();

        using var response = await admin.PostAsync("/internal/clients", Json("""{"name": "Acme\u0000"}"""));

        await response.AssertValidationProblemAsync("name");
    }
}
