using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CleanWebhooks.Portal.Tests;

/// <summary>The portal's service with a long delivery timeout, so that an attempt can stay in flight while a page shows it.</summary>
public sealed class LayoutPortalService : PortalService
{
    public LayoutPortalService() => Factory.Settings["Delivery:Timeout"] = "00:00:30";
}

/// <summary>
/// The portal on a phone and on a desktop (contract section 11): no page wider than the window at 390 px, urls that
/// wrap between their parts, each hour's attempts written out, and "in progress" instead of a lease's end.
/// </summary>
public sealed class PortalLayoutTests(LayoutPortalService service) : IClassFixture<LayoutPortalService>
{
    /// <summary>A url as integrators write them: long, with a query, an encoded url inside, and the :id in its path.</summary>
    private const string LongPath =
        "/erp/integrations/documents/:id/feedback?tenant=acme-industries-latin-america&region=south-east&format=json&callback=https%3A%2F%2Fexample.com%2Fhook";

    private const string LongDocumentId = "invoice-2026-12-07-acme-industries-latin-america-0001234567";

    private ApiFactory Factory => service.Factory;

    private LoopbackReceiver Receiver => service.Receiver;

    [Theory]
    [InlineData("pt-BR")]
    [InlineData("en-US")]
    public async Task EveryPage_OnAPhone_IsNoWiderThanTheScreen(string locale)
    {
        Receiver.Respond = (request, _) => request.Path.Contains("invoice-", StringComparison.Ordinal)
            ? new ReceiverAnswer(410, "{\"error\":\"" + new string('x', 900) + "\",\"trace\":\"" + new string('7', 100) + "\"}")
            : ReceiverAnswer.Ok;
        using var integrator = await Factory.CreateIntegratorAsync("Phone user");
        var webhookId = await integrator.CreateWebhookAsync("Acme ERP feedback for documents", Receiver.Url(LongPath));
        await Factory.ReportAsync(integrator.ClientId, "doc-ok");
        var failing = await Factory.ReportAsync(integrator.ClientId, LongDocumentId);
        await integrator.WaitForAttemptsAsync(webhookId, failing, 1);
        var session = await Factory.OpenPortalSessionAsync(integrator.ClientId);

        await service.InPageAsync(nameof(EveryPage_OnAPhone_IsNoWiderThanTheScreen) + "-" + locale, async page =>
        {
            await page.GotoAsync(session.Url);
            await Expect(page.Locator("#webhooks")).ToBeVisibleAsync();
            Assert.Equal(390, await page.EvaluateAsync<int>("() => window.innerWidth"));
            await PageChecks.AssertNoWiderThanTheWindowAsync(page);

            foreach (var address in new[]
            {
                $"/portal?documentId={LongDocumentId}",
                $"/portal/webhooks/{webhookId}",
                $"/portal/webhooks/{webhookId}?status=failed&documentId={LongDocumentId}",
                $"/portal/webhooks/{webhookId}/deliveries/{failing}",
                $"/portal/webhooks/{webhookId}/delete",
                "/portal/expired",
            })
            {
                await page.GotoAsync(address);
                await PageChecks.AssertNoWiderThanTheWindowAsync(page);
            }

            // The recovery's count, and the secret, shown on the webhook's page.
            await page.GotoAsync($"/portal/webhooks/{webhookId}");
            await page.Locator("#count-recoverable").ClickAsync();
            await Expect(page.Locator("#recover-preview")).ToHaveAttributeAsync("data-count", "1");
            await PageChecks.AssertNoWiderThanTheWindowAsync(page);
            await page.Locator("#reveal-secret").ClickAsync();
            await Expect(page.Locator("#secret")).ToBeVisibleAsync();
            await PageChecks.AssertNoWiderThanTheWindowAsync(page);
        }, locale, phone: true);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task LongUrl_OnADesktopOrAPhone_WrapsOnlyBetweenItsParts(bool phone)
    {
        using var integrator = await Factory.CreateIntegratorAsync("Wrapper");
        var webhookId = await integrator.CreateWebhookAsync("Wrapped", Receiver.Url(LongPath));
        var session = await Factory.OpenPortalSessionAsync(integrator.ClientId);

        await service.InPageAsync(nameof(LongUrl_OnADesktopOrAPhone_WrapsOnlyBetweenItsParts) + (phone ? "-phone" : "-desktop"), async page =>
        {
            if (!phone)
            {
                await page.SetViewportSizeAsync(1280, 800);
            }

            await page.GotoAsync(session.Url);
            var listed = page.Locator($"#webhooks tr[data-webhook-id='{webhookId}'] code.url");
            await Expect(listed).ToHaveTextAsync(Receiver.Url(LongPath));
            Assert.Empty(await PageChecks.UnexpectedBreaksAsync(listed));

            await page.GotoAsync($"/portal/webhooks/{webhookId}");
            var shown = page.Locator("#webhook-url");
            await Expect(shown).ToHaveTextAsync(Receiver.Url(LongPath));
            Assert.Empty(await PageChecks.UnexpectedBreaksAsync(shown));
        }, phone: phone);
    }

    [Fact]
    public async Task DeliveryInFlight_ShownInProgressInsteadOfTheLeasesEnd()
    {
        Receiver.Respond = (request, _) => request.Path.StartsWith("/slow/", StringComparison.Ordinal)
            ? ReceiverAnswer.Ok with { Delay = TimeSpan.FromSeconds(15) }
            : ReceiverAnswer.Ok;
        using var integrator = await Factory.CreateIntegratorAsync("Slow");
        var webhookId = await integrator.CreateWebhookAsync("Slow receiver", Receiver.Url("/slow/:id"));
        var deliveryId = await Factory.ReportAsync(integrator.ClientId, "doc-slow");
        await WaitUntilInFlightAsync(integrator, webhookId, deliveryId);
        var session = await Factory.OpenPortalSessionAsync(integrator.ClientId);

        await service.InPageAsync(nameof(DeliveryInFlight_ShownInProgressInsteadOfTheLeasesEnd), async page =>
        {
            await page.GotoAsync(session.Url);
            await page.GotoAsync($"/portal/webhooks/{webhookId}");
            await Expect(page.Locator($"#deliveries tr[data-delivery-id='{deliveryId}'] td.next")).ToHaveTextAsync("em andamento");

            await page.GotoAsync($"/portal/webhooks/{webhookId}/deliveries/{deliveryId}");
            await Expect(page.Locator("#next-attempt")).ToHaveTextAsync("em andamento");
        }, locale: "pt-BR");
    }

    [Fact]
    public async Task AttemptsOfTheLastDay_EachHoursCountsWrittenOut()
    {
        Receiver.Respond = (request, _) => request.Path == "/hourly/doc-bad" ? new ReceiverAnswer(410) : ReceiverAnswer.Ok;
        using var integrator = await Factory.CreateIntegratorAsync("Hourly");
        var webhookId = await integrator.CreateWebhookAsync("Hourly webhook", Receiver.Url("/hourly/:id"));
        foreach (var document in new[] { "doc-good-1", "doc-good-2", "doc-bad" })
        {
            await integrator.WaitForAttemptsAsync(webhookId, await Factory.ReportAsync(integrator.ClientId, document), 1);
        }

        var session = await Factory.OpenPortalSessionAsync(integrator.ClientId);
        await service.InPageAsync(nameof(AttemptsOfTheLastDay_EachHoursCountsWrittenOut), async page =>
        {
            await page.GotoAsync(session.Url);
            var chart = page.Locator($"#webhooks tr[data-webhook-id='{webhookId}'] .chart");
            await Expect(chart.Locator("[data-chart-summary]")).ToHaveTextAsync("2 succeeded, 1 failed");
            await Expect(chart.Locator("[data-chart-peak]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^busiest hour: 3 at \d{2}:00$"));

            await page.GotoAsync($"/portal/webhooks/{webhookId}");
            var hours = page.Locator("#hours tbody tr");
            await Expect(hours).ToHaveCountAsync(1);
            await Expect(hours.Locator("[data-succeeded]")).ToHaveTextAsync("2");
            await Expect(hours.Locator("[data-failed]")).ToHaveTextAsync("1");
        });
    }

    private static async Task WaitUntilInFlightAsync(Integrator integrator, Guid webhookId, Guid deliveryId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!(await integrator.GetDeliveryAsync(webhookId, deliveryId)).GetProperty("inFlight").GetBoolean())
        {
            Assert.True(DateTime.UtcNow < deadline, "The delivery was never in flight.");
            await Task.Delay(50);
        }
    }
}
