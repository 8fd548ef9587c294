using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CleanWebhooks.Portal.Tests;

/// <summary>The portal end to end in Chromium: a session link from the internal API, then what an integrator sees and does.</summary>
public sealed class PortalBrowserTests(PortalService service) : IClassFixture<PortalService>
{
    private ApiFactory Factory => service.Factory;

    [Fact]
    public async Task SessionLink_Opened_ShowsTheClientsWebhooksAndDropsTheToken()
    {
        using var integrator = await Factory.CreateIntegratorAsync("Acme");
        await integrator.CreateWebhookAsync("<b>Acme</b> feedback", service.Receiver.Url("/acme/:id"));
        var session = await Factory.OpenPortalSessionAsync(integrator.ClientId);

        await service.InPageAsync(nameof(SessionLink_Opened_ShowsTheClientsWebhooksAndDropsTheToken), async page =>
        {
            await page.GotoAsync(session.Url);

            Assert.EndsWith("/portal", page.Url, StringComparison.Ordinal);
            var row = page.Locator("#webhooks tbody tr");
            await Expect(row).ToHaveCountAsync(1);
            // Names are third-party text: shown as typed, never as markup.
            await Expect(row.GetByRole(AriaRole.Link)).ToHaveTextAsync("<b>Acme</b> feedback");
            await Expect(row).ToContainTextAsync(service.Receiver.Url("/acme/:id"));
            await Expect(row).ToContainTextAsync("Fixed Authorization header");
            await Expect(row).Not.ToContainTextAsync("receiver-token");
        });
    }
}
