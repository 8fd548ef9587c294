using CleanWebhooks.Application.Common.Settings;

namespace CleanWebhooks.Application.Clients;

/// <summary>The <c>ApiKeys</c> configuration section: how long a node trusts an API key it has already looked up.</summary>
public sealed class ApiKeyCacheOptions : ISettingsSection
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

    /// <summary>Each setting that cannot work, named by its key (checked at start-up rather than at the first request).</summary>
    public IEnumerable<string> Problems()
    {
        string?[] problems =
        [
            CacheLifetime < TimeSpan.Zero || CacheLifetime > MaxCacheLifetime
                ? $"ApiKeys:CacheLifetime must be from 0 to {MaxCacheLifetime} (got {CacheLifetime}): a key revoked on one node must stop working on every node within a few seconds."
                : null,
            SettingsSections.AtLeast("ApiKeys:CacheSize", CacheSize, 1),
        ];
        return problems.OfType<string>();
    }
}
