using CleanWebhooks.Application.Clients;
using CleanWebhooks.Domain.Clients;
using Microsoft.Extensions.Time.Testing;

namespace CleanWebhooks.Application.Tests.Clients;

/// <summary>The key cache's rules that the HTTP tests cannot time: lookups under way at a revoke, and what the lifetime counts from.</summary>
public sealed class ApiKeyCacheTests
{
    private static readonly byte[] Hash = ApiKey.HashOf("cwk_one");
    private static readonly ClientId Client = ClientId.New();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Remember_LookupThatBeganBeforeARevoke_IsNotServed()
    {
        var cache = new ApiKeyCache(new ApiKeyCacheOptions(), _clock);
        var lookup = cache.BeginLookup();

        cache.ForgetAll();
        cache.Remember(Hash, Client, lookup);

        Assert.False(cache.TryGet(Hash, out _));
    }

    [Fact]
    public void TryGet_LifetimeCountedFromTheStartOfTheLookup_NotFromTheAnswer()
    {
        var cache = new ApiKeyCache(new ApiKeyCacheOptions { CacheLifetime = TimeSpan.FromSeconds(2) }, _clock);
        var lookup = cache.BeginLookup();
        _clock.Advance(TimeSpan.FromSeconds(1.5));
        cache.Remember(Hash, Client, lookup);

        var servedBefore = cache.TryGet(Hash, out var client);
        _clock.Advance(TimeSpan.FromSeconds(0.5));
        var servedAfter = cache.TryGet(Hash, out _);

        Assert.True(servedBefore);
        Assert.Equal(Client, client);
        Assert.False(servedAfter);
    }

    [Fact]
    public void TryGet_ZeroLifetime_NeverServes()
    {
        var cache = new ApiKeyCache(new ApiKeyCacheOptions { CacheLifetime = TimeSpan.Zero }, _clock);

        cache.Remember(Hash, Client, cache.BeginLookup());

        Assert.False(cache.TryGet(Hash, out _));
    }

    [Fact]
    public void TryGet_AnotherKeysHash_IsNotServed()
    {
        var cache = new ApiKeyCache(new ApiKeyCacheOptions(), _clock);

        cache.Remember(Hash, Client, cache.BeginLookup());

        Assert.False(cache.TryGet(ApiKey.HashOf("cwk_two"), out _));
        Assert.True(cache.TryGet(ApiKey.HashOf("cwk_one"), out _));
    }

    [Fact]
    public void Remember_PastTheCacheSize_KeepsAtMostThatMany()
    {
        var cache = new ApiKeyCache(new ApiKeyCacheOptions { CacheSize = 2 }, _clock);

        foreach (var key in new[] { "cwk_a", "cwk_b", "cwk_c" })
        {
            cache.Remember(ApiKey.HashOf(key), Client, cache.BeginLookup());
        }

        var served = new[] { "cwk_a", "cwk_b", "cwk_c" }.Count(k => cache.TryGet(ApiKey.HashOf(k), out _));
        Assert.InRange(served, 1, 2);
        Assert.True(cache.TryGet(ApiKey.HashOf("cwk_c"), out _));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(6)]
    public void Constructor_LifetimeOutsideTheContractsBound_Throws(int seconds) =>
        Assert.Throws<InvalidOperationException>(() =>
            new ApiKeyCache(new ApiKeyCacheOptions { CacheLifetime = TimeSpan.FromSeconds(seconds) }, _clock));
}
