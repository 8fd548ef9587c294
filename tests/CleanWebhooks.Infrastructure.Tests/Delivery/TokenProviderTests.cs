using System.Diagnostics.Metrics;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Webhooks;
using CleanWebhooks.Infrastructure.Delivery;
using CleanWebhooks.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CleanWebhooks.Infrastructure.Tests.Delivery;

/// <summary>The token flow's shared fetch, against a real token server on 127.0.0.1.</summary>
public sealed class TokenProviderTests : IAsyncLifetime
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().AddHttpClient().BuildServiceProvider();
    private LoopbackReceiver _tokenServer = null!;
    private TokenProvider _tokens = null!;

    public async Task InitializeAsync()
    {
        _tokenServer = await LoopbackReceiver.StartAsync();
        var options = new DeliveryOptions { AllowPrivateNetworks = true };
        _tokens = new TokenProvider(
            _services.GetRequiredService<IHttpClientFactory>(), options, new DeliveryMetrics(_services.GetRequiredService<IMeterFactory>()),
            TimeProvider.System, NullLogger<TokenProvider>.Instance);
    }

    public async Task DisposeAsync()
    {
        _tokens.Dispose();
        await _tokenServer.DisposeAsync();
        await _services.DisposeAsync();
    }

    [Fact]
    public async Task GetAsync_TheFirstCallerGivesUp_TheOthersStillGetTheOneFetchedToken()
    {
        _tokenServer.Respond = (_, _) => new ReceiverAnswer(200, """{"access_token": "t-1"}""", Delay: TimeSpan.FromMilliseconds(500));
        var webhook = Webhook.Create(ClientId.New(), new WebhookDefinition(
            "w", 0, "POST", null, "Bearer", "http://127.0.0.1:9/hook/:id", null, _tokenServer.Url("/login"), null, null, null, null), DateTimeOffset.UtcNow).Value;
        using var givesUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        var first = _tokens.GetAsync(webhook, null, givesUp.Token);
        var second = _tokens.GetAsync(webhook, null, CancellationToken.None);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        Assert.Equal("t-1", (await second).Token);
        Assert.Single(_tokenServer.Requests);
    }
}
