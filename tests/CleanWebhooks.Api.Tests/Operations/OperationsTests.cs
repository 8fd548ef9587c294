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
    public async Task OpenApi_Document_NamesNoServer()
    {
        var document = await OpenApiAsync();

        Assert.True(!document.TryGetProperty("servers", out var servers) || servers.GetArrayLength() == 0, $"servers: {servers}");
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
