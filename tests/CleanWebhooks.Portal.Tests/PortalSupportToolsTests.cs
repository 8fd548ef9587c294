using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CleanWebhooks.Portal.Tests;

/// <summary>
/// The support tools in Chromium (contract section 11), and links that work once (section 8): a test event, a
/// document search, a recovery counted before it is confirmed, a link used twice, and sessions ended by the platform.
/// </summary>
public sealed class PortalSupportToolsTests(PortalService service) : IClassFixture<PortalService>
{
    private ApiFactory Factory => service.Factory;

    private LoopbackReceiver Receiver => service.Receiver;

    [Fact]
    public async Task SendTest_FromTheWebhookPage_OpensTheTestDeliveryWhichTheReceiverGets()
    {
        using var integrator = await Factory.CreateIntegratorAsync("Tester");
        var webhookId = await integrator.CreateWebhookAsync("Tested webhook", Receiver.Url("/tested/:id"));
        var session = await Factory.OpenPortalSessionAsync(integrator.ClientId);

        await service.InPageAsync(nameof(SendTest_FromTheWebhookPage_OpensTheTestDeliveryWhichTheReceiverGets), async page =>
        {
            await page.GotoAsync(session.Url);
            await page.GotoAsync($"/portal/webhooks/{webhookId}");
            await page.Locator("#send-test").ClickAsync();

            await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/portal/webhooks/{webhookId}/deliveries/[0-9a-f-]+\\?notice=test$"));
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("test event was sent");
            await Expect(page.Locator("h1 code")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^test-"));
            await PageChecks.ReloadUntilAsync(page, "#delivery-status[data-status='succeeded']");
        });

        var call = Assert.Single(Receiver.Requests, r => r.Path.StartsWith("/tested/test-", StringComparison.Ordinal));
        Assert.Equal("webhook.test", JsonSerializer.Deserialize<JsonElement>(call.Body).GetProperty("event").GetString());
    }

    [Fact]
    public async Task Search_ADocument_ListsItsDeliveriesAndTheWebhookPageFiltersByItToo()
    {
        Receiver.Respond = (_, _) => ReceiverAnswer.Ok;
        using var integrator = await Factory.CreateIntegratorAsync("Searcher");
        var webhookId = await integrator.CreateWebhookAsync("Searched webhook", Receiver.Url("/searched/:id"));
        var wanted = new[] { await Factory.ReportAsync(integrator.ClientId, "doc-wanted"), await Factory.ReportAsync(integrator.ClientId, "doc-wanted") };
        await Factory.ReportAsync(integrator.ClientId, "doc-other");
        var session = await Factory.OpenPortalSessionAsync(integrator.ClientId);

        await service.InPageAsync(nameof(Search_ADocument_ListsItsDeliveriesAndTheWebhookPageFiltersByItToo), async page =>
        {
            await page.GotoAsync(session.Url);
            await page.Locator("#document-search input[name='documentId']").FillAsync("doc-wanted");
            await page.Locator("#document-search button").ClickAsync();

            Assert.EndsWith("/portal?documentId=doc-wanted", page.Url, StringComparison.Ordinal);
            var found = page.Locator("#found tbody tr");
            await Expect(found).ToHaveCountAsync(2);
            await Expect(found.First).ToHaveAttributeAsync("data-delivery-id", wanted[1].ToString());
            await Expect(found.First).ToContainTextAsync("Searched webhook");

            await page.GotoAsync($"/portal/webhooks/{webhookId}");
            await page.Locator("#status-filter input[name='documentId']").FillAsync("doc-other");
            await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
            var rows = page.Locator("#deliveries tbody tr");
            await Expect(rows).ToHaveCountAsync(1);
            await Expect(rows.Locator("td.doc")).ToHaveTextAsync("doc-other");
        });
    }

    [Fact]
    public async Task Recover_CountedFirstThenConfirmed_TheFailedDeliveriesAreSentAgain()
    {
        var down = true;
        Receiver.Respond = (request, _) => request.Path.StartsWith("/outage/", StringComparison.Ordinal) && Volatile.Read(ref down)
            ? new ReceiverAnswer(410, "gone for maintenance")
            : ReceiverAnswer.Ok;
        using var integrator = await Factory.CreateIntegratorAsync("Outage");
        var webhookId = await integrator.CreateWebhookAsync("Recovering webhook", Receiver.Url("/outage/:id"));
        var failed = new List<Guid>();
        foreach (var document in new[] { "doc-lost-1", "doc-lost-2" })
        {
            var id = await Factory.ReportAsync(integrator.ClientId, document);
            await integrator.WaitForAttemptsAsync(webhookId, id, 1);
            failed.Add(id);
        }

        var session = await Factory.OpenPortalSessionAsync(integrator.ClientId);
        await service.InPageAsync(nameof(Recover_CountedFirstThenConfirmed_TheFailedDeliveriesAreSentAgain), async page =>
        {
            await page.GotoAsync(session.Url);
            await page.GotoAsync($"/portal/webhooks/{webhookId}");
            await page.Locator("#count-recoverable").ClickAsync();

            // Counted, and nothing changed yet.
            await Expect(page.Locator("#recover-preview")).ToHaveAttributeAsync("data-count", "2");
            await Expect(page.Locator("#recover-preview")).ToContainTextAsync("2 failed deliveries created from");
            Assert.All(failed, id => Assert.Equal("failed", integrator.GetDeliveryAsync(webhookId, id).Result.GetProperty("status").GetString()));

            Volatile.Write(ref down, false);
            await page.Locator("#confirm-recover").ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("2 deliveries are due again; they go out within your webhook's limits.");
            foreach (var id in failed)
            {
                await PageChecks.ReloadUntilAsync(page, $"#deliveries tr[data-delivery-id='{id}'] .badge.succeeded");
            }
        });

        foreach (var id in failed)
        {
            Assert.Equal(2, (await integrator.GetDeliveryAsync(webhookId, id)).GetProperty("attemptCount").GetInt32());
        }
    }

    [Fact]
    public async Task Recover_StartAfterTheEnd_RefusedInThePagesLanguage()
    {
        using var integrator = await Factory.CreateIntegratorAsync("Backwards");
        var webhookId = await integrator.CreateWebhookAsync("Backwards webhook", Receiver.Url("/backwards/:id"));
        var session = await Factory.OpenPortalSessionAsync(integrator.ClientId);

        await service.InPageAsync(nameof(Recover_StartAfterTheEnd_RefusedInThePagesLanguage), async page =>
        {
            await page.GotoAsync(session.Url);
            await page.GotoAsync($"/portal/webhooks/{webhookId}");
            await page.Locator("#since").FillAsync("2026-12-05T10:00");
            await page.Locator("#until").FillAsync("2026-12-04T10:00");
            await page.Locator("#count-recoverable").ClickAsync();

            await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("O início deve ser anterior ao fim.");
            await Expect(page.Locator("#recover-preview")).ToHaveCountAsync(0);
        }, locale: "pt-BR");
    }

    [Fact]
    public async Task Link_UsedASecondTime_ShowsTheExpiredPageWhileTheFirstSessionGoesOn()
    {
        using var integrator = await Factory.CreateIntegratorAsync("Forwarded");
        await integrator.CreateWebhookAsync("Forwarded webhook", Receiver.Url("/forwarded/:id"));
        var session = await Factory.OpenPortalSessionAsync(integrator.ClientId);

        await service.InPageAsync(nameof(Link_UsedASecondTime_ShowsTheExpiredPageWhileTheFirstSessionGoesOn), async first =>
        {
            await first.GotoAsync(session.Url);
            await Expect(first.Locator("#webhooks")).ToContainTextAsync("Forwarded webhook");

            // The same link from a forwarded e-mail, in another browser: nothing opens.
            await service.InPageAsync(nameof(Link_UsedASecondTime_ShowsTheExpiredPageWhileTheFirstSessionGoesOn) + "-second", async second =>
            {
                await second.GotoAsync(session.Url);

                await Expect(second).ToHaveURLAsync(new Uri(service.ServiceUrl, "/portal/expired").ToString());
                await Expect(second.GetByRole(AriaRole.Heading)).ToHaveTextAsync("This link has expired");
                Assert.DoesNotContain("Forwarded webhook", await second.ContentAsync(), StringComparison.Ordinal);
            });

            await first.ReloadAsync();
            await Expect(first.Locator("#webhooks")).ToContainTextAsync("Forwarded webhook");
        });
    }

    [Fact]
    public async Task EndSessions_WhileABrowserIsOpen_LogsItOutAndALinkOpenedAfterwardsWorks()
    {
        using var integrator = await Factory.CreateIntegratorAsync("Ended");
        var webhookId = await integrator.CreateWebhookAsync("Ended webhook", Receiver.Url("/ended/:id"));
        var session = await Factory.OpenPortalSessionAsync(integrator.ClientId);
        var unused = await Factory.OpenPortalSessionAsync(integrator.ClientId);

        await service.InPageAsync(nameof(EndSessions_WhileABrowserIsOpen_LogsItOutAndALinkOpenedAfterwardsWorks), async page =>
        {
            await page.GotoAsync(session.Url);
            await page.GotoAsync($"/portal/webhooks/{webhookId}");
            await Expect(page.Locator("h1")).ToHaveTextAsync("Ended webhook");

            Assert.Equal(HttpStatusCode.NoContent, await Factory.EndPortalSessionsAsync(integrator.ClientId));

            var reloaded = await page.ReloadAsync();
            await Expect(page).ToHaveURLAsync(new Uri(service.ServiceUrl, "/portal/expired").ToString());
            Assert.Equal(403, reloaded!.Status);

            // A link opened before the end, never used, opens nothing either; one opened after it works.
            await page.GotoAsync(unused.Url);
            await Expect(page).ToHaveURLAsync(new Uri(service.ServiceUrl, "/portal/expired").ToString());
            var after = await Factory.OpenPortalSessionAsync(integrator.ClientId);
            await page.GotoAsync(after.Url);
            await Expect(page.Locator("#webhooks")).ToContainTextAsync("Ended webhook");
        });
    }
}
