using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http;

namespace CleanWebhooks.Testing;

/// <summary>
/// The real service (its whole HTTP pipeline) on a fresh SQLite file in a temporary folder, deleted on dispose.
/// Settings can be added or replaced per test class through <see cref="Settings"/> before the first request.
/// </summary>
public class ApiFactory : WebApplicationFactory<Program>
{
    public const string InternalKey = "test-internal-key-of-the-functional-tests";

    private readonly string _folder;
    private readonly bool _ownsFolder;

    public ApiFactory()
        : this(Path.Combine(Path.GetTempPath(), "cleanwebhooks-tests", Guid.NewGuid().ToString("N")), ownsFolder: true)
    {
    }

    /// <summary>Another instance of the service on the same database and key ring, as a second node would be.</summary>
    public static ApiFactory SharingDatabaseWith(ApiFactory other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var second = new ApiFactory(other._folder, ownsFolder: false);
        foreach (var (key, value) in other.Settings)
        {
            second.Settings[key] = value;
        }

        return second;
    }

    private ApiFactory(string folder, bool ownsFolder)
    {
        _folder = folder;
        _ownsFolder = ownsFolder;
        Directory.CreateDirectory(_folder);
        Settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:CleanWebhooks"] = $"Data Source={DatabasePath}",
            ["Database:Provider"] = "Sqlite",
            ["Secrets:KeyDirectory"] = KeyDirectory,
            ["Internal:ApiKeys:0"] = InternalKey,
            ["Delivery:AllowPrivateNetworks"] = "true",

            // Tests make many requests with one key and many with wrong keys; the tests of the limits turn them on.
            ["RateLimiting:PermitsPerSecond"] = "0",
            ["RateLimiting:FailedAuthPerMinute"] = "0",
        };
    }

    public string DatabasePath => Path.Combine(_folder, "cleanwebhooks.db");

    public string KeyDirectory => Path.Combine(_folder, "keys");

    /// <summary>Configuration that overrides appsettings.json; change it before the server starts.</summary>
    public IDictionary<string, string?> Settings { get; }

    /// <summary>Service registrations a test adds after the service's own (e.g. an in-memory telemetry exporter); before the server starts.</summary>
    public IList<Action<IServiceCollection>> TestServices { get; } = [];

    /// <summary>A client authenticated with the internal key.</summary>
    public HttpClient CreateInternalClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-INTERNAL-KEY", InternalKey);
        return client;
    }

    /// <summary>Creates a new integrator through the internal API; returns an HTTP client that sends its key.</summary>
    public async Task<Integrator> CreateIntegratorAsync(string name = "Integrator")
    {
        using var admin = CreateInternalClient();
        using var response = await admin.PostAsJsonAsync("/internal/clients", new { name });
        response.EnsureSuccessStatusCode();
        var created = await response.Content.ReadFromJsonAsync<CreatedClient>()
            ?? throw new InvalidOperationException("No body in the create-client answer.");
        var http = CreateClient();
        http.DefaultRequestHeaders.Add("X-API-KEY", created.ApiKey);
        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return new Integrator(created.Id, created.ApiKey, created.ApiKeyId, http);
    }

    /// <summary>An HTTP client that sends <paramref name="apiKey"/> as its <c>X-API-KEY</c>.</summary>
    public HttpClient CreateClientWithApiKey(string apiKey)
    {
        var http = CreateClient();
        http.DefaultRequestHeaders.Add("X-API-KEY", apiKey);
        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return http;
    }

    /// <summary>Issues another API key for a client through the internal API.</summary>
    public async Task<IssuedApiKey> IssueApiKeyAsync(Guid clientId)
    {
        using var admin = CreateInternalClient();
        using var response = await admin.PostAsync(new Uri($"/internal/clients/{clientId}/api_keys", UriKind.Relative), null);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<IssuedApiKey>()
            ?? throw new InvalidOperationException("No body in the issue-key answer.");
    }

    /// <summary>Revokes an API key through the internal API; the answer's status is returned.</summary>
    public async Task<System.Net.HttpStatusCode> RevokeApiKeyAsync(Guid clientId, Guid apiKeyId)
    {
        using var admin = CreateInternalClient();
        using var response = await admin.DeleteAsync(new Uri($"/internal/clients/{clientId}/api_keys/{apiKeyId}", UriKind.Relative));
        return response.StatusCode;
    }

    /// <summary>
    /// Makes the service's outbound client (deliveries and token calls) trust servers whose certificates
    /// <paramref name="certificates"/> issued, in place of the machine's trust store: a hook that exists for tests only.
    /// </summary>
    public void TrustServerCertificatesOf(TestCertificates certificates)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        TestServices.Add(services => services.PostConfigure<HttpClientFactoryOptions>(
            CleanWebhooks.Infrastructure.Delivery.DeliveryHttp.ClientName,
            options => options.HttpMessageHandlerBuilderActions.Add(handlers =>
                ((SocketsHttpHandler)handlers.PrimaryHandler).SslOptions.RemoteCertificateValidationCallback = certificates.ServerValidation())));
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseEnvironment(Environments.Production);
        // UseSetting reaches the configuration before Program reads it (ConfigureAppConfiguration would be too late).
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            foreach (var configure in TestServices)
            {
                configure(services);
            }
        });
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && _ownsFolder)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_folder, recursive: true);
            }
            catch (IOException)
            {
                // A file still held by a closing process is left to the OS temp cleaner.
            }
        }
    }

    private sealed record CreatedClient(Guid Id, string Name, string ApiKey, Guid ApiKeyId);
}

/// <summary>An API key issued by <c>POST /internal/clients/{clientId}/api_keys</c>.</summary>
public sealed record IssuedApiKey(Guid ApiKeyId, string ApiKey, DateTimeOffset CreatedAt);

/// <summary>An integrator created for a test, with an HTTP client that sends its <c>X-API-KEY</c>.</summary>
public sealed record Integrator(Guid ClientId, string ApiKey, Guid ApiKeyId, HttpClient Http) : IDisposable
{
    public void Dispose() => Http.Dispose();
}
