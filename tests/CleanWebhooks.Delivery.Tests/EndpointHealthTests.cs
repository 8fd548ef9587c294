using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using CleanWebhooks.Testing;
using StandardWebhooks;

namespace CleanWebhooks.Delivery.Tests;

/// <summary>Contract section 5 through the real service: the circuit breaker, auto-disable, enable, and the platform's alert.</summary>
public sealed class EndpointHealthTests : DeliveryFixture
{
    private volatile bool _down = true;

    public EndpointHealthTests()
    {
        // One attempt at a time per webhook, so that the order of attempts (and the breaker's count) is exact.
        Factory.Settings["Delivery:MaxPerWebhook"] = "1";
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Receiver.Respond = (_, _) => _down ? new ReceiverAnswer(500, "down") : ReceiverAnswer.Ok;
    }

    [Fact]
    public async Task BreakerAfterThreeFailures_HoldsThenProbes_SuccessClosesIt()
    {
        Factory.Settings["Delivery:BreakerFailures"] = "3";
        Factory.Settings["Delivery:BreakerPause"] = "00:00:02";
        using var integrator = await Factory.CreateIntegratorAsync();
        var webhookId = (await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"))).Id();
        var deliveries = new List<Guid>();
        for (var i = 0; i < 4; i++)
        {
            deliveries.Add((await Factory.ReportAsync(integrator.ClientId, $"d{i}")).DeliveryId!.Value);
        }

        var paused = await integrator.WaitForWebhookAsync(webhookId, w => w.GetProperty("pausedUntil").ValueKind != JsonValueKind.Null);
        var pausedUntil = paused.GetProperty("pausedUntil").GetDateTimeOffset();
        Assert.Equal("active", paused.GetProperty("status").GetString());
        Assert.Equal(3, Receiver.Requests.Count); // the third failure opened it, and nothing was attempted since

        _down = false;
        foreach (var id in deliveries)
        {
            await integrator.WaitForStatusAsync(webhookId, id, "succeeded", TimeSpan.FromSeconds(30));
        }

        // The first attempt after the three failures (the probe) waited for the pause to end; its success closed the breaker.
        var starts = new List<DateTimeOffset>();
        foreach (var id in deliveries)
        {
            var delivery = await integrator.GetDeliveryAsync(webhookId, id);
            starts.AddRange(delivery.GetProperty("attempts").EnumerateArray().Select(a => a.GetProperty("startedAt").GetDateTimeOffset()));
        }

        var probe = starts.Order().ElementAt(3);
        Assert.True(probe >= pausedUntil, $"The probe started at {probe:O}, before the pause ended at {pausedUntil:O}.");
        var closed = await integrator.GetWebhookAsync(webhookId);
        Assert.Equal(JsonValueKind.Null, closed.GetProperty("pausedUntil").ValueKind);
    }

    [Fact]
    public async Task BreakerProbeFails_PauseDoubles()
    {
        // One attempt at a time, so that the count of requests does not depend on how the reports and the failures
        // interleave (an attempt in flight when the breaker opens is still made).
        Factory.Settings["Delivery:InitialWindow"] = "1";
        Factory.Settings["Delivery:BreakerFailures"] = "2";
        Factory.Settings["Delivery:BreakerPause"] = "00:00:02";
        using var integrator = await Factory.CreateIntegratorAsync();
        var webhookId = (await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"))).Id();
        var deliveries = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            deliveries.Add((await Factory.ReportAsync(integrator.ClientId, $"d{i}")).DeliveryId!.Value);
        }

        // Read from the attempts the service recorded, not from when this test happened to look: on a busy machine a
        // poll can come after the next probe, and the pauses are still there to check in the record.
        List<DateTimeOffset> starts = [];
        var pausedUntil = DateTimeOffset.MinValue;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (starts.Count < 3 || pausedUntil - starts[^1] < TimeSpan.FromSeconds(3))
        {
            Assert.True(DateTime.UtcNow < deadline, $"No probe failed after the first pause: attempts at {string.Join(", ", starts.Select(s => s.ToString("O")))}.");
            await Task.Delay(25);
            starts = await AttemptStartsAsync(integrator, webhookId, deliveries);
            pausedUntil = (await integrator.GetWebhookAsync(webhookId)).GetProperty("pausedUntil") is { ValueKind: JsonValueKind.String } p
                ? p.GetDateTimeOffset()
                : DateTimeOffset.MinValue;
        }

        // Two failures back to back open the breaker; each probe waits out the pause before it, and each failed probe
        // doubles the pause: 2 s, then 4 s (then 8 s, if a slow poll let another probe through).
        Assert.True(starts[1] - starts[0] < TimeSpan.FromSeconds(2), $"The second failure came {starts[1] - starts[0]} after the first.");
        var pause = TimeSpan.FromSeconds(2);
        for (var probe = 2; probe < starts.Count; probe++, pause *= 2)
        {
            Assert.True(starts[probe] - starts[probe - 1] >= pause, $"Probe {probe - 1} came {starts[probe] - starts[probe - 1]} after the attempt before it, within its pause of {pause}.");
        }

        Assert.True(pausedUntil - starts[^1] >= pause, $"Paused until {pausedUntil:O} after the probe at {starts[^1]:O}: not twice the pause before it ({pause / 2}).");
    }

    /// <summary>Every attempt's start, as the service recorded it, oldest first.</summary>
    private static async Task<List<DateTimeOffset>> AttemptStartsAsync(Integrator integrator, Guid webhookId, IEnumerable<Guid> deliveries)
    {
        var starts = new List<DateTimeOffset>();
        foreach (var id in deliveries)
        {
            var delivery = await integrator.GetDeliveryAsync(webhookId, id);
            starts.AddRange(delivery.GetProperty("attempts").EnumerateArray().Select(a => a.GetProperty("startedAt").GetDateTimeOffset()));
        }

        return [.. starts.Order()];
    }

    [Fact]
    public async Task RetryWhileBreakerHolds_IsAttemptedAtOnce_AndItsSuccessClosesTheBreaker()
    {
        Factory.Settings["Delivery:BreakerFailures"] = "2";
        Factory.Settings["Delivery:BreakerPause"] = "00:10:00";
        using var integrator = await Factory.CreateIntegratorAsync();
        var webhookId = (await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"))).Id();
        var failing = (await Factory.ReportAsync(integrator.ClientId, "d0")).DeliveryId!.Value;
        await integrator.WaitForWebhookAsync(webhookId, w => w.GetProperty("pausedUntil").ValueKind != JsonValueKind.Null);
        var held = (await Factory.ReportAsync(integrator.ClientId, "d1")).DeliveryId!.Value;
        Assert.Equal(0, (await integrator.GetDeliveryAsync(webhookId, held)).GetProperty("attemptCount").GetInt32());

        _down = false;
        using var retry = await integrator.Http.PostAsync(new Uri($"/api_document/document_webhooks/{webhookId}/deliveries/{held}/retry", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);

        // Ten minutes of pause left, yet the retried delivery goes now; its success closes the breaker for the rest.
        await integrator.WaitForStatusAsync(webhookId, held, "succeeded", TimeSpan.FromSeconds(30));
        await integrator.WaitForStatusAsync(webhookId, failing, "succeeded", TimeSpan.FromSeconds(30));
        Assert.Equal(JsonValueKind.Null, (await integrator.GetWebhookAsync(webhookId)).GetProperty("pausedUntil").ValueKind);
    }

    [Fact]
    public async Task FailingLongerThanDisableAfter_Disabled_HoldsNewDeliveries_AlertsSigned_EnableDeliversThem()
    {
        await using var platform = await LoopbackReceiver.StartAsync();
        var alertSecret = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        Factory.Settings["Alerts:Url"] = platform.Url("/alerts");
        Factory.Settings["Alerts:Secret"] = alertSecret;
        Factory.Settings["Delivery:DisableAfter"] = "00:00:01";
        Factory.Settings["Delivery:BreakerFailures"] = "1000";
        for (var i = 0; i < 10; i++)
        {
            Factory.Settings[$"Delivery:RetrySchedule:{i}"] = "00:00:00.300";
        }

        using var integrator = await Factory.CreateIntegratorAsync();
        var webhookId = (await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"))).Id();
        var first = (await Factory.ReportAsync(integrator.ClientId, "d0")).DeliveryId!.Value;

        var disabled = await integrator.WaitForWebhookAsync(webhookId, w => w.GetProperty("status").GetString() == "disabled");
        var sentBeforeDisable = Receiver.Requests.Count;
        Assert.Equal(JsonValueKind.String, disabled.GetProperty("disabledAt").ValueKind);
        Assert.False(string.IsNullOrEmpty(disabled.GetProperty("disabledReason").GetString()));

        // The platform hears of it: one POST, signed like a delivery with Alerts:Secret.
        var alert = (await platform.WaitForAsync(1, TimeSpan.FromSeconds(30)))[0];
        new StandardWebhook(alertSecret).Verify(alert.Body, SeedScenarioTests.Headers(alert));
        var alertBody = JsonSerializer.Deserialize<JsonElement>(alert.Body);
        Assert.Equal("webhook.disabled", alertBody.GetProperty("type").GetString());
        Assert.Equal(integrator.ClientId, alertBody.GetProperty("clientId").GetGuid());
        Assert.Equal(webhookId, alertBody.GetProperty("webhookId").GetGuid());
        Assert.Equal(disabled.GetProperty("disabledReason").GetString(), alertBody.GetProperty("reason").GetString());
        Assert.True(alertBody.TryGetProperty("disabledAt", out _));

        // While disabled: a new event still creates a delivery, held as pending; a manual retry is refused.
        var held = (await Factory.ReportAsync(integrator.ClientId, "d1")).DeliveryId!.Value;
        using var retry = await integrator.Http.PostAsync(new Uri($"/api_document/document_webhooks/{webhookId}/deliveries/{held}/retry", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Conflict, retry.StatusCode);

        // Another client's delivery goes out meanwhile: the dispatcher was claiming, and passed the disabled webhook by.
        await using var other = await LoopbackReceiver.StartAsync();
        using var otherIntegrator = await Factory.CreateIntegratorAsync("Other");
        await otherIntegrator.CreateWebhookAsync(other.Url("/hook/:id"));
        await Factory.ReportAsync(otherIntegrator.ClientId, "o1");
        await other.WaitForAsync(1, TimeSpan.FromSeconds(30));
        Assert.Equal(sentBeforeDisable, Receiver.Requests.Count);
        var heldDelivery = await integrator.GetDeliveryAsync(webhookId, held);
        Assert.Equal("pending", heldDelivery.GetProperty("status").GetString());
        Assert.Equal(0, heldDelivery.GetProperty("attemptCount").GetInt32());

        _down = false;
        using var enable = await integrator.Http.PostAsync(new Uri($"/api_document/document_webhooks/{webhookId}/enable", UriKind.Relative), null);
        var enabled = await enable.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.OK, enable.StatusCode);
        Assert.Equal("active", enabled.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, enabled.GetProperty("disabledAt").ValueKind);
        Assert.Equal(JsonValueKind.Null, enabled.GetProperty("disabledReason").ValueKind);

        await integrator.WaitForStatusAsync(webhookId, held, "succeeded", TimeSpan.FromSeconds(30));
        await integrator.WaitForStatusAsync(webhookId, first, "succeeded", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Enable_UnknownOrOtherClientsWebhook_Returns404()
    {
        using var owner = await Factory.CreateIntegratorAsync("Owner");
        using var stranger = await Factory.CreateIntegratorAsync("Stranger");
        var webhookId = (await owner.CreateWebhookAsync(Receiver.Url("/hook/:id"))).Id();

        using var unknown = await owner.Http.PostAsync(new Uri($"/api_document/document_webhooks/{Guid.NewGuid()}/enable", UriKind.Relative), null);
        using var foreign = await stranger.Http.PostAsync(new Uri($"/api_document/document_webhooks/{webhookId}/enable", UriKind.Relative), null);
        using var own = await owner.Http.PostAsync(new Uri($"/api_document/document_webhooks/{webhookId}/enable", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
    }
}
