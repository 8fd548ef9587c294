using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CleanWebhooks.Api.Tests.Http;
using CleanWebhooks.Testing;
using static CleanWebhooks.Api.Tests.Webhooks.Payloads;

namespace CleanWebhooks.Api.Tests.Webhooks;

/// <summary>Create, read, list and delete through the real pipeline, on a real SQLite file.</summary>
public sealed partial class WebhookLifecycleTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static readonly string[] SeedResponseFields =
    [
        "id", "clientId", "name", "type", "method", "headers", "headerAuth", "url", "authorization", "authorizationUrl",
        "authorizationMethod", "authorizationHeaders", "authorizationResponseTokenAttr", "createdAt", "updatedAt",
        "status", "disabledAt", "disabledReason", "pausedUntil", // contract section 5: the endpoint's health, after the seed's fields
        "maxInFlight", "maxPerSecond", // then the integrator's own limits
    ];

    private static readonly TimeZoneInfo SaoPaulo = TimeZoneInfo.FindSystemTimeZoneById("America/Sao_Paulo");

    [Fact]
    public async Task Create_SeedExample_Returns200WithTheSeedFieldsInOrder()
    {
        using var integrator = await api.CreateIntegratorAsync();
        var before = DateTimeOffset.UtcNow;

        using var response = await integrator.Http.PostAsync(WebhooksUri, Json(SeedRequest));

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var webhook = JsonSerializer.Deserialize<JsonElement>(body);
        Assert.Equal(SeedResponseFields, webhook.EnumerateObject().Select(p => p.Name));

        Assert.True(Guid.TryParse(webhook.GetProperty("id").GetString(), out _));
        Assert.Equal(integrator.ClientId, webhook.GetProperty("clientId").GetGuid());
        Assert.Equal("Webhook 1", webhook.GetProperty("name").GetString());
        Assert.Equal(0, webhook.GetProperty("type").GetInt32());
        Assert.Equal("POST", webhook.GetProperty("method").GetString());
        Assert.Equal("""{"Content-Type":"application/json"}""", webhook.GetProperty("headers").GetRawText());
        Assert.Equal("Bearer", webhook.GetProperty("headerAuth").GetString());
        Assert.Equal("http://localhost:5000/ocr_feedback/:id", webhook.GetProperty("url").GetString());
        Assert.Equal(JsonValueKind.Null, webhook.GetProperty("authorization").ValueKind);
        Assert.Equal("http://localhost:5000/login", webhook.GetProperty("authorizationUrl").GetString());
        Assert.Equal("POST", webhook.GetProperty("authorizationMethod").GetString());
        Assert.Equal("""{"Content-Type":"application/x-www-form-urlencoded"}""", webhook.GetProperty("authorizationHeaders").GetRawText());
        Assert.Equal("access_token", webhook.GetProperty("authorizationResponseTokenAttr").GetString());
        Assert.Equal("active", webhook.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, webhook.GetProperty("disabledAt").ValueKind);
        Assert.Equal(JsonValueKind.Null, webhook.GetProperty("disabledReason").ValueKind);
        Assert.Equal(JsonValueKind.Null, webhook.GetProperty("pausedUntil").ValueKind);

        var createdAt = AssertDisplayTimestamp(webhook.GetProperty("createdAt").GetString()!);
        Assert.Equal(webhook.GetProperty("createdAt").GetString(), webhook.GetProperty("updatedAt").GetString());
        Assert.InRange(createdAt, before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
    }

    [Fact]
    public async Task Create_AuthorizationUrlAlone_DefaultsItsMethodAndTokenAttr()
    {
        using var integrator = await api.CreateIntegratorAsync();

        using var response = await integrator.Http.PostAsync(WebhooksUri, SeedWith(seed =>
        {
            seed.Remove("authorizationMethod");
            seed.Remove("authorizationResponseTokenAttr");
        }));

        var webhook = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("POST", webhook.GetProperty("authorizationMethod").GetString());
        Assert.Equal("access_token", webhook.GetProperty("authorizationResponseTokenAttr").GetString());
    }

    [Fact]
    public async Task GetAndList_AfterCreate_ReturnTheSameWebhookAsTheCreateAnswer()
    {
        using var integrator = await api.CreateIntegratorAsync();
        using var created = await integrator.Http.PostAsync(WebhooksUri, Json(SeedRequest));
        var createdBody = await created.Content.ReadAsStringAsync();
        var id = JsonSerializer.Deserialize<JsonElement>(createdBody).GetProperty("id").GetString();

        var got = await integrator.Http.GetStringAsync(WebhookUri(id!));
        var listed = JsonSerializer.Deserialize<JsonElement>(await integrator.Http.GetStringAsync(WebhooksUri));

        Assert.Equal(createdBody, got);
        Assert.Equal(JsonValueKind.Array, listed.ValueKind);
        Assert.Equal(createdBody, Assert.Single(listed.EnumerateArray()).GetRawText());
    }

    [Fact]
    public async Task Answers_TokenFlowWebhook_NeverContainTheAuthorizationBody()
    {
        using var integrator = await api.CreateIntegratorAsync();

        using var created = await integrator.Http.PostAsync(WebhooksUri, SeedWith(seed =>
            seed["authorizationBody"] = JsonNode.Parse("""{"username": "root", "password": "pa55-w0rd-in-body"}""")));
        var createdBody = await created.Content.ReadAsStringAsync();
        var id = JsonSerializer.Deserialize<JsonElement>(createdBody).GetProperty("id").GetString();
        var got = await integrator.Http.GetStringAsync(WebhookUri(id!));
        var listed = await integrator.Http.GetStringAsync(WebhooksUri);

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        foreach (var answer in new[] { createdBody, got, listed })
        {
            Assert.DoesNotContain("authorizationBody", answer, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("pa55-w0rd-in-body", answer, StringComparison.Ordinal);
            Assert.DoesNotContain("password", answer, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Answers_FixedAuthorization_ComeBackRedacted()
    {
        using var integrator = await api.CreateIntegratorAsync();

        using var created = await integrator.Http.PostAsync(WebhooksUri, Json(FixedAuthorizationRequest));
        var createdBody = await created.Content.ReadAsStringAsync();
        var webhook = JsonSerializer.Deserialize<JsonElement>(createdBody);
        var got = await integrator.Http.GetStringAsync(WebhookUri(webhook.GetProperty("id").GetString()!));
        var listed = await integrator.Http.GetStringAsync(WebhooksUri);

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Equal("Bearer ****", webhook.GetProperty("authorization").GetString());
        Assert.Equal(JsonValueKind.Null, webhook.GetProperty("authorizationUrl").ValueKind);
        Assert.Equal(JsonValueKind.Null, webhook.GetProperty("authorizationMethod").ValueKind);
        foreach (var answer in new[] { createdBody, got, listed })
        {
            Assert.Contains("\"authorization\":\"Bearer ****\"", answer, StringComparison.Ordinal);
            Assert.DoesNotContain("eyJ0eXAi", answer, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Create_SecondOfTheSameType_Is409Problem()
    {
        using var integrator = await api.CreateIntegratorAsync();
        using var first = await integrator.Http.PostAsync(WebhooksUri, Json(SeedRequest));

        using var second = await integrator.Http.PostAsync(WebhooksUri, Json(FixedAuthorizationRequest));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var problem = await second.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("webhook.duplicate_type", problem.GetProperty("code").GetString());
        Assert.Single(JsonSerializer.Deserialize<JsonElement>(await integrator.Http.GetStringAsync(WebhooksUri)).EnumerateArray());
    }

    [Fact]
    public async Task Create_AfterDeletingTheWebhookOfThatType_Returns200()
    {
        using var integrator = await api.CreateIntegratorAsync();
        using var first = await integrator.Http.PostAsync(WebhooksUri, Json(SeedRequest));
        var firstId = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        using var deleted = await integrator.Http.DeleteAsync(WebhookUri(firstId!));
        using var second = await integrator.Http.PostAsync(WebhooksUri, Json(FixedAuthorizationRequest));

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Empty(await deleted.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var secondId = (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        Assert.NotEqual(firstId, secondId);
        using var gone = await integrator.Http.GetAsync(WebhookUri(firstId!));
        await gone.AssertProblemAsync(HttpStatusCode.NotFound);
        using var deletedAgain = await integrator.Http.DeleteAsync(WebhookUri(firstId!));
        await deletedAgain.AssertProblemAsync(HttpStatusCode.NotFound);
        var listed = JsonSerializer.Deserialize<JsonElement>(await integrator.Http.GetStringAsync(WebhooksUri));
        Assert.Equal(secondId, Assert.Single(listed.EnumerateArray()).GetProperty("id").GetString());
    }

    [Fact]
    public async Task Create_UrlWithoutIdPlaceholder_Is400OnUrl()
    {
        using var integrator = await api.CreateIntegratorAsync();

        using var response = await integrator.Http.PostAsync(WebhooksUri, SeedWith(seed => seed["url"] = "http://localhost:5000/ocr_feedback/"));

        var messages = await response.AssertValidationProblemAsync("url");
        Assert.Contains(messages, m => m.Contains(":id", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Create_AuthorizationAndAuthorizationUrl_Is400OnAuthorization()
    {
        using var integrator = await api.CreateIntegratorAsync();

        using var response = await integrator.Http.PostAsync(WebhooksUri, SeedWith(seed => seed["authorization"] = "Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJI..."));

        await response.AssertValidationProblemAsync("authorization");
    }

    [Fact]
    public async Task Create_HeaderNamesDifferingOnlyInCase_Is400OnHeaders()
    {
        using var integrator = await api.CreateIntegratorAsync();

        using var response = await integrator.Http.PostAsync(WebhooksUri, SeedWith(seed =>
            seed["headers"] = JsonNode.Parse("""{"X-Custom": "1", "x-custom": "2"}""")));

        await response.AssertValidationProblemAsync("headers");
    }

    [Fact]
    public async Task Create_MethodMissing_Is400OnMethod()
    {
        using var integrator = await api.CreateIntegratorAsync();

        using var response = await integrator.Http.PostAsync(WebhooksUri, SeedWith(seed => seed.Remove("method")));

        await response.AssertValidationProblemAsync("method");
    }

    [Fact]
    public async Task List_NoWebhook_IsAnEmptyArray()
    {
        using var integrator = await api.CreateIntegratorAsync();

        Assert.Equal("[]", await integrator.Http.GetStringAsync(WebhooksUri));
    }

    /// <summary>Checks the seed's format and the Sao Paulo offset of that instant; returns the instant.</summary>
    private static DateTimeOffset AssertDisplayTimestamp(string value)
    {
        Assert.Matches(DisplayTimestamp(), value);
        var instant = DateTimeOffset.ParseExact(value, "yyyy-MM-dd'T'HH:mm:ss.ffffffzzz", CultureInfo.InvariantCulture);
        Assert.Equal(SaoPaulo.GetUtcOffset(instant), instant.Offset);
        return instant;
    }

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d$")]
    private static partial Regex DisplayTimestamp();
}
