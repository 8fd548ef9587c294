using System.Net;
using System.Text.Json;
using CleanWebhooks.Testing;

namespace CleanWebhooks.Api.Tests.Operations;

public sealed class OperationsTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Health_Always_Is200Healthy(string path)
    {
        using var http = api.CreateClient();

        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task OpenApi_Document_NamesEveryOperation()
    {
        var document = await OpenApiAsync();

        var operationIds = document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject())
            .Select(operation => operation.Value.GetProperty("operationId").GetString())
            .ToHashSet();

        Assert.Superset(
            new HashSet<string?> { "CreateWebhook", "ListWebhooks", "GetWebhook", "DeleteWebhook", "CreateClient", "IssueApiKey", "RevokeApiKey" },
            operationIds);
    }

    [Fact]
    public async Task OpenApi_Document_DeclaresBothKeysAsHeaderSchemes()
    {
        var schemes = (await OpenApiAsync()).GetProperty("components").GetProperty("securitySchemes");

        var headers = schemes.EnumerateObject().ToDictionary(
            s => s.Value.GetProperty("name").GetString()!,
            s => (Type: s.Value.GetProperty("type").GetString(), In: s.Value.GetProperty("in").GetString(), Scheme: s.Name));

        Assert.Equal(("apiKey", "header", "ApiKey"), headers["X-API-KEY"]);
        Assert.Equal(("apiKey", "header", "InternalKey"), headers["X-INTERNAL-KEY"]);
    }

    [Fact]
    public async Task OpenApi_Document_MarksEachOperationWithTheKeyItNeeds()
    {
        var document = await OpenApiAsync();

        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            var expected = path.Name.StartsWith("/internal/", StringComparison.Ordinal) ? "InternalKey" : "ApiKey";
            foreach (var operation in path.Value.EnumerateObject())
            {
                var security = operation.Value.GetProperty("security").EnumerateArray()
                    .SelectMany(requirement => requirement.EnumerateObject().Select(s => s.Name));
                Assert.Equal([expected], security);
            }
        }
    }

    [Fact]
    public async Task OpenApi_Document_NamesOnlyTheRelativeRoot()
    {
        var document = await OpenApiAsync();

        // Generators need a server; a relative one is right wherever the service is hosted.
        var server = Assert.Single(document.GetProperty("servers").EnumerateArray());
        Assert.Equal("/", server.GetProperty("url").GetString());
    }

    [Fact]
    public async Task OpenApi_EveryErrorAnswer_IsProblemJson()
    {
        var document = await OpenApiAsync();

        var errors = document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject())
            .SelectMany(operation => operation.Value.GetProperty("responses").EnumerateObject())
            .Where(response => response.Name[0] is '4' or '5')
            .ToList();
        Assert.NotEmpty(errors);
        Assert.All(errors, response => Assert.Equal(
            ["application/problem+json"], response.Value.GetProperty("content").EnumerateObject().Select(c => c.Name)));
    }

    [Fact]
    public async Task OpenApi_EveryOperation_Declares429And503ProblemsWithRetryAfter()
    {
        var document = await OpenApiAsync();

        var operations = document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(o => (Name: $"{o.Name.ToUpperInvariant()} {path.Name}", Operation: o.Value)))
            .ToList();
        Assert.True(operations.Count > 10, $"Only {operations.Count} operations found");
        foreach (var (name, operation) in operations)
        {
            foreach (var status in new[] { "429", "503" })
            {
                Assert.True(operation.GetProperty("responses").TryGetProperty(status, out var response), $"{name} does not declare {status}");
                Assert.Equal("#/components/schemas/ProblemDetails",
                    response.GetProperty("content").GetProperty("application/problem+json").GetProperty("schema").GetProperty("$ref").GetString());
                var retryAfter = response.GetProperty("headers").GetProperty("Retry-After");
                Assert.Equal("integer", retryAfter.GetProperty("schema").GetProperty("type").GetString());
            }
        }
    }

    [Fact]
    public async Task OpenApi_Schemas_RequiredEnumsAndUuid()
    {
        var schemas = (await OpenApiAsync()).GetProperty("components").GetProperty("schemas");

        Assert.Equal(["name", "type", "method", "url"], schemas.GetProperty("CreateWebhookRequest").GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("attempts", schemas.GetProperty("DeliveryDetailsResponse").GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["POST", "PUT", "GET", "DELETE"], schemas.GetProperty("WebhookMethod").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["pending", "succeeded", "failed", "cancelled"], schemas.GetProperty("DeliveryStatus").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("uuid", schemas.GetProperty("WebhookResponse").GetProperty("properties").GetProperty("id").GetProperty("format").GetString());
    }

    [Fact]
    public async Task OpenApi_Document_DoesNotOfferAuthorizationBodyInAnswers()
    {
        var schemas = (await OpenApiAsync()).GetProperty("components").GetProperty("schemas");

        Assert.False(schemas.GetProperty("WebhookResponse").GetProperty("properties").TryGetProperty("authorizationBody", out _));
        Assert.True(schemas.GetProperty("CreateWebhookRequest").GetProperty("properties").TryGetProperty("authorizationBody", out _));
    }

    private async Task<JsonElement> OpenApiAsync()
    {
        using var http = api.CreateClient();
        using var response = await http.GetAsync(new Uri("/swagger/v1/swagger.json", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonSerializer.Deserialize<JsonElement>(await response.Content.ReadAsStringAsync());
    }
}
