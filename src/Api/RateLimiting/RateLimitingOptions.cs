using CleanWebhooks.Application.Common.Settings;

namespace CleanWebhooks.Api.RateLimiting;

/// <summary>Configuration section <c>RateLimiting</c>. Every limit is per node: each process counts on its own.</summary>
public sealed class RateLimitingOptions : ISettingsSection
{
    public const string SectionName = "RateLimiting";

    /// <summary>Requests per second one integrator API key may make; <c>0</c> turns the per-key limit off.</summary>
    public int PermitsPerSecond { get; set; } = 50;

    /// <summary>How many requests one key may make at once after a quiet time (the token bucket's size); <c>0</c> turns the per-key limit off.</summary>
    public int Burst { get; set; } = 100;

    /// <summary>Unknown keys one remote address may try in a minute before further tries get 429; <c>0</c> turns this off.</summary>
    public int FailedAuthPerMinute { get; set; } = 60;

    public bool LimitsKeys => PermitsPerSecond > 0 && Burst > 0;

    public bool LimitsFailedAuth => FailedAuthPerMinute > 0;

    /// <summary>Each setting that cannot work, named by its key (<c>0</c> turns a limit off; below that means nothing).</summary>
    public IEnumerable<string> Problems()
    {
        string?[] problems =
        [
            SettingsSections.AtLeast("RateLimiting:PermitsPerSecond", PermitsPerSecond, 0),
            SettingsSections.AtLeast("RateLimiting:Burst", Burst, 0),
            SettingsSections.AtLeast("RateLimiting:FailedAuthPerMinute", FailedAuthPerMinute, 0),
        ];
        return problems.OfType<string>();
    }
}
