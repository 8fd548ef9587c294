using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CleanWebhooks.Api.Tests.Http;
using CleanWebhooks.Testing;
using static CleanWebhooks.Api.Tests.Webhooks.Payloads;

namespace CleanWebhooks.Api.Tests.Deliveries;

/// <summary>
/// What the support tools refuse (contract sections 6 and 11), always as a 4xx problem naming the field, in English or
/// Brazilian Portuguese: a recovery's body is as strict as every other, its window must not be empty, and a document
/// id is an id.
/// </summary>
public sealed class SupportToolsRefusalTests(ApiFactory api) : IntegratorTests(api)
{
    [Theory]
    [InlineData("""{"since": "2020-01-07T10:00:00Z", "until": "2020-01-07T10:00:00Z"}""", "since")]
    [InlineData("""{"since": "2020-01-07T10:00:00-03:00", "until": "2020-01-07T12:59:59Z"}""", "since")]
    [InlineData("""{"since": "2020-01-07T10:00:00Z", "untill": "2020-01-08T10:00:00Z"}""", "untill")]
    [InlineData("""{"since": "2020-01-07T10:00:00Z", "since": "2020-01-01T10:00:00Z"}""", "since")]
    [InlineData("""{"since": "2020-01-07T10:00:00Z", "dryRun": "yes"}""", "dryRun")]
    [InlineData("""{"since": "2020-01-07T10:00:00Z", "dryRun": 1}""", "dryRun")]
    [InlineData("""{"since": 1578391200}""", "since")]
    [InlineData("""{"since": "2020-01-07T10:00:00"}""", "since")]
    [InlineData("""{"since": "2020-01-07"}""", "since")]
    [InlineData("""{"since": "2020-01-07 10:00:00Z"}""", "since")]
    [InlineData("""{"since": "yesterday"}""", "since")]
    [InlineData("""{"dryRun": true}""", "since")]
    [InlineData("""{}""", "since")]
    [InlineData("""[]""", "body")]
    [InlineData("""null""", "body")]
    public async Task Recover_BodyRefused_Is400NamingTheField(string body, string field)
    {
        var webhookId = await CreateWebhookAsync();

        using var response = await Http.PostAsync(RecoverUri(webhookId), Raw(body, "application/json"));

        await response.AssertValidationProblemAsync(field);
    }

    [Fact]
    public async Task Recover_EmptyWindowInPortuguese_MessageInPortuguese()
    {
        var webhookId = await CreateWebhookAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, RecoverUri(webhookId))
        {
            Content = Raw("""{"since": "2020-01-07T10:00:00Z", "until": "2020-01-06T10:00:00Z"}""", "application/json"),
        };
        request.Headers.AcceptLanguage.Add(new StringWithQualityHeaderValue("pt-BR"));

        using var response = await Http.SendAsync(request);

        Assert.Equal(["since deve ser anterior a until."], await response.AssertValidationProblemAsync("since"));
    }

    [Fact]
    public async Task Recover_NotJson_Is415()
    {
        var webhookId = await CreateWebhookAsync();

        using var response = await Http.PostAsync(RecoverUri(webhookId), Raw("since=2020-01-07T10:00:00Z", "application/x-www-form-urlencoded"));

        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task RecoverAndTest_UnknownOrAnotherClientsWebhook_Are404()
    {
        using var stranger = await Api.CreateIntegratorAsync("Stranger");
        var webhookId = await CreateWebhookAsync();
        var body = JsonContent.Create(new { since = DateTimeOffset.UtcNow.AddDays(-1) });

        foreach (var (http, id) in new[] { (Http, Guid.NewGuid()), (stranger.Http, webhookId) })
        {
            using var recover = await http.PostAsync(RecoverUri(id), body);
            using var test = await http.PostAsync(new Uri($"{WebhooksUri}/{id}/test", UriKind.Relative), null);

            Assert.Equal("webhook.not_found", (await recover.AssertProblemAsync(HttpStatusCode.NotFound)).GetProperty("code").GetString());
            Assert.Equal("webhook.not_found", (await test.AssertProblemAsync(HttpStatusCode.NotFound)).GetProperty("code").GetString());
        }
    }

    [Fact]
    public async Task ListDeliveries_BlankDocumentId_Is400ButAnEmptyOneFiltersNothing()
    {
        var webhookId = await CreateWebhookAsync();

        using var blank = await Http.GetAsync(new Uri($"{WebhooksUri}/{webhookId}/deliveries?documentId=%20", UriKind.Relative));
        using var empty = await Http.GetAsync(new Uri($"{WebhooksUri}/{webhookId}/deliveries?documentId=&status=", UriKind.Relative));

        await blank.AssertValidationProblemAsync("documentId");
        Assert.Equal(HttpStatusCode.OK, empty.StatusCode);
    }

    [Fact]
    public async Task ListDeliveries_DocumentIdLongerThanAnyDocument_Is400()
    {
        var webhookId = await CreateWebhookAsync();

        using var response = await Http.GetAsync(new Uri($"{WebhooksUri}/{webhookId}/deliveries?documentId={new string('d', 201)}", UriKind.Relative));

        await response.AssertValidationProblemAsync("documentId");
    }

    [Theory]
    [InlineData("", "documentId")]
    [InlineData("?documentId=doc-1&limit=0", "limit")]
    [InlineData("?documentId=doc-1&limit=many", "limit")]
    [InlineData("?documentId=doc-1&cursor=forged", "cursor")]
    public async Task FindDocumentDeliveries_BadQuery_Is400NamingIt(string query, string field)
    {
        using var admin = Api.CreateInternalClient();

        using var response = await admin.GetAsync(new Uri($"/internal/clients/{Integrator.ClientId}/deliveries{query}", UriKind.Relative));

        await response.AssertValidationProblemAsync(field);
    }

    [Fact]
    public async Task FindDocumentDeliveries_UnknownClientOrNoInternalKey_Is404Or401()
    {
        using var admin = Api.CreateInternalClient();

        using var unknown = await admin.GetAsync(new Uri($"/internal/clients/{Guid.NewGuid()}/deliveries?documentId=doc-1", UriKind.Relative));
        using var withApiKey = await Http.GetAsync(new Uri($"/internal/clients/{Integrator.ClientId}/deliveries?documentId=doc-1", UriKind.Relative));

        Assert.Equal("client.not_found", (await unknown.AssertProblemAsync(HttpStatusCode.NotFound)).GetProperty("code").GetString());
        await withApiKey.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task EndPortalSessions_UnknownClientOrNoInternalKey_Is404Or401()
    {
        using var admin = Api.CreateInternalClient();

        using var unknown = await admin.DeleteAsync(new Uri($"/internal/clients/{Guid.NewGuid()}/portal_sessions", UriKind.Relative));
        using var withApiKey = await Http.DeleteAsync(new Uri($"/internal/clients/{Integrator.ClientId}/portal_sessions", UriKind.Relative));
        using var known = await admin.DeleteAsync(new Uri($"/internal/clients/{Integrator.ClientId}/portal_sessions", UriKind.Relative));

        await unknown.AssertProblemAsync(HttpStatusCode.NotFound);
        await withApiKey.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.NoContent, known.StatusCode);
    }

    private async Task<Guid> CreateWebhookAsync()
    {
        using var response = await Http.PostAsync(WebhooksUri, Raw(SeedRequest, "application/json"));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static Uri RecoverUri(Guid webhookId) => new($"{WebhooksUri}/{webhookId}/deliveries/recover", UriKind.Relative);
}
