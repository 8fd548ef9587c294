using System.Net;
using System.Net.Http.Headers;
using CleanWebhooks.Testing;
using static CleanWebhooks.Api.Tests.Webhooks.Payloads;

namespace CleanWebhooks.Api.Tests.Http;

/// <summary>
/// Contract section 6: a body with a property that is not in the table, a property given twice, or a value of the
/// wrong JSON type is a 400 naming that property, for every JSON body the API reads.
/// </summary>
public sealed class StrictBodyTests(ApiFactory api) : IntegratorTests(api)
{
    [Theory]
    [InlineData("athorization", "\"Bearer secret\"")]
    [InlineData("Authorisation", "\"Bearer secret\"")]
    [InlineData("secret", "\"x\"")]
    [InlineData("id", "\"3f9c4b1e-0000-0000-0000-000000000000\"")]
    public async Task Create_UnknownProperty_Is400OnThatPropertyAndNothingCreated(string property, string json)
    {
        using var response = await Http.PostAsync(WebhooksUri, Raw(SeedWithout("}") + $", \"{property}\": {json}}}", "application/json"));

        var messages = await response.AssertValidationProblemAsync(property);
        Assert.Contains(property, messages[0], StringComparison.Ordinal);
        Assert.Equal("[]", await Http.GetStringAsync(WebhooksUri));
    }

    [Theory]
    [InlineData("name", "\"Second\"")]
    [InlineData("authorizationUrl", "\"http://localhost:5000/other\"")]
    [InlineData("type", "0")]
    public async Task Create_DuplicateProperty_Is400OnThatProperty(string property, string json)
    {
        using var response = await Http.PostAsync(WebhooksUri, Raw(SeedWithout("}") + $", \"{property}\": {json}}}", "application/json"));

        var messages = await response.AssertValidationProblemAsync(property);
        Assert.Contains(property, messages[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_DuplicateHeader_Is400OnHeaders()
    {
        var body = SeedRequest.Replace("{\"Content-Type\": \"application/json\"}", "{\"X-A\": \"1\", \"X-A\": \"2\"}", StringComparison.Ordinal);
        Assert.NotEqual(SeedRequest, body);

        using var duplicate = await Http.PostAsync(WebhooksUri, Raw(body, "application/json"));

        var problem = await duplicate.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains(Problem.Errors(problem).Keys, k => k.StartsWith("headers", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("type", "\"0\"")]
    [InlineData("type", "\"1\"")]
    [InlineData("type", "true")]
    [InlineData("name", "1")]
    [InlineData("authorization", "123")]
    public async Task Create_WrongJsonType_Is400OnThatProperty(string property, string json)
    {
        using var response = await Http.PostAsync(WebhooksUri, SeedWith(seed => seed[property] = System.Text.Json.Nodes.JsonNode.Parse(json)));

        await response.AssertValidationProblemAsync(property);
    }

    [Fact]
    public async Task Create_UnknownPropertyInPortuguese_MessageInPortuguese()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, WebhooksUri)
        {
            Content = Raw(SeedWithout("}") + ", \"athorization\": \"Bearer x\"}", "application/json"),
        };
        request.Headers.AcceptLanguage.Add(new StringWithQualityHeaderValue("pt-BR"));

        using var response = await Http.SendAsync(request);

        var messages = await response.AssertValidationProblemAsync("athorization");
        Assert.Contains("desconhecida", messages[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateClient_UnknownProperty_Is400OnThatProperty()
    {
        using var admin = Api.CreateInternalClient();

        using var response = await admin.PostAsync("/internal/clients", Raw("""{"name": "Acme", "nmae": "x"}""", "application/json"));

        await response.AssertValidationProblemAsync("nmae");
    }

    [Theory]
    [InlineData("""{"clientId": "CLIENT", "documentId": "d1", "type": 0, "dataa": {}}""", "dataa")]
    [InlineData("""{"clientId": "CLIENT", "documentId": "d1", "type": "0"}""", "type")]
    [InlineData("""{"clientId": "CLIENT", "documentId": "d1", "documentId": "d2", "type": 0}""", "documentId")]
    public async Task ReportEvent_NotStrictJson_Is400OnThatProperty(string body, string property)
    {
        using var admin = Api.CreateInternalClient();

        using var response = await admin.PostAsync(
            "/internal/document_events", Raw(body.Replace("CLIENT", Integrator.ClientId.ToString(), StringComparison.Ordinal), "application/json"));

        await response.AssertValidationProblemAsync(property);
    }

    /// <summary>The seed request without its closing brace, so members can be appended as raw text.</summary>
    private static string SeedWithout(string closing) => SeedRequest.TrimEnd()[..^closing.Length];
}
