using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CleanWebhooks.Testing;
using StandardWebhooks;

namespace CleanWebhooks.Delivery.Tests;

/// <summary>
/// Contract section 11 through the real service and real receivers: a test event, a document's deliveries, and
/// recovering failed deliveries after an outage (with the breaker and the webhook's limit, unlike a manual retry).
/// </summary>
public sealed class SupportToolsTests : DeliveryFixture
{
    private volatile bool _down = true;

    public SupportToolsTests()
    {
        // One attempt at a time per webhook, so that the order of attempts (and the breaker's count) is exact.
        Factory.Settings["Delivery:MaxPerWebhook"] = "1";
    }

    [Fact]
    public async Task SendTestEvent_TokenFlowWebhook_ReceiverGetsASignedWebhookTestWithNoDataListedWithItsAttempt()
    {
        Receiver.Respond = (request, _) => request.Path == "/login" ? new ReceiverAnswer(200, """{"access_token": "tok-1"}""") : ReceiverAnswer.Ok;
        using var integrator = await Factory.CreateIntegratorAsync();
        var webhookId = (await integrator.CreateWebhookAsync(new
        {
            name = "Tested",
            type = 0,
            method = "POST",
            url = Receiver.Url("/hook/:id"),
            headers = new Dictionary<string, string> { ["X-Tenant"] = "acme" },
            headerAuth = "Bearer",
            authorizationUrl = Receiver.Url("/login"),
        })).Id();
        var secret = (await integrator.Http.GetFromJsonAsync<JsonElement>($"/api_document/document_webhooks/{webhookId}/secret")).GetProperty("key").GetString()!;

        using var response = await integrator.Http.PostAsync(new Uri($"/api_document/document_webhooks/{webhookId}/test", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var deliveryId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("deliveryId").GetGuid();
        Assert.Equal($"/api_document/document_webhooks/{webhookId}/deliveries/{deliveryId}", response.Headers.Location?.ToString());
        var delivery = await integrator.WaitForStatusAsync(webhookId, deliveryId, "succeeded");
        var documentId = delivery.GetProperty("documentId").GetString()!;
        Assert.StartsWith("test-", documentId, StringComparison.Ordinal);
        Assert.Equal(200, delivery.GetProperty("attempts")[0].GetProperty("statusCode").GetInt32());

        var call = Assert.Single(Receiver.Requests, r => r.Path == "/hook/" + documentId);
        Assert.Equal("Bearer tok-1", call.Header("Authorization"));
        Assert.Equal("acme", call.Header("X-Tenant"));
        Assert.Equal(deliveryId.ToString(), call.Header("webhook-id"));
        new StandardWebhook(secret).Verify(call.Body, SeedScenarioTests.Headers(call));
        var body = JsonSerializer.Deserialize<JsonElement>(call.Body);
        Assert.Equal("webhook.test", body.GetProperty("event").GetString());
        Assert.Equal(documentId, body.GetProperty("id").GetString());
        Assert.Equal(0, body.GetProperty("type").GetInt32());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("data").ValueKind);
        Assert.Equal(webhookId, body.GetProperty("webhookId").GetGuid());

        var listed = await integrator.Http.GetFromJsonAsync<JsonElement>($"/api_document/document_webhooks/{webhookId}/deliveries?documentId={documentId}");
        Assert.Equal(deliveryId, Assert.Single(listed.GetProperty("items").EnumerateArray()).GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task SendTestEvent_WhileTheBreakerHolds_IsAttemptedAtOnceAndItsSuccessClosesTheBreaker()
    {
        Factory.Settings["Delivery:BreakerFailures"] = "2";
        Factory.Settings["Delivery:BreakerPause"] = "00:10:00";
        Receiver.Respond = (_, _) => _down ? new ReceiverAnswer(500, "down") : ReceiverAnswer.Ok;
        using var integrator = await Factory.CreateIntegratorAsync();
        var webhookId = (await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"))).Id();
        var failing = (await Factory.ReportAsync(integrator.ClientId, "d0")).DeliveryId!.Value;
        await integrator.WaitForWebhookAsync(webhookId, w => w.GetProperty("pausedUntil").ValueKind != JsonValueKind.Null);

        _down = false;
        using var response = await integrator.Http.PostAsync(new Uri($"/api_document/document_webhooks/{webhookId}/test", UriKind.Relative), null);
        var test = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("deliveryId").GetGuid();

        // Ten minutes of pause left, yet the test goes now; as the probe, its success closes the breaker for the rest.
        await integrator.WaitForStatusAsync(webhookId, test, "succeeded", TimeSpan.FromSeconds(30));
        await integrator.WaitForStatusAsync(webhookId, failing, "succeeded", TimeSpan.FromSeconds(30));
        Assert.Equal(JsonValueKind.Null, (await integrator.GetWebhookAsync(webhookId)).GetProperty("pausedUntil").ValueKind);
    }

    [Fact]
    public async Task TestAndRecover_WebhookDisabled_Are409AndSendNothing()
    {
        Factory.Settings["Delivery:DisableAfter"] = "00:00:01";
        Factory.Settings["Delivery:BreakerFailures"] = "1000";
        for (var i = 0; i < 10; i++)
        {
            Factory.Settings[$"Delivery:RetrySchedule:{i}"] = "00:00:00.300";
        }

        Receiver.Respond = (_, _) => new ReceiverAnswer(500, "down");
        using var integrator = await Factory.CreateIntegratorAsync();
        var webhookId = (await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"))).Id();
        await Factory.ReportAsync(integrator.ClientId, "d0");
        await integrator.WaitForWebhookAsync(webhookId, w => w.GetProperty("status").GetString() == "disabled");
        var sent = Receiver.Requests.Count;

        using var test = await integrator.Http.PostAsync(new Uri($"/api_document/document_webhooks/{webhookId}/test", UriKind.Relative), null);
        using var recover = await integrator.Http.PostAsJsonAsync(
            $"/api_document/document_webhooks/{webhookId}/deliveries/recover", new { since = DateTimeOffset.UtcNow.AddDays(-1) });

        foreach (var refused in new[] { test, recover })
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Equal("webhook.disabled", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        }

        var deliveries = await integrator.Http.GetFromJsonAsync<JsonElement>($"/api_document/document_webhooks/{webhookId}/deliveries");
        Assert.DoesNotContain(deliveries.GetProperty("items").EnumerateArray(), d => d.GetProperty("documentId").GetString()!.StartsWith("test-", StringComparison.Ordinal));
        Assert.Equal(sent, Receiver.Requests.Count);
    }

    [Fact]
    public async Task ListDeliveries_ByDocumentId_OnlyThatDocumentsNewestFirstWithStatusAndPaging()
    {
        var first = true;
        Receiver.Respond = (request, _) => request.Path == "/hook/doc-a" && Interlocked.Exchange(ref first, false) ? new ReceiverAnswer(410) : ReceiverAnswer.Ok;
        using var integrator = await Factory.CreateIntegratorAsync();
        using var stranger = await Factory.CreateIntegratorAsync("Stranger");
        var webhookId = (await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"))).Id();
        await stranger.CreateWebhookAsync(Receiver.Url("/hook/:id"));
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            var id = (await Factory.ReportAsync(integrator.ClientId, "doc-a")).DeliveryId!.Value;
            await integrator.WaitForStatusAsync(webhookId, id, i == 0 ? "failed" : "succeeded");
            ids.Add(id);
        }

        await Factory.ReportAsync(integrator.ClientId, "doc-b");
        await Factory.ReportAsync(stranger.ClientId, "doc-a");
        var route = $"/api_document/document_webhooks/{webhookId}/deliveries";

        var all = Items(await integrator.Http.GetFromJsonAsync<JsonElement>($"{route}?documentId=doc-a"));
        var failed = Items(await integrator.Http.GetFromJsonAsync<JsonElement>($"{route}?documentId=doc-a&status=failed"));
        var firstPage = await integrator.Http.GetFromJsonAsync<JsonElement>($"{route}?documentId=doc-a&limit=2");
        var cursor = firstPage.GetProperty("nextCursor").GetString();
        var secondPage = await integrator.Http.GetFromJsonAsync<JsonElement>($"{route}?documentId=doc-a&limit=2&cursor={cursor}");
        using var admin = Factory.CreateInternalClient();
        var support = Items(await admin.GetFromJsonAsync<JsonElement>($"/internal/clients/{integrator.ClientId}/deliveries?documentId=doc-a"));

        Assert.Equal(Enumerable.Reverse(ids), all.Select(d => d.GetProperty("id").GetGuid()));
        Assert.All(all, d => Assert.Equal("doc-a", d.GetProperty("documentId").GetString()));
        Assert.Equal(ids[0], Assert.Single(failed).GetProperty("id").GetGuid());
        Assert.Equal(Enumerable.Reverse(ids), Items(firstPage).Concat(Items(secondPage)).Select(d => d.GetProperty("id").GetGuid()));
        Assert.Equal(JsonValueKind.Null, secondPage.GetProperty("nextCursor").ValueKind);
        Assert.Equal(Enumerable.Reverse(ids), support.Select(d => d.GetProperty("id").GetGuid()));
        Assert.Empty(Items(await integrator.Http.GetFromJsonAsync<JsonElement>($"{route}?documentId=DOC-A")));
    }

    [Fact]
    public async Task Recover_FailedInTheWindow_DryRunCountsThenEachIsSentAgainWithItsAttemptsKept()
    {
        Factory.Settings["Delivery:BreakerFailures"] = "1000";
        Receiver.Respond = (request, _) => _down && request.Path != "/hook/ok" ? new ReceiverAnswer(500, "down") : ReceiverAnswer.Ok;
        using var integrator = await Factory.CreateIntegratorAsync();
        var webhookId = (await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"))).Id();
        var since = DateTimeOffset.UtcNow;
        var inWindow = new List<Guid>();
        foreach (var document in new[] { "a1", "a2" })
        {
            var id = (await Factory.ReportAsync(integrator.ClientId, document)).DeliveryId!.Value;
            await integrator.WaitForStatusAsync(webhookId, id, "failed");
            inWindow.Add(id);
        }

        var succeeded = (await Factory.ReportAsync(integrator.ClientId, "ok")).DeliveryId!.Value;
        await integrator.WaitForStatusAsync(webhookId, succeeded, "succeeded");
        var until = DateTimeOffset.UtcNow;
        var after = (await Factory.ReportAsync(integrator.ClientId, "b1")).DeliveryId!.Value;
        await integrator.WaitForStatusAsync(webhookId, after, "failed");
        var route = $"/api_document/document_webhooks/{webhookId}/deliveries/recover";

        using var dryRun = await integrator.Http.PostAsJsonAsync(route, new { since, until, dryRun = true });

        Assert.Equal(HttpStatusCode.OK, dryRun.StatusCode);
        Assert.Equal(2, (await dryRun.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("count").GetInt32());
        Assert.All(inWindow, id => Assert.Equal("failed", integrator.GetDeliveryAsync(webhookId, id).Result.GetProperty("status").GetString()));

        _down = false;
        using var recovered = await integrator.Http.PostAsJsonAsync(route, new { since, until });

        Assert.Equal(HttpStatusCode.Accepted, recovered.StatusCode);
        Assert.Equal(2, (await recovered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("count").GetInt32());
        foreach (var id in inWindow)
        {
            var delivery = await integrator.WaitForStatusAsync(webhookId, id, "succeeded");
            var attempts = delivery.GetProperty("attempts").EnumerateArray().ToList();
            Assert.Equal([1, 2, 3, 4], attempts.Select(a => a.GetProperty("number").GetInt32()));
            Assert.Equal([500, 500, 500, 200], attempts.Select(a => a.GetProperty("statusCode").GetInt32()));
        }

        // Outside the window, or not failed: untouched.
        Assert.Equal(3, (await integrator.GetDeliveryAsync(webhookId, after)).GetProperty("attemptCount").GetInt32());
        Assert.Equal("failed", (await integrator.GetDeliveryAsync(webhookId, after)).GetProperty("status").GetString());
        Assert.Equal(1, (await integrator.GetDeliveryAsync(webhookId, succeeded)).GetProperty("attemptCount").GetInt32());
    }

    [Fact]
    public async Task Recover_WhileTheBreakerHolds_WaitsForThePauseUnlikeAManualRetry()
    {
        Factory.Settings["Delivery:BreakerFailures"] = "3";
        Factory.Settings["Delivery:BreakerPause"] = "00:00:03";
        Receiver.Respond = (request, _) => !_down ? ReceiverAnswer.Ok
            : request.Path.StartsWith("/hook/gone", StringComparison.Ordinal) ? new ReceiverAnswer(410) : new ReceiverAnswer(500, "down");
        using var integrator = await Factory.CreateIntegratorAsync();
        var webhookId = (await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"))).Id();
        var since = DateTimeOffset.UtcNow;
        var gone = new List<Guid>();
        foreach (var document in new[] { "gone-1", "gone-2" })
        {
            var id = (await Factory.ReportAsync(integrator.ClientId, document)).DeliveryId!.Value;
            await integrator.WaitForStatusAsync(webhookId, id, "failed");
            gone.Add(id);
        }

        // The third failure in a row opens the breaker.
        await Factory.ReportAsync(integrator.ClientId, "down");
        var pausedUntil = (await integrator.WaitForWebhookAsync(webhookId, w => w.GetProperty("pausedUntil").ValueKind != JsonValueKind.Null))
            .GetProperty("pausedUntil").GetDateTimeOffset();

        _down = false;
        using var recovered = await integrator.Http.PostAsJsonAsync(
            $"/api_document/document_webhooks/{webhookId}/deliveries/recover", new { since });
        Assert.Equal(2, (await recovered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("count").GetInt32());

        foreach (var id in gone)
        {
            var delivery = await integrator.WaitForStatusAsync(webhookId, id, "succeeded", TimeSpan.FromSeconds(30));
            var again = delivery.GetProperty("attempts")[1].GetProperty("startedAt").GetDateTimeOffset();
            Assert.True(again >= pausedUntil, $"A recovered delivery was attempted at {again:O}, before the breaker's pause ended at {pausedUntil:O}.");
        }
    }

    [Fact]
    public async Task Recover_WebhookThatTakesOneAtATime_NeverHasTwoAttemptsInFlight()
    {
        Factory.Settings["Delivery:BreakerFailures"] = "1000";
        Receiver.Respond = (_, _) => _down ? new ReceiverAnswer(410) : ReceiverAnswer.Ok with { Delay = TimeSpan.FromMilliseconds(100) };
        using var integrator = await Factory.CreateIntegratorAsync();
        var webhookId = (await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"))).Id();
        var since = DateTimeOffset.UtcNow;
        var failed = new List<Guid>();
        for (var i = 0; i < 6; i++)
        {
            var id = (await Factory.ReportAsync(integrator.ClientId, $"slow-{i}")).DeliveryId!.Value;
            await integrator.WaitForStatusAsync(webhookId, id, "failed");
            failed.Add(id);
        }

        _down = false;
        using var recovered = await integrator.Http.PostAsJsonAsync($"/api_document/document_webhooks/{webhookId}/deliveries/recover", new { since });
        Assert.Equal(6, (await recovered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("count").GetInt32());

        var attempts = new List<(DateTimeOffset Start, TimeSpan Duration)>();
        foreach (var id in failed)
        {
            var second = (await integrator.WaitForStatusAsync(webhookId, id, "succeeded", TimeSpan.FromSeconds(30))).GetProperty("attempts")[1];
            attempts.Add((second.GetProperty("startedAt").GetDateTimeOffset(), TimeSpan.FromMilliseconds(second.GetProperty("durationMs").GetInt32())));
        }

        var ordered = attempts.OrderBy(a => a.Start).ToList();
        for (var i = 1; i < ordered.Count; i++)
        {
            Assert.True(
                ordered[i].Start >= ordered[i - 1].Start + ordered[i - 1].Duration - TimeSpan.FromMilliseconds(1),
                $"Two recovered deliveries of a one-at-a-time webhook were in flight at once: {ordered[i - 1].Start:O} + {ordered[i - 1].Duration} and {ordered[i].Start:O}.");
        }
    }

    private static List<JsonElement> Items(JsonElement page) => [.. page.GetProperty("items").EnumerateArray()];
}
