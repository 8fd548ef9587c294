using System.Net.Http.Json;
using System.Text.Json;
using CleanWebhooks.Testing;
using Microsoft.AspNetCore.Http;
using StandardWebhooks;

namespace CleanWebhooks.Delivery.Tests;

/// <summary>The seed page's webhook, end to end: token from the login URL, then the signed call to the receiver.</summary>
public sealed class SeedScenarioTests : IAsyncLifetime
{
    private readonly ApiFactory _factory = new();
    private LoopbackReceiver _server = null!;

    public async Task InitializeAsync() => _server = await LoopbackReceiver.StartAsync();

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task DocumentFinished_SeedWebhook_ReceiverGetsSignedEnvelopeWithFetchedToken()
    {
        _server.Respond = (request, _) => request.Path == "/login"
            ? request.Body == "username=root&password=root" && request.Header("Content-Type") == "application/x-www-form-urlencoded"
                ? new ReceiverAnswer(200, """{"access_token": "token-123", "expires_in": 3600}""")
                : new ReceiverAnswer(400, "bad credentials")
            : ReceiverAnswer.Ok;
        using var integrator = await _factory.CreateIntegratorAsync();
        var webhook = await integrator.CreateWebhookAsync(new
        {
            name = "Webhook 1",
            type = 0,
            method = "POST",
            headers = new Dictionary<string, string> { ["Content-Type"] = "application/json", ["X-Tenant"] = "acme" },
            headerAuth = "Bearer",
            url = _server.Url("/ocr_feedback/:id"),
            authorizationUrl = _server.Url("/login"),
            authorizationMethod = "POST",
            authorizationHeaders = new Dictionary<string, string> { ["Content-Type"] = "application/x-www-form-urlencoded" },
            authorizationBody = new { username = "root", password = "root" },
            authorizationResponseTokenAttr = "access_token",
        });

        var (eventId, deliveryId) = await _factory.ReportAsync(integrator.ClientId, "doc-42", new { pages = 3 });

        var requests = await _server.WaitForAsync(2);
        Assert.Equal("/login", requests[0].Path);
        var call = requests[1];
        Assert.Equal("POST", call.Method);
        Assert.Equal("/ocr_feedback/doc-42", call.Path);
        Assert.Equal("Bearer token-123", call.Header("Authorization"));
        Assert.Equal("acme", call.Header("X-Tenant"));
        Assert.StartsWith("application/json", call.Header("Content-Type"), StringComparison.Ordinal);
        Assert.StartsWith("CleanWebhooks/", call.Header("User-Agent"), StringComparison.Ordinal);
        Assert.Equal(deliveryId.ToString(), call.Header("webhook-id"));

        using var envelope = JsonDocument.Parse(call.Body);
        var root = envelope.RootElement;
        Assert.Equal("doc-42", root.GetProperty("id").GetString());
        Assert.Equal(0, root.GetProperty("type").GetInt32());
        Assert.Equal("document.finished", root.GetProperty("event").GetString());
        Assert.Equal(integrator.ClientId, root.GetProperty("clientId").GetGuid());
        Assert.Equal(webhook.Id(), root.GetProperty("webhookId").GetGuid());
        Assert.Equal(deliveryId, root.GetProperty("deliveryId").GetGuid());
        Assert.Equal(3, root.GetProperty("data").GetProperty("pages").GetInt32());
        Assert.True(root.TryGetProperty("occurredAt", out _));

        // Verified as a receiver would, with the StandardWebhooks package and the secret from our API.
        var secret = await integrator.Http.GetFromJsonAsync<JsonElement>($"/api_document/document_webhooks/{webhook.Id()}/secret");
        var verifier = new StandardWebhook(secret.GetProperty("key").GetString()!);
        verifier.Verify(call.Body, Headers(call));

        var delivery = await integrator.WaitForStatusAsync(webhook.Id(), deliveryId!.Value, "succeeded");
        Assert.Equal(eventId, delivery.GetProperty("eventId").GetGuid());
        Assert.Equal(1, delivery.GetProperty("attemptCount").GetInt32());
        var attempt = Assert.Single(delivery.GetProperty("attempts").EnumerateArray());
        Assert.Equal(200, attempt.GetProperty("statusCode").GetInt32());
        Assert.Equal("ok", attempt.GetProperty("responseExcerpt").GetString());
    }

    [Fact]
    public async Task Signature_TamperedBody_FailsVerification()
    {
        using var integrator = await _factory.CreateIntegratorAsync();
        var webhook = await integrator.CreateWebhookAsync(_server.Url("/hook/:id"));
        await _factory.ReportAsync(integrator.ClientId, "doc-1");
        var call = (await _server.WaitForAsync(1))[0];
        var secret = await integrator.Http.GetFromJsonAsync<JsonElement>($"/api_document/document_webhooks/{webhook.Id()}/secret");
        var verifier = new StandardWebhook(secret.GetProperty("key").GetString()!);

        Assert.ThrowsAny<Exception>(() => verifier.Verify(call.Body.Replace("doc-1", "doc-2", StringComparison.Ordinal), Headers(call)));
    }

    internal static HeaderDictionary Headers(ReceivedRequest request) => new()
    {
        ["webhook-id"] = request.Header("webhook-id"),
        ["webhook-timestamp"] = request.Header("webhook-timestamp"),
        ["webhook-signature"] = request.Header("webhook-signature"),
    };
}
