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
        using var factory = new ApiFactory();
        factory.Settings[setting] = key;

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        var validation = Assert.IsType<OptionsValidationException>(Unwrap(error));
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

    private static Exception Unwrap(Exception error) =>
        error is AggregateException { InnerExceptions.Count: 1 } aggregate ? Unwrap(aggregate.InnerExceptions[0]) : error;
}
