using CleanWebhooks.Testing;

namespace CleanWebhooks.Api.Tests.Operations;

/// <summary>
/// A setting that cannot work stops the service at start-up, in any section, with a message that names its key and
/// never a secret; every problem of a section is listed at once, so that an operator fixes them in one go.
/// </summary>
public sealed class SettingsAtStartTests
{
    [Theory]
    [InlineData("Delivery:Timeout", "00:00:00")]
    [InlineData("Delivery:PollInterval", "-00:00:01")]
    [InlineData("Delivery:QueueDepthInterval", "00:00:00")]
    [InlineData("Delivery:MaxConcurrency", "0")]
    [InlineData("Delivery:InitialWindow", "0")]
    [InlineData("Delivery:BreakerFailures", "0")]
    [InlineData("Delivery:BreakerMaxPause", "00:00:01")]
    [InlineData("Delivery:DisableAfter", "00:00:00")]
    [InlineData("Delivery:TokenCacheSeconds", "-1")]
    [InlineData("Delivery:LeaseDuration", "00:00:10")]
    [InlineData("Delivery:RetrySchedule:0", "-00:00:05")]
    [InlineData("Database:BusyTimeout", "00:00:00")]
    [InlineData("Database:MigrationLockTimeout", "-00:00:01")]
    [InlineData("Retention:Interval", "00:00:00")]
    [InlineData("Retention:BatchSize", "1001")]
    [InlineData("ApiKeys:CacheLifetime", "00:00:06")]
    [InlineData("ApiKeys:CacheSize", "0")]
    [InlineData("RateLimiting:PermitsPerSecond", "-1")]
    [InlineData("RateLimiting:FailedAuthPerMinute", "-5")]
    [InlineData("Portal:SessionLifetime", "00:00:00")]
    [InlineData("Portal:FrameAncestors", "'self'; script-src *")]
    [InlineData("Alerts:Url", "ftp://alerts.example/in")]
    [InlineData("Api:TimeZone", "Mars/Olympus_Mons")]
    public void Start_SettingThatCannotWork_RefusesNamingTheSetting(string setting, string value)
    {
        var error = StartWith(new() { [setting] = value });

        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_SeveralSettingsThatCannotWork_NamesEveryOne()
    {
        var error = StartWith(new() { ["Delivery:Timeout"] = "00:00:00", ["Delivery:MaxPerWebhook"] = "0", ["Delivery:BatchSize"] = "5000" });

        Assert.Contains("Delivery:Timeout", error.Message, StringComparison.Ordinal);
        Assert.Contains("Delivery:MaxPerWebhook", error.Message, StringComparison.Ordinal);
        Assert.Contains("Delivery:BatchSize", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Alerts:Secret", "not-a-standard-webhooks-secret-hunter2")]
    [InlineData("ConnectionStrings:CleanWebhooks", "Data Source=x;Password='hunter2")]
    public void Start_SecretThatCannotWork_IsNamedButNeverShown(string setting, string value)
    {
        var error = StartWith(new() { ["Alerts:Url"] = "https://alerts.example/in", [setting] = value });

        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Start_ValueThatIsNotOfItsType_RefusesNamingTheSetting()
    {
        var error = StartWith(new() { ["Delivery:Timeout"] = "fifteen seconds" });

        Assert.Contains("Delivery:Timeout", error.Message, StringComparison.Ordinal);
    }

    private static InvalidOperationException StartWith(Dictionary<string, string> settings)
    {
        using var factory = new ApiFactory();
        foreach (var (key, value) in settings)
        {
            factory.Settings[key] = value;
        }

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        while (error is AggregateException { InnerExceptions.Count: 1 } aggregate)
        {
            error = aggregate.InnerExceptions[0];
        }

        return Assert.IsType<InvalidOperationException>(error, exactMatch: false);
    }
}
