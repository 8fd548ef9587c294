namespace CleanWebhooks.Client;

/// <summary>
/// Creates the generated client with the key it sends on every request: an integrator's <c>X-API-KEY</c>
/// (<see cref="ForIntegrator"/>) or a platform service's <c>X-INTERNAL-KEY</c> (<see cref="ForInternal"/>).
/// </summary>
/// <remarks>
/// The client names no server: requests go to paths relative to <see cref="HttpClient.BaseAddress"/>, which must be
/// the service's root (e.g. <c>https://webhooks.example.com/</c>). The <see cref="HttpClient"/> is not disposed by
/// the client, so one from <c>IHttpClientFactory</c> works as well as a long-lived shared one.
/// </remarks>
public partial class CleanWebhooksClient
{
    /// <summary>The header of an integrator's API key.</summary>
    public const string ApiKeyHeader = "X-API-KEY";

    /// <summary>The header of a platform service's internal key.</summary>
    public const string InternalKeyHeader = "X-INTERNAL-KEY";

    private string? _keyHeader;
    private string? _key;

    /// <summary>A client for an integrator's calls (<c>/api_document/...</c>), sending <paramref name="apiKey"/> as <c>X-API-KEY</c>.</summary>
    /// <param name="httpClient">An HTTP client whose <see cref="HttpClient.BaseAddress"/> is the service's root.</param>
    /// <param name="apiKey">The integrator's API key.</param>
    public static CleanWebhooksClient ForIntegrator(HttpClient httpClient, string apiKey) =>
        WithKey(httpClient, ApiKeyHeader, apiKey);

    /// <summary>A client for the platform's internal calls (<c>/internal/...</c>), sending <paramref name="internalKey"/> as <c>X-INTERNAL-KEY</c>.</summary>
    /// <param name="httpClient">An HTTP client whose <see cref="HttpClient.BaseAddress"/> is the service's root.</param>
    /// <param name="internalKey">One of the keys configured in the service's <c>Internal:ApiKeys</c>.</param>
    public static CleanWebhooksClient ForInternal(HttpClient httpClient, string internalKey) =>
        WithKey(httpClient, InternalKeyHeader, internalKey);

    private static CleanWebhooksClient WithKey(HttpClient httpClient, string header, string key)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        // A base address without a trailing slash would silently drop its last path segment from every request.
        if (httpClient.BaseAddress is not { IsAbsoluteUri: true } baseAddress || !baseAddress.AbsolutePath.EndsWith('/'))
        {
            throw new ArgumentException(
                "The HttpClient needs a BaseAddress that is the service's absolute root URL ending with '/', e.g. https://webhooks.example.com/.",
                nameof(httpClient));
        }

        return new CleanWebhooksClient(httpClient) { _keyHeader = header, _key = key };
    }

    partial void PrepareRequest(HttpClient client, HttpRequestMessage request, string url)
    {
        if (_keyHeader is not null)
        {
            request.Headers.Remove(_keyHeader);
            request.Headers.Add(_keyHeader, _key);
        }
    }
}
