namespace CleanWebhooks.Client.Tests;

/// <summary>Error answers surface as <see cref="CleanWebhooksApiException"/> carrying the service's problem.</summary>
public sealed class ProblemTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task CreateWebhookAsync_SecondWebhookOfTheSameType_ThrowsConflictProblem()
    {
        var client = await factory.CreateIntegratorApiClientAsync();
        await client.CreateWebhookAsync(ClientTestExtensions.ValidWebhook());

        var error = await Assert.ThrowsAsync<CleanWebhooksApiException<ProblemDetails>>(
            () => client.CreateWebhookAsync(ClientTestExtensions.ValidWebhook("https://other.example.com/:id")));

        Assert.Equal(409, error.StatusCode);
        Assert.Same(error.Result, error.Problem);
        Assert.Equal(409, error.Result.Status);
        Assert.Equal("Conflict", error.Result.Title);
        Assert.Equal("https://tools.ietf.org/html/rfc9110#section-15.5.10", error.Result.Type);
        Assert.Contains("already exists", error.Result.Detail, StringComparison.Ordinal);
        Assert.Equal("webhook.duplicate_type", error.Result.AdditionalProperties["code"].ToString());
        Assert.Equal($"CleanWebhooks answered 409 Conflict: {error.Result.Detail}", error.Message);
    }

    [Fact]
    public async Task CreateWebhookAsync_UrlWithoutIdPlaceholder_ThrowsValidationProblemWithUrlError()
    {
        var client = await factory.CreateIntegratorApiClientAsync();

        var error = await Assert.ThrowsAsync<CleanWebhooksApiException<HttpValidationProblemDetails>>(
            () => client.CreateWebhookAsync(ClientTestExtensions.ValidWebhook("https://receiver.example.com/documents")));

        Assert.Equal(400, error.StatusCode);
        var problem = Assert.IsType<HttpValidationProblemDetails>(error.Problem);
        Assert.Equal(400, problem.Status);
        Assert.Equal("Bad Request", problem.Title);
        Assert.Equal("https://tools.ietf.org/html/rfc9110#section-15.5.1", problem.Type);
        Assert.False(string.IsNullOrEmpty(problem.Detail));
        var urlError = Assert.Single(problem.Errors["url"]);
        Assert.Contains(":id", urlError, StringComparison.Ordinal);
        Assert.Contains($"url: {urlError}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListWebhooksAsync_UnknownApiKey_ThrowsUnauthorizedProblem()
    {
        var client = CleanWebhooksClient.ForIntegrator(factory.CreateClient(), "cw_unknown-key");

        var error = await Assert.ThrowsAsync<CleanWebhooksApiException<ProblemDetails>>(() => client.ListWebhooksAsync());

        Assert.Equal(401, error.StatusCode);
        Assert.Equal(401, error.Result.Status);
        Assert.Equal("Unauthorized", error.Result.Title);
        Assert.Contains("X-API-KEY", error.Result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListWebhooksAsync_StatusTheOperationDoesNotDeclare_StillCarriesTheProblem()
    {
        // A base address one folder too deep: the service answers 404, which listing does not declare.
        var http = factory.CreateClient();
        http.BaseAddress = new Uri(http.BaseAddress!, "no-such-prefix/");
        var client = CleanWebhooksClient.ForIntegrator(http, "any-key");

        var error = await Assert.ThrowsAnyAsync<CleanWebhooksApiException>(() => client.ListWebhooksAsync());

        Assert.Equal(404, error.StatusCode);
        Assert.Equal(404, error.Problem?.Status);
        Assert.Equal("Not Found", error.Problem?.Title);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("http://localhost/prefix")]
    public void ForIntegrator_BaseAddressMissingOrWithoutTrailingSlash_Throws(string? baseAddress)
    {
        using var http = new HttpClient { BaseAddress = baseAddress is null ? null : new Uri(baseAddress) };

        var error = Assert.Throws<ArgumentException>(() => CleanWebhooksClient.ForIntegrator(http, "key"));

        Assert.Equal("httpClient", error.ParamName);
    }
}
