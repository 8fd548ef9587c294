using System.Net;
using System.Text;

namespace CleanWebhooks.Delivery.Tests;

/// <summary>
/// The README's OAuth2 client-credentials recipe through the existing token flow, against a token endpoint on
/// 127.0.0.1 that behaves like an OAuth2 server (RFC 6749 section 4.4): <c>client_secret_post</c> and
/// <c>client_secret_basic</c>, <c>expires_in</c>, and <c>invalid_client</c> for wrong credentials.
/// </summary>
public sealed class OAuth2ClientCredentialsTests : DeliveryFixture
{
    private const string ClientId = "cleanwebhooks";
    private const string ClientSecret = "s3cr3t:+/ é";
    private int _issued;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Receiver.Respond = (request, _) => request.Path == "/oauth2/token" ? Token(request) : ReceiverAnswer.Ok;
    }

    private int ExpiresIn { get; set; } = 3600;

    [Fact]
    public async Task ClientSecretPost_ThreeDeliveries_OneTokenKeptUntilExpiresInAndSentAsBearer()
    {
        using var integrator = await Factory.CreateIntegratorAsync();
        await integrator.CreateWebhookAsync(Webhook(new Dictionary<string, string> { ["Content-Type"] = "application/x-www-form-urlencoded" },
            new { grant_type = "client_credentials", client_id = ClientId, client_secret = ClientSecret, scope = "webhooks" }));

        for (var i = 0; i < 3; i++)
        {
            await Factory.ReportAsync(integrator.ClientId, $"d{i}");
            await Receiver.WaitForAsync(i + 2);
        }

        Assert.Equal(1, Receiver.Requests.Count(r => r.Path == "/oauth2/token"));
        Assert.All(Receiver.Requests.Where(r => r.Path != "/oauth2/token"), r => Assert.Equal("Bearer token-1", r.Header("Authorization")));
    }

    [Fact]
    public async Task ClientSecretBasic_ExpiresInWithinTheMargin_ANewTokenForEachDelivery()
    {
        ExpiresIn = 30;
        using var integrator = await Factory.CreateIntegratorAsync();
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{WebUtility.UrlEncode(ClientId)}:{WebUtility.UrlEncode(ClientSecret)}"));
        await integrator.CreateWebhookAsync(Webhook(
            new Dictionary<string, string> { ["Content-Type"] = "application/x-www-form-urlencoded", ["Authorization"] = $"Basic {basic}" },
            new { grant_type = "client_credentials", scope = "webhooks" }));

        await Factory.ReportAsync(integrator.ClientId, "d1");
        await Receiver.WaitForAsync(2);
        await Factory.ReportAsync(integrator.ClientId, "d2");
        await Receiver.WaitForAsync(4);

        Assert.Equal(["/oauth2/token", "/hook/d1", "/oauth2/token", "/hook/d2"], Receiver.Requests.Select(r => r.Path));
        Assert.Equal(["Bearer token-1", "Bearer token-2"], Receiver.Requests.Where(r => r.Path != "/oauth2/token").Select(r => r.Header("Authorization")));
    }

    [Fact]
    public async Task WrongClientSecret_InvalidClient_NothingSentAndTokenUnavailable()
    {
        using var integrator = await Factory.CreateIntegratorAsync();
        var webhook = await integrator.CreateWebhookAsync(Webhook(new Dictionary<string, string> { ["Content-Type"] = "application/x-www-form-urlencoded" },
            new { grant_type = "client_credentials", client_id = ClientId, client_secret = "wrong" }));

        var (_, deliveryId) = await Factory.ReportAsync(integrator.ClientId, "d1");

        var delivery = await integrator.WaitForStatusAsync(webhook.Id(), deliveryId!.Value, "failed");
        Assert.All(delivery.GetProperty("attempts").EnumerateArray(), a => Assert.Equal("token_unavailable", a.GetProperty("error").GetString()));
        Assert.All(Receiver.Requests, r => Assert.Equal("/oauth2/token", r.Path));
    }

    private object Webhook(Dictionary<string, string> authorizationHeaders, object authorizationBody) => new
    {
        name = "Documents",
        type = 0,
        method = "POST",
        headerAuth = "Bearer",
        url = Receiver.Url("/hook/:id"),
        authorizationUrl = Receiver.Url("/oauth2/token"),
        authorizationHeaders,
        authorizationBody,
        authorizationResponseTokenAttr = "access_token",
    };

    /// <summary>What an OAuth2 token endpoint answers a client-credentials request (RFC 6749 sections 2.3.1, 4.4 and 5).</summary>
    private ReceiverAnswer Token(ReceivedRequest request)
    {
        if (request.Method != "POST" || request.Header("Content-Type")?.StartsWith("application/x-www-form-urlencoded", StringComparison.Ordinal) != true)
        {
            return Error(400, "invalid_request");
        }

        var form = request.Body.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(p => WebUtility.UrlDecode(p[0]), p => WebUtility.UrlDecode(p.Length > 1 ? p[1] : ""));
        if (form.GetValueOrDefault("grant_type") != "client_credentials")
        {
            return Error(400, "unsupported_grant_type");
        }

        string? id, secret;
        var usedBasic = request.Header("Authorization") is { } authorization && authorization.StartsWith("Basic ", StringComparison.Ordinal);
        if (usedBasic)
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(request.Header("Authorization")!["Basic ".Length..])).Split(':', 2);
            (id, secret) = (WebUtility.UrlDecode(pair[0]), WebUtility.UrlDecode(pair.ElementAtOrDefault(1)));
        }
        else
        {
            (id, secret) = (form.GetValueOrDefault("client_id"), form.GetValueOrDefault("client_secret"));
        }

        if (id != ClientId || secret != ClientSecret)
        {
            // A client that authenticated with Basic is told 401; one that sent its credentials in the body, 400.
            return Error(usedBasic ? 401 : 400, "invalid_client");
        }

        var token = $"token-{Interlocked.Increment(ref _issued)}";
        return new ReceiverAnswer(200, $$"""{"access_token": "{{token}}", "token_type": "Bearer", "expires_in": {{ExpiresIn}}, "scope": "webhooks"}""",
            new Dictionary<string, string> { ["Content-Type"] = "application/json", ["Cache-Control"] = "no-store" });
    }

    private static ReceiverAnswer Error(int status, string error) =>
        new(status, $$"""{"error": "{{error}}"}""", new Dictionary<string, string> { ["Content-Type"] = "application/json" });
}
