using System.Net;
using CleanWebhooks.Testing;
using Microsoft.Extensions.Options;

namespace CleanWebhooks.Api.Tests.Operations;

/// <summary>
/// Outside Development, an <c>Internal:ApiKeys</c> or <c>Demo:ApiKey</c> shorter than 32 characters stops the service
/// at start-up, naming the setting and never the key. Development keeps its short, documented keys.
/// </summary>
public sealed class ConfiguredKeyLengthTests
{
    [Theory]
    [InlineData("Internal:ApiKeys:0", "dev-internal-key")]
    [InlineData("Internal:ApiKeys:1", "0123456789abcdef0123456789abcde")]
    [InlineData("Demo:ApiKey", "demo-api-key")]
    public void Start_ShortConfiguredKeyInProduction_RefusesNamingTheSetting(string setting, string key)
    {
        var validation = Assert.IsType<OptionsValidationException>(StartFailure(setting, key));
        Assert.Contains(setting, validation.Message, StringComparison.Ordinal);
        Assert.Contains("32", validation.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(key, validation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_KeysOf32CharactersInProduction_Starts()
    {
        await using var factory = new ApiFactory();
        factory.Settings["Internal:ApiKeys:1"] = new string('k', 32);
        factory.Settings["Demo:ApiKey"] = new string('d', 32);

        using var http = factory.CreateClient();
        using var response = await http.GetAsync(new Uri("/health/live", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Start_ShortKeysInDevelopment_Starts()
    {
        await using var factory = new ApiFactory();
        factory.Settings["environment"] = "Development";
        factory.Settings["Internal:ApiKeys:0"] = "dev-internal-key";
        factory.Settings["Demo:ApiKey"] = "demo-api-key";

        using var http = factory.CreateClient();
        http.DefaultRequestHeaders.Add("X-INTERNAL-KEY", "dev-internal-key");
        using var response = await http.PostAsync(new Uri("/internal/clients", UriKind.Relative),
            new StringContent("""{"name": "Dev"}""", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    /// <summary>
    /// What starting the service with <paramref name="setting"/> set to <paramref name="key"/> throws. The test host
    /// (WebApplicationFactory's deferred host) asks the host's services for its lifetime once the application's own
    /// thread runs it, and a host that failed to start may already be disposed by then: that race, seen once with two
    /// suites sharing the machine, answers <see cref="ObjectDisposedException"/> instead of the start's own exception.
    /// It is not the service's answer, so a fresh host is started again, a few times at most.
    /// </summary>
    private static Exception StartFailure(string setting, string key)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var factory = new ApiFactory();
            factory.Settings[setting] = key;
            var error = Unwrap(Assert.ThrowsAny<Exception>(() => factory.CreateClient()));
            if (error is not ObjectDisposedException || attempt == 5)
            {
                return error;
            }
        }
    }

    private static Exception Unwrap(Exception error) =>
        error is AggregateException { InnerExceptions.Count: 1 } aggregate ? Unwrap(aggregate.InnerExceptions[0]) : error;
}
