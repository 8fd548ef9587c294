using System.Net;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Infrastructure.Persistence.Clients;
using CleanWebhooks.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CleanWebhooks.Api.Tests.Operations;

/// <summary>
/// Contract section 7: once an address is over its failed-authentication limit, its further guesses get 429 without a
/// database look-up of the key, while valid keys from the same address (older ones, and ones issued since) still work.
/// </summary>
public sealed class ThrottledGuessTests : IAsyncLifetime
{
    private readonly ApiFactory _api = new();
    private readonly CountingClients _counter = new();

    public ThrottledGuessTests()
    {
        _api.Settings["RateLimiting:FailedAuthPerMinute"] = "3";
        _api.TestServices.Add(services => services.AddSingleton<IClientRepository>(sp =>
            _counter.Wrap(ActivatorUtilities.CreateInstance<ClientRepository>(sp))));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task ThrottledAddress_FortyGuesses_NoKeyLookedUpAndValidKeysStillWork()
    {
        using var integrator = await _api.CreateIntegratorAsync();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync($"cwk_guess-{i}"));
        }

        var lookupsBefore = _counter.KeyLookups;
        for (var i = 0; i < 40; i++)
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, await GetAsync($"cwk_throttled-guess-{i}"));
        }

        Assert.Equal(lookupsBefore, _counter.KeyLookups);
        Assert.True(_counter.KeyLists <= 2, $"The known keys were read {_counter.KeyLists} times for 40 guesses.");

        Assert.Equal(HttpStatusCode.OK, await GetAsync(integrator.ApiKey));
        var issuedSince = await _api.IssueApiKeyAsync(integrator.ClientId);
        Assert.Equal(HttpStatusCode.OK, await GetAsync(issuedSince.ApiKey));
    }

    private async Task<HttpStatusCode> GetAsync(string apiKey)
    {
        using var http = _api.CreateClientWithApiKey(apiKey);
        using var response = await http.GetAsync(new Uri("/api_document/document_webhooks", UriKind.Relative));
        return response.StatusCode;
    }

    /// <summary>Counts what the authentication asks of the client repository.</summary>
    private sealed class CountingClients
    {
        private int _keyLookups;
        private int _keyLists;

        public int KeyLookups => Volatile.Read(ref _keyLookups);

        public int KeyLists => Volatile.Read(ref _keyLists);

        public IClientRepository Wrap(IClientRepository inner) => new Counting(inner, this);

        private sealed class Counting(IClientRepository inner, CountingClients counts) : IClientRepository
        {
            public Task AddAsync(Client client, ApiKey firstKey, CancellationToken cancellationToken) => inner.AddAsync(client, firstKey, cancellationToken);

            public Task<Client?> GetByIdAsync(ClientId id, CancellationToken cancellationToken) => inner.GetByIdAsync(id, cancellationToken);

            public Task AddApiKeyAsync(ApiKey key, CancellationToken cancellationToken) => inner.AddApiKeyAsync(key, cancellationToken);

            public Task<ApiKey?> FindActiveKeyByHashAsync(byte[] hash, CancellationToken cancellationToken)
            {
                Interlocked.Increment(ref counts._keyLookups);
                return inner.FindActiveKeyByHashAsync(hash, cancellationToken);
            }

            public Task<IReadOnlyList<byte[]>> ListActiveKeyHashesAsync(DateTimeOffset? createdSince, CancellationToken cancellationToken)
            {
                Interlocked.Increment(ref counts._keyLists);
                return inner.ListActiveKeyHashesAsync(createdSince, cancellationToken);
            }

            public Task<bool> RevokeApiKeyAsync(ClientId clientId, ApiKeyId keyId, DateTimeOffset now, CancellationToken cancellationToken) =>
                inner.RevokeApiKeyAsync(clientId, keyId, now, cancellationToken);

            public Task EnsureAsync(Client client, ApiKey key, CancellationToken cancellationToken) => inner.EnsureAsync(client, key, cancellationToken);
        }
    }
}
