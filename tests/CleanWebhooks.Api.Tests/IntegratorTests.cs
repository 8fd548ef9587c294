using CleanWebhooks.Testing;

namespace CleanWebhooks.Api.Tests;

/// <summary>
/// A test class that shares one service (its class fixture) and gets a fresh integrator, with an HTTP client that
/// sends its key, before each test.
/// </summary>
public abstract class IntegratorTests(ApiFactory api) : IClassFixture<ApiFactory>, IAsyncLifetime
{
    private Integrator? _integrator;

    /// <summary>The service shared by the class's tests.</summary>
    protected ApiFactory Api => api;

    /// <summary>This test's integrator.</summary>
    protected Integrator Integrator => _integrator ?? throw new InvalidOperationException("The integrator is created before each test.");

    /// <summary>An HTTP client that sends this test's integrator's key.</summary>
    protected HttpClient Http => Integrator.Http;

    public async Task InitializeAsync() => _integrator = await api.CreateIntegratorAsync();

    public Task DisposeAsync()
    {
        _integrator?.Dispose();
        return Task.CompletedTask;
    }
}
