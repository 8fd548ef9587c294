namespace CleanWebhooks.Application.Clients;

/// <summary>The <c>ApiKeys</c> configuration section: how long a node trusts an API key it has already looked up.</summary>
public sealed class ApiKeyCacheOptions
{
    public const string SectionName = "ApiKeys";

    /// <summary>The most the contract allows: a revoked key stops working on every node within a few seconds.</summary>
    public static readonly TimeSpan MaxCacheLifetime = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a key found active is trusted without asking the database again. It is also the bound after which a
    /// key revoked on another node stops working on this one. Zero turns the cache off.
    /// </summary>
    public TimeSpan CacheLifetime { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The most keys kept; past it the cache starts again empty (only active keys are ever kept).</summary>
    public int CacheSize { get; set; } = 10_000;

    /// <summary>Throws when a setting cannot work, at start-up rather than at the first request.</summary>
    public ApiKeyCacheOptions Validated()
    {
        if (CacheLifetime < TimeSpan.Zero || CacheLifetime > MaxCacheLifetime || CacheSize < 1)
        {
            throw new InvalidOperationException(
                $"ApiKeys needs a CacheLifetime from 0 to {MaxCacheLifetime} and a positive CacheSize (got {CacheLifetime}, {CacheSize}).");
        }

        return this;
    }
}
