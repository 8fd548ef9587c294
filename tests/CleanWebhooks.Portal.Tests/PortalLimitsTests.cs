using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CleanWebhooks.Portal.Tests;

/// <summary>The integrator's own limits in Chromium (contract section 5): shown on the webhook page, and set there.</summary>
public sealed class PortalLimitsTests(PortalService service) : IClassFixture<PortalService>
{
    private ApiFactory Factory => service.Factory;

    [Fact]
    public async Task Limits_SetOnTheWebhookPage_SavedShownAndAnsweredByTheApi()
    {
        using var integrator = await Factory.CreateIntegratorAsync("Limited");
        var webhookId = await integrator.CreateWebhookAsync("Limited webhook", service.Receiver.Url("/limited/:id"));
        var session = await Factory.OpenPortalSessionAsync(integrator.ClientId);

        await service.InPageAsync(nameof(Limits_SetOnTheWebhookPage_SavedShownAndAnsweredByTheApi), async page =>
        {
            await page.GotoAsync(session.Url);
            await page.GotoAsync($"/portal/webhooks/{webhookId}");
            await Expect(page.Locator("#limits-summary")).ToContainTextAsync("the service adapts to your server");

            await page.Locator("#maxInFlight").FillAsync("8");
            await page.Locator("#maxPerSecond").FillAsync("50");
            await page.Locator("#save-limits").ClickAsync();

            await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/portal/webhooks/{webhookId}\\?notice=limits$"));
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("limits were saved");
            await Expect(page.Locator("#limits-summary")).ToHaveTextAsync("8 at once, 50 per second");
            await Expect(page.Locator("#maxInFlight")).ToHaveValueAsync("8");
        });

        var webhook = await integrator.Http.GetFromJsonAsync<JsonElement>($"/api_document/document_webhooks/{webhookId}");
        Assert.Equal((8, 50), (webhook.GetProperty("maxInFlight").GetInt32(), webhook.GetProperty("maxPerSecond").GetInt32()));
    }

    [Fact]
    public async Task Limits_OutOfRange_TheRangeIsSaidAndNothingChanges()
    {
        using var integrator = await Factory.CreateIntegratorAsync("Overlimit");
        var webhookId = await integrator.CreateWebhookAsync("Overlimit webhook", service.Receiver.Url("/over/:id"));
        var session = await Factory.OpenPortalSessionAsync(integrator.ClientId);

        await service.InPageAsync(nameof(Limits_OutOfRange_TheRangeIsSaidAndNothingChanges), async page =>
        {
            await page.GotoAsync(session.Url);
            await page.GotoAsync($"/portal/webhooks/{webhookId}");

            // The form posts what the integrator typed: the browser's own range check is not what keeps the limit.
            await page.Locator("#maxInFlight").EvaluateAsync("input => { input.removeAttribute('max'); input.value = '100'; }");
            await page.Locator("#save-limits").ClickAsync();

            await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("from 1 to 64");
        });

        var webhook = await integrator.Http.GetFromJsonAsync<JsonElement>($"/api_document/document_webhooks/{webhookId}");
        Assert.Equal(JsonValueKind.Null, webhook.GetProperty("maxInFlight").ValueKind);
    }
}
