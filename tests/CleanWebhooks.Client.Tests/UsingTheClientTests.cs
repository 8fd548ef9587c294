using CleanWebhooks.Testing;

namespace CleanWebhooks.Client.Tests;

/// <summary>
/// The snippet of "Using the C# client" runs here verbatim against the service on loopback, and the documents that
/// show it must contain exactly the code between the snippet markers below.
/// </summary>
public sealed class UsingTheClientTests(ApiOnLoopback api) : IClassFixture<ApiOnLoopback>
{
    private const string ThisFile = "tests/CleanWebhooks.Client.Tests/UsingTheClientTests.cs";
    private const string BeginMarker = "// snippet: using-the-client";
    private const string EndMarker = "// end snippet";

    [Fact]
    public async Task Snippet_AgainstTheServiceOnLoopback_CreatesAWebhook()
    {
        var serviceUrl = api.ServiceUrl;
        using var integrator = await api.Factory.CreateIntegratorAsync();
        var apiKey = integrator.ApiKey;

        // snippet: using-the-client
        using var http = new HttpClient { BaseAddress = serviceUrl };
        var client = CleanWebhooksClient.ForIntegrator(http, apiKey);
        var webhook = await client.CreateWebhookAsync(new CreateWebhookRequest { Name = "Documents", Type = 0, Method = WebhookMethod.POST, Url = "https://example.com/documents/:id" });
        // end snippet

        var listed = Assert.Single(await client.ListWebhooksAsync());
        Assert.Equal(webhook.Id, listed.Id);
        Assert.Equal("https://example.com/documents/:id", listed.Url);
    }

    [Theory]
    [InlineData("README.md")]
    [InlineData("src/Client/README.md")]
    public void Document_CSharpBlock_IsTheTestedSnippet(string document)
    {
        var snippet = TestedSnippet();

        Assert.Contains($"```csharp\n{snippet}```\n", RepositoryFiles.ReadText(document), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListWebhooksAsync_CancelledToken_ThrowsOperationCanceled()
    {
        using var integrator = await api.Factory.CreateIntegratorAsync();
        using var http = new HttpClient { BaseAddress = api.ServiceUrl };
        var client = CleanWebhooksClient.ForIntegrator(http, integrator.ApiKey);
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ListWebhooksAsync(cancellation.Token));
    }

    /// <summary>The lines between the markers in this file, without their common indentation, each ending with a newline.</summary>
    private static string TestedSnippet()
    {
        var lines = RepositoryFiles.ReadText(ThisFile).Split('\n');
        var begin = Array.FindIndex(lines, l => l.Trim() == BeginMarker);
        var end = Array.FindIndex(lines, begin + 1, l => l.Trim() == EndMarker);
        Assert.True(begin >= 0 && end > begin, $"No snippet markers in {ThisFile}.");
        var body = lines[(begin + 1)..end];
        var indent = body.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
        return string.Concat(body.Select(l => (l.Length >= indent ? l[indent..] : l.TrimStart()) + "\n"));
    }
}
