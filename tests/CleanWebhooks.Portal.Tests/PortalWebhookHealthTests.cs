using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CleanWebhooks.Portal.Tests;

/// <summary>
/// The portal's service with the endpoint health turned down so that it shows within seconds, through the real
/// delivery path: three failures in a row open the breaker for ten minutes, and a webhook whose attempts have all
/// failed for three seconds is disabled. Retries come two seconds apart (±20 %), so one failing delivery's third
/// failure comes after the three seconds and disables its webhook before the breaker could open; several deliveries
/// failing at once open the breaker first.
/// </summary>
public sealed class WebhookHealthPortalService : PortalService
{
    public WebhookHealthPortalService()
    {
        Factory.Settings["Delivery:BreakerFailures"] = "3";
        Factory.Settings["Delivery:BreakerPause"] = "00:10:00";
        Factory.Settings["Delivery:DisableAfter"] = "00:00:03";
        for (var i = 0; i < 6; i++)
        {
            Factory.Settings[$"Delivery:RetrySchedule:{i}"] = "00:00:02";
        }
    }
}

/// <summary>A webhook's health in the portal (contract section 5): the disabled and paused badges, and enabling again.</summary>
public sealed class PortalWebhookHealthTests(WebhookHealthPortalService service) : IClassFixture<WebhookHealthPortalService>
{
    private ApiFactory Factory => service.Factory;

    private LoopbackReceiver Receiver => service.Receiver;

    [Fact]
    public async Task DisabledWebhook_EnabledInThePortal_IsActiveAndDeliversOnceTheReceiverRecovers()
    {
        var recovered = false;
        Receiver.Respond = (request, _) => request.Path.StartsWith("/sick/", StringComparison.Ordinal) && !recovered
            ? new ReceiverAnswer(500, "down for maintenance")
            : ReceiverAnswer.Ok;
        using var integrator = await Factory.CreateIntegratorAsync("Sick Inc");
        var webhookId = await integrator.CreateWebhookAsync("Sick receiver", Receiver.Url("/sick/:id"));
        var failing = await Factory.ReportAsync(integrator.ClientId, "doc-sick-1");
        var disabled = await integrator.WaitForWebhookAsync(webhookId, w => w.GetProperty("status").GetString() == "disabled");
        var reason = disabled.GetProperty("disabledReason").GetString();
        Assert.False(string.IsNullOrEmpty(reason));
        var held = await Factory.ReportAsync(integrator.ClientId, "doc-sick-2");
        var session = await Factory.OpenPortalSessionAsync(integrator.ClientId);

        await service.InPageAsync(nameof(DisabledWebhook_EnabledInThePortal_IsActiveAndDeliversOnceTheReceiverRecovers), async page =>
        {
            await page.GotoAsync(session.Url);
            var listed = page.Locator($"#webhooks tr[data-webhook-id='{webhookId}'] .badge");
            await Expect(listed).ToHaveClassAsync("badge disabled");
            await Expect(listed).ToHaveTextAsync($"Disabled: {reason}");

            await page.GetByRole(AriaRole.Link, new() { Name = "Sick receiver" }).ClickAsync();
            var badge = page.Locator("#health .badge");
            await Expect(badge).ToHaveClassAsync("badge disabled");
            await Expect(badge).ToHaveTextAsync($"Disabled: {reason}");

            // The button to enable it stands beside its health, not among the secret's buttons.
            await Expect(page.Locator("#health #enable-webhook")).ToHaveCountAsync(1);
            await Expect(page.Locator("#signing-secret #enable-webhook")).ToHaveCountAsync(0);

            recovered = true;
            await page.Locator("#enable-webhook").ClickAsync();
            // Redirected after the post, so that a reload does not send the form again.
            await Expect(page).ToHaveURLAsync(new Uri(service.ServiceUrl, $"/portal/webhooks/{webhookId}").ToString());
            await Expect(badge).ToHaveClassAsync("badge active");
            await Expect(badge).ToHaveTextAsync("Active");
            await Expect(page.Locator("#enable-webhook")).ToHaveCountAsync(0);

            // The deliveries it held, the one that failed and the one reported while disabled, go out now.
            await PageChecks.ReloadUntilAsync(page, $"#deliveries tr[data-delivery-id='{held}'] .badge.succeeded");
            await PageChecks.ReloadUntilAsync(page, $"#deliveries tr[data-delivery-id='{failing}'] .badge.succeeded");
        });

        var active = await integrator.WaitForWebhookAsync(webhookId, _ => true);
        Assert.Equal("active", active.GetProperty("status").GetString());
        Assert.Contains(Receiver.Requests, r => r.Path == "/sick/doc-sick-2");
    }

    [Fact]
    public async Task BreakerOpen_WebhookShownPausedUntilItCloses_InTheBrowsersLanguage()
    {
        Receiver.Respond = (request, _) => request.Path.StartsWith("/tripped/", StringComparison.Ordinal)
            ? new ReceiverAnswer(503, "overloaded")
            : ReceiverAnswer.Ok;
        using var integrator = await Factory.CreateIntegratorAsync("Tripped Ltda");
        var webhookId = await integrator.CreateWebhookAsync("Receptor sobrecarregado", Receiver.Url("/tripped/:id"));
        for (var i = 1; i <= 3; i++)
        {
            await Factory.ReportAsync(integrator.ClientId, $"doc-tripped-{i}");
        }

        var paused = await integrator.WaitForWebhookAsync(webhookId, w => w.GetProperty("pausedUntil").ValueKind == JsonValueKind.String);
        Assert.Equal("active", paused.GetProperty("status").GetString());
        var pausedUntil = paused.GetProperty("pausedUntil").GetDateTimeOffset();
        var session = await Factory.OpenPortalSessionAsync(integrator.ClientId);

        await service.InPageAsync(nameof(BreakerOpen_WebhookShownPausedUntilItCloses_InTheBrowsersLanguage), async page =>
        {
            await page.GotoAsync(session.Url);
            var listed = page.Locator($"#webhooks tr[data-webhook-id='{webhookId}'] .badge");
            await Expect(listed).ToHaveClassAsync("badge paused");
            await Expect(listed).ToContainTextAsync("Pausado após falhas seguidas até");

            await page.GotoAsync($"/portal/webhooks/{webhookId}");
            var badge = page.Locator("#health .badge");
            await Expect(badge).ToHaveClassAsync("badge paused");
            await Expect(badge).ToContainTextAsync("Pausado após falhas seguidas até");

            // Paused is not disabled: the breaker closes by itself, so there is nothing to enable.
            await Expect(page.Locator("#enable-webhook")).ToHaveCountAsync(0);

            // Held deliveries go after the pause: none shows an earlier time.
            var next = page.Locator("#deliveries tr:has(.badge.pending) td.next");
            await Expect(next).ToHaveCountAsync(3);
            foreach (var shown in await next.AllTextContentsAsync())
            {
                var at = DateTimeOffset.ParseExact(shown.Trim(), "yyyy-MM-dd HH:mm:ss zzz", System.Globalization.CultureInfo.InvariantCulture);
                Assert.True(at >= pausedUntil.AddTicks(-(pausedUntil.Ticks % TimeSpan.TicksPerSecond)), $"Next attempt {shown} before the pause ends at {pausedUntil:O}.");
            }
        }, locale: "pt-BR");
    }

    [Fact]
    public async Task DisabledWebhook_InAPortuguesePage_ReasonInWordsAndNoUtcTimes()
    {
        Receiver.Respond = (request, _) => request.Path.StartsWith("/down-pt/", StringComparison.Ordinal) ? new ReceiverAnswer(500, "fora do ar") : ReceiverAnswer.Ok;
        using var integrator = await Factory.CreateIntegratorAsync("Fora do Ar Ltda");
        var webhookId = await integrator.CreateWebhookAsync("Receptor fora do ar", Receiver.Url("/down-pt/:id"));
        await Factory.ReportAsync(integrator.ClientId, "doc-pt-1");
        await integrator.WaitForWebhookAsync(webhookId, w => w.GetProperty("status").GetString() == "disabled");
        var session = await Factory.OpenPortalSessionAsync(integrator.ClientId);

        await service.InPageAsync(nameof(DisabledWebhook_InAPortuguesePage_ReasonInWordsAndNoUtcTimes), async page =>
        {
            await page.GotoAsync(session.Url);
            var listed = page.Locator($"#webhooks tr[data-webhook-id='{webhookId}'] .badge");
            await Expect(listed).ToHaveTextAsync("Desativado: Todas as tentativas falharam por 3 segundos.");

            foreach (var address in new[] { $"/portal/webhooks/{webhookId}", "/portal" })
            {
                await page.GotoAsync(address);
                var text = await page.Locator("body").InnerTextAsync();
                Assert.Contains("Todas as tentativas falharam por 3 segundos.", text, StringComparison.Ordinal);
                Assert.DoesNotMatch(@"\d{2}:\d{2}:\d{2}(\.\d+)?Z", text);
                Assert.DoesNotContain("00:00:03", text, StringComparison.Ordinal);
                Assert.DoesNotContain("Every attempt", text, StringComparison.Ordinal);
            }
        }, locale: "pt-BR");
    }
}
