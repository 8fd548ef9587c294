using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Webhooks;
using CleanWebhooks.Infrastructure.Delivery;
using CleanWebhooks.Application.Deliveries.AttemptDelivery;
using CleanWebhooks.Domain.Deliveries;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using System.Diagnostics.Metrics;

namespace CleanWebhooks.Infrastructure.Tests.Delivery;

/// <summary>The delivery request builder: every header goes through <see cref="OutboundHeaders"/>, or nothing is built.</summary>
public sealed class WebhookSenderBuildRequestTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().AddHttpClient().BuildServiceProvider();
    private readonly WebhookSender _sender;

    public WebhookSenderBuildRequestTests()
    {
        var options = new DeliveryOptions();
        var http = _services.GetRequiredService<IHttpClientFactory>();
        var tokens = new TokenProvider(
            http, options, new DeliveryMetrics(_services.GetRequiredService<IMeterFactory>()), TimeProvider.System, NullLogger<TokenProvider>.Instance);
        _sender = new WebhookSender(http, tokens, options, TimeProvider.System);
    }

    public void Dispose() => _services.Dispose();

    [Fact]
    public void BuildRequest_SendableValues_EveryHeaderSet()
    {
        using var request = _sender.BuildRequest(
            Stored(new Dictionary<string, string> { ["X-Tenant"] = "acme corp", ["Content-Language"] = "pt-BR" }), DeliveryId.New(), Message(), "{}"u8.ToArray(), "Bearer abc", out var refused);

        Assert.NotNull(request);
        Assert.Null(refused);
        Assert.Equal("acme corp", string.Join(",", request.Headers.NonValidated["X-Tenant"]));
        Assert.Equal("Bearer abc", string.Join(",", request.Headers.NonValidated["Authorization"]));
        Assert.Equal("pt-BR", string.Join(",", request.Content!.Headers.NonValidated["Content-Language"]));
        Assert.True(request.Headers.NonValidated.Contains("webhook-signature"));
        Assert.Equal(DeliveryHttp.UserAgent, string.Join(" ", request.Headers.NonValidated["User-Agent"]));
    }

    [Theory]
    [InlineData("a\tb")]
    [InlineData("a\r\nX-Injected: yes")]
    [InlineData(" a")]
    public void BuildRequest_StoredHeaderNotSendable_NullNamingIt(string value)
    {
        var request = _sender.BuildRequest(Stored(new Dictionary<string, string> { ["X-Legacy"] = value }), DeliveryId.New(), Message(), null, null, out var refused);

        Assert.Null(request);
        Assert.Equal("X-Legacy", refused);
    }

    [Theory]
    [InlineData("Bearer abc\r\nContent-Length: 0\r\n\r\nGET /SMUGGLED HTTP/1.1\r\nHost: victim")]
    [InlineData("Bearer t\u00f4ken")]
    public void BuildRequest_AuthorizationNotSendable_NullNamingAuthorization(string authorization)
    {
        var request = _sender.BuildRequest(Stored(new Dictionary<string, string>()), DeliveryId.New(), Message(), null, authorization, out var refused);

        Assert.Null(request);
        Assert.Equal("Authorization", refused);
    }

    private static Webhook Stored(IReadOnlyDictionary<string, string> headers) => StoredWebhooks.Post(headers, Now);

    private static DeliveryMessage Message() => new(EventId.New(), new ClientId(Guid.NewGuid()), "d1", 0, null, Now);
}
