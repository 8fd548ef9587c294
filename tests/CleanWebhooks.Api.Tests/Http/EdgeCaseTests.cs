using System.Net;
using System.Text;
using System.Text.Json;
using CleanWebhooks.Api.Tests.Http;
using CleanWebhooks.Testing;
using static CleanWebhooks.Api.Tests.Webhooks.Payloads;

namespace CleanWebhooks.Api.Tests.Http;

/// <summary>Edge cases found in review: each once gave a 500, a bodiless error, or a wrong answer.</summary>
public sealed class EdgeCaseTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Create_UnknownCharset_Is4xxProblem_Not500()
    {
        using var integrator = await api.CreateIntegratorAsync();
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(SeedRequest));
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=foo");

        using var response = await integrator.Http.PostAsync(WebhooksUri, content);

        Assert.True((int)response.StatusCode is 400 or 415, $"got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    [Theory]
    [InlineData("/api_document/document_webhooks", "text/html")]
    [InlineData("/api_document/document_webhooks", "application/xml")]
    [InlineData("/internal/document_events", "text/html")]
    public async Task NoKey_WithAcceptNotJson_Is401(string path, string accept)
    {
        using var http = api.CreateClient();
        using var request = new HttpRequestMessage(path.StartsWith("/internal", StringComparison.Ordinal) ? HttpMethod.Post : HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Accept", accept);

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task MalformedJson_WithAcceptHtml_IsProblem()
    {
        using var integrator = await api.CreateIntegratorAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, WebhooksUri) { Content = Raw("{", "application/json") };
        request.Headers.TryAddWithoutValidation("Accept", "text/html");

        using var response = await integrator.Http.SendAsync(request);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("http://localhost:5000/ocr_feedback#:id")]
    [InlineData("http://user:id@localhost:5000/ocr_feedback")]
    public async Task Create_IdPlaceholderOutsidePathAndQuery_Is400(string url)
    {
        using var integrator = await api.CreateIntegratorAsync();

        using var response = await integrator.Http.PostAsync(WebhooksUri, SeedWith(seed => seed["url"] = url));

        await response.AssertValidationProblemAsync("url");
    }

    [Theory]
    [InlineData("authorizationMethod", "POST")]
    [InlineData("authorizationResponseTokenAttr", "access_token")]
    public async Task Create_EmptyTokenFlowSetting_TakesTheDefault(string field, string expected)
    {
        using var integrator = await api.CreateIntegratorAsync();

        using var response = await integrator.Http.PostAsync(WebhooksUri, SeedWith(seed => seed[field] = ""));

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.Equal(expected, JsonSerializer.Deserialize<JsonElement>(body).GetProperty(field).GetString());
    }

    [Fact]
    public async Task Create_FixedAuthorizationWithoutScheme_IsFullyMasked()
    {
        using var integrator = await api.CreateIntegratorAsync();

        using var response = await integrator.Http.PostAsync(
            WebhooksUri, Json(FixedAuthorizationRequest.Replace("Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJI...", "ghp_secretsecretsec v2", StringComparison.Ordinal)));

        Assert.DoesNotContain("ghp_secret", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}

/// <summary>Deleting needs no secret: with the key ring lost (or not shared), a webhook can still be deleted and its type freed.</summary>
public sealed class KeyRingLossTests : IDisposable
{
    private readonly ApiFactory _first = new();

    public void Dispose() => _first.Dispose();

    [Fact]
    public async Task Delete_AfterKeyRingLoss_Is204()
    {
        using var integrator = await _first.CreateIntegratorAsync();
        using var created = await integrator.Http.PostAsync(WebhooksUri, Json(FixedAuthorizationRequest));
        var id = JsonSerializer.Deserialize<JsonElement>(await created.Content.ReadAsStringAsync()).GetProperty("id").GetGuid();

        await using var second = ApiFactory.SharingDatabaseWith(_first);
        second.Settings["Secrets:KeyDirectory"] = Path.Combine(Path.GetTempPath(), "cleanwebhooks-tests", "other-ring-" + Guid.NewGuid().ToString("N"));
        using var http = second.CreateClientWithApiKey(integrator.ApiKey);

        using var deleted = await http.DeleteAsync(WebhookUri(id));

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
    }
}
