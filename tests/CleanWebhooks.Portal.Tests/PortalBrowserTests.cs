using System.Text.Json;
using CleanWebhooks.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Playwright;
using StandardWebhooks;
using static Microsoft.Playwright.Assertions;

namespace CleanWebhooks.Portal.Tests;

/// <summary>The portal end to end in Chromium: a session link from the internal API, then what an integrator sees and does.</summary>
public sealed class PortalBrowserTests(PortalService service) : IClassFixture<PortalService>
{
    private const string HostileExcerpt = "<script>document.title='pwned'</script> upstream down";

    private ApiFactory Factory => service.Factory;

    private LoopbackReceiver Receiver => service.Receiver;

    [Fact]
    public async Task SessionLink_Opened_ShowsTheClientsWebhooksAndDropsTheToken()
    {
        using var integrator = await Factory.CreateIntegratorAsync("Acme");
        await integrator.CreateWebhookAsync("<b>Acme</b> feedback", Receiver.Url("/acme/:id"));
        var session = await Factory.OpenPortalSessionAsync(integrator.ClientId);

        await service.InPageAsync(nameof(SessionLink_Opened_ShowsTheClientsWebhooksAndDropsTheToken), async page =>
        {
            await page.GotoAsync(session.Url);

            Assert.EndsWith("/portal", page.Url, StringComparison.Ordinal);
            var row = page.Locator("#webhooks tbody tr");
            await Expect(row).ToHaveCountAsync(1);
            // Names are third-party text: shown as typed, never as markup.
            await Expect(row.GetByRole(AriaRole.Link)).ToHaveTextAsync("<b>Acme</b> feedback");
            await Expect(row).ToContainTextAsync(Receiver.Url("/acme/:id"));
            await Expect(row).ToContainTextAsync("Fixed Authorization header");
            await Expect(row).Not.ToContainTextAsync("receiver-token");

            // The same on the webhook's own page: its heading, the page title and the delete question show the name as typed.
            await row.GetByRole(AriaRole.Link).ClickAsync();
            await Expect(page.Locator("h1")).ToContainTextAsync("<b>Acme</b> feedback");
            await Expect(page.Locator("h1 b")).ToHaveCountAsync(0);
            await Expect(page).ToHaveTitleAsync(new System.Text.RegularExpressions.Regex("^<b>Acme</b> feedback · "));
            await page.Locator("#delete-webhook").ClickAsync();
            await Expect(page.Locator("main strong")).ToHaveTextAsync("Delete the webhook “<b>Acme</b> feedback”?");
            await Expect(page.Locator("main strong b")).ToHaveCountAsync(0);
        });
    }

    [Fact]
    public async Task FailedDelivery_RetriedAfterTheReceiverRecovers_ShowsBothAttempts()
    {
        var recovered = false;
        Receiver.Respond = (request, _) => request.Path.StartsWith("/flaky/", StringComparison.Ordinal) && !recovered
            ? new ReceiverAnswer(500, HostileExcerpt)
            : ReceiverAnswer.Ok;
        using var integrator = await Factory.CreateIntegratorAsync("Flaky Inc");
        var webhookId = await integrator.CreateWebhookAsync("Flaky receiver", Receiver.Url("/flaky/:id"));
        var deliveryId = await Factory.ReportAsync(integrator.ClientId, "doc-flaky-1");
        await integrator.WaitForAttemptsAsync(webhookId, deliveryId, 1);
        var session = await Factory.OpenPortalSessionAsync(integrator.ClientId);

        await service.InPageAsync(nameof(FailedDelivery_RetriedAfterTheReceiverRecovers_ShowsBothAttempts), async page =>
        {
            await page.GotoAsync(session.Url);
            await page.GetByRole(AriaRole.Link, new() { Name = "Flaky receiver" }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Uri(service.ServiceUrl, $"/portal/webhooks/{webhookId}").ToString());
            var row = page.Locator($"#deliveries tr[data-delivery-id='{deliveryId}']");
            await Expect(row).ToContainTextAsync("doc-flaky-1");
            await Expect(row).ToContainTextAsync("Pending");
            await Expect(row.Locator("td").Nth(3)).ToHaveTextAsync("1");
            await Expect(row.Locator("td").Nth(4)).ToHaveTextAsync("500");

            await row.GetByRole(AriaRole.Link).ClickAsync();
            var first = page.Locator("#attempts tr[data-attempt='1']");
            await Expect(first.Locator(".outcome")).ToHaveTextAsync("500");
            // The receiver's answer is shown as text: no element is made of it, and nothing of it runs.
            await Expect(first.Locator("pre.excerpt")).ToHaveTextAsync(HostileExcerpt);
            await Expect(first.Locator("pre.excerpt script")).ToHaveCountAsync(0);
            Assert.NotEqual("pwned", await page.TitleAsync());

            recovered = true;
            await page.Locator("#retry").ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("due now");
            await PageChecks.ReloadUntilAsync(page, "#delivery-status[data-status='succeeded']");
            var second = page.Locator("#attempts tr[data-attempt='2']");
            await Expect(second.Locator(".outcome")).ToHaveTextAsync("200");
            await Expect(page.Locator("#attempt-count")).ToHaveTextAsync("2");

            // Every page has its own address: back returns to the deliveries.
            await page.GoBackAsync();
            await page.GoBackAsync();
            await Expect(page).ToHaveURLAsync(new Uri(service.ServiceUrl, $"/portal/webhooks/{webhookId}").ToString());

            // The last 24 hours on the webhooks page: one failed attempt and one that succeeded.
            await page.GotoAsync("/portal");
            var chart = page.Locator($"#webhooks tr[data-webhook-id='{webhookId}'] .chart");
            await Expect(chart.Locator("[data-chart-summary]")).ToHaveTextAsync("1 succeeded, 1 failed");
            await Expect(chart.Locator("svg rect.ok")).ToHaveCountAsync(1);
            await Expect(chart.Locator("svg rect.bad")).ToHaveCountAsync(1);
        });
    }

    [Fact]
    public async Task Deliveries_FilteredAndPaged_NewestFirstEachPageWithItsOwnAddress()
    {
        Receiver.Respond = (request, _) => request.Path == "/paged/doc-05" ? new ReceiverAnswer(500, "no") : ReceiverAnswer.Ok;
        using var integrator = await Factory.CreateIntegratorAsync("Pager");
        var webhookId = await integrator.CreateWebhookAsync("Paged webhook", Receiver.Url("/paged/:id"));
        var documents = Enumerable.Range(1, 27).Select(i => $"doc-{i:00}").ToList();
        foreach (var document in documents)
        {
            await Factory.ReportAsync(integrator.ClientId, document);
        }

        await integrator.WaitForPendingAsync(webhookId, 1);
        var session = await Factory.OpenPortalSessionAsync(integrator.ClientId);
        await service.InPageAsync(nameof(Deliveries_FilteredAndPaged_NewestFirstEachPageWithItsOwnAddress), async page =>
        {
            await page.GotoAsync(session.Url);
            await page.GotoAsync($"/portal/webhooks/{webhookId}");
            var rows = page.Locator("#deliveries tbody tr");
            await Expect(rows).ToHaveCountAsync(25);
            await Expect(rows.First.Locator("td.doc")).ToHaveTextAsync("doc-27");

            await page.Locator("#older-page").ClickAsync();
            Assert.Contains("cursor=", page.Url, StringComparison.Ordinal);
            await Expect(rows).ToHaveCountAsync(2);
            await Expect(rows.Locator("td.doc")).ToHaveTextAsync(["doc-02", "doc-01"]);
            await Expect(page.Locator("#older-page")).ToHaveCountAsync(0);
            await page.GoBackAsync();
            await Expect(rows).ToHaveCountAsync(25);

            await page.Locator("#status").SelectOptionAsync("pending");
            await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
            Assert.EndsWith("?status=pending&documentId=", page.Url, StringComparison.Ordinal);
            await Expect(rows).ToHaveCountAsync(1);
            await Expect(rows.Locator("td.doc")).ToHaveTextAsync("doc-05");
        });
    }

    [Fact]
    public async Task RotateSecret_InThePortal_ShowsTheNewSecretOnceAndItVerifiesTheNextDelivery()
    {
        Receiver.Respond = (_, _) => ReceiverAnswer.Ok;
        using var integrator = await Factory.CreateIntegratorAsync("Rotator");
        var webhookId = await integrator.CreateWebhookAsync("Rotating receiver", Receiver.Url("/rotating/:id"));
        var oldSecret = await integrator.GetSecretAsync(webhookId);
        var session = await Factory.OpenPortalSessionAsync(integrator.ClientId);
        string newSecret = "";

        await service.InPageAsync(nameof(RotateSecret_InThePortal_ShowsTheNewSecretOnceAndItVerifiesTheNextDelivery), async page =>
        {
            await page.GotoAsync(session.Url);
            await page.GotoAsync($"/portal/webhooks/{webhookId}");
            await Expect(page.Locator("#secret")).ToHaveCountAsync(0);

            await page.Locator("#reveal-secret").ClickAsync();
            await Expect(page.Locator("#secret")).ToHaveTextAsync(oldSecret);

            await page.Locator("#rotate-secret").ClickAsync();
            await Expect(page.Locator("#secret[data-rotated='true']")).ToHaveCountAsync(1);
            await Expect(page.Locator("#signing-secret")).ToContainTextAsync("24 hours");
            newSecret = (await page.Locator("#secret").TextContentAsync())!.Trim();

            // Shown once: the page reached again by its address does not show it.
            await page.GotoAsync($"/portal/webhooks/{webhookId}");
            await Expect(page.Locator("#secret")).ToHaveCountAsync(0);
        });

        Assert.StartsWith("whsec_", newSecret, StringComparison.Ordinal);
        Assert.NotEqual(oldSecret, newSecret);
        Assert.Equal(newSecret, await integrator.GetSecretAsync(webhookId));
        await Factory.ReportAsync(integrator.ClientId, "doc-rotated");
        var call = (await WaitForRequestAsync("/rotating/doc-rotated")).Single();
        var headers = new HeaderDictionary
        {
            ["webhook-id"] = call.Header("webhook-id"),
            ["webhook-timestamp"] = call.Header("webhook-timestamp"),
            ["webhook-signature"] = call.Header("webhook-signature"),
        };
        new StandardWebhook(newSecret).Verify(call.Body, headers);
        Assert.ThrowsAny<Exception>(() => new StandardWebhook("whsec_" + Convert.ToBase64String(new byte[24])).Verify(call.Body, headers));
    }

    [Fact]
    public async Task SessionOfClientB_NeverShowsClientAsData()
    {
        Receiver.Respond = (_, _) => new ReceiverAnswer(503, "alpha-private-answer");
        using var alpha = await Factory.CreateIntegratorAsync("Alpha");
        var alphaWebhook = await alpha.CreateWebhookAsync("Alpha private webhook", Receiver.Url("/alpha/:id"));
        var alphaDelivery = await Factory.ReportAsync(alpha.ClientId, "alpha-private-doc");
        await alpha.WaitForAttemptsAsync(alphaWebhook, alphaDelivery, 1);
        using var bravo = await Factory.CreateIntegratorAsync("Bravo");
        var bravoWebhook = await bravo.CreateWebhookAsync("Bravo webhook", Receiver.Url("/bravo/:id"));
        var bravoDelivery = await Factory.ReportAsync(bravo.ClientId, "bravo-doc");
        var session = await Factory.OpenPortalSessionAsync(bravo.ClientId);

        await service.InPageAsync(nameof(SessionOfClientB_NeverShowsClientAsData), async page =>
        {
            await page.GotoAsync(session.Url);
            await Expect(page.Locator("#webhooks")).ToContainTextAsync("Bravo webhook");
            await Expect(page.Locator("body")).Not.ToContainTextAsync("Alpha");

            foreach (var address in new[]
            {
                $"/portal/webhooks/{alphaWebhook}",
                $"/portal/webhooks/{alphaWebhook}?status=failed",
                $"/portal/webhooks/{alphaWebhook}/delete",
                $"/portal/webhooks/{alphaWebhook}/deliveries/{alphaDelivery}",
                // Alpha's delivery under Bravo's own webhook.
                $"/portal/webhooks/{bravoWebhook}/deliveries/{alphaDelivery}",
            })
            {
                var response = await page.GotoAsync(address);
                Assert.Equal(404, response!.Status);
                var body = await page.Locator("body").InnerTextAsync();
                Assert.DoesNotContain("Alpha", body, StringComparison.Ordinal);
                Assert.DoesNotContain("alpha-private", body, StringComparison.Ordinal);
            }

            // Nor can Bravo act on it, even with a valid form token of its own.
            await page.GotoAsync($"/portal/webhooks/{bravoWebhook}/deliveries/{bravoDelivery}");
            var token = await page.Locator("input[name='__RequestVerificationToken']").First.GetAttributeAsync("value");
            var retry = await page.APIRequest.PostAsync(
                $"/portal/webhooks/{alphaWebhook}/deliveries/{alphaDelivery}?handler=Retry",
                new() { Form = FormOf(page, token!), MaxRedirects = 0 });
            Assert.Equal(404, retry.Status);
            var delete = await page.APIRequest.PostAsync(
                $"/portal/webhooks/{alphaWebhook}/delete", new() { Form = FormOf(page, token!), MaxRedirects = 0 });
            Assert.Equal(404, delete.Status);
        });

        var untouched = await alpha.GetDeliveryAsync(alphaWebhook, alphaDelivery);
        Assert.Equal(1, untouched.GetProperty("attemptCount").GetInt32());
        Assert.NotEqual(JsonValueKind.Null, untouched.GetProperty("nextAttemptAt").ValueKind);
        Assert.True(untouched.GetProperty("nextAttemptAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(30), "Alpha's delivery was made due.");
    }

    [Fact]
    public async Task TamperedLink_Opened_ShowsOnlyTheExpiredPage()
    {
        using var integrator = await Factory.CreateIntegratorAsync("Tampered");
        await integrator.CreateWebhookAsync("Tampered-with webhook", Receiver.Url("/tampered/:id"));
        var session = await Factory.OpenPortalSessionAsync(integrator.ClientId);
        var middle = session.Url.Length - 20;
        var tampered = session.Url[..middle] + (session.Url[middle] == 'A' ? 'B' : 'A') + session.Url[(middle + 1)..];

        await service.InPageAsync(nameof(TamperedLink_Opened_ShowsOnlyTheExpiredPage), async page =>
        {
            await page.GotoAsync(tampered);

            await Expect(page).ToHaveURLAsync(new Uri(service.ServiceUrl, "/portal/expired").ToString());
            await Expect(page.GetByRole(AriaRole.Heading)).ToHaveTextAsync("This link has expired");
            Assert.DoesNotContain("Tampered-with", await page.ContentAsync(), StringComparison.Ordinal);
            var response = await page.GotoAsync("/portal");
            Assert.EndsWith("/portal/expired", page.Url, StringComparison.Ordinal);
            Assert.Equal(403, response!.Status);

            // The untouched link still works: the page above refused the tampering, not the session.
            await page.GotoAsync(session.Url);
            await Expect(page.Locator("#webhooks")).ToContainTextAsync("Tampered-with webhook");
        });
    }

    [Fact]
    public async Task PostWithoutAntiforgeryToken_IsRefusedAndChangesNothing()
    {
        Receiver.Respond = (_, _) => new ReceiverAnswer(500, "down");
        using var integrator = await Factory.CreateIntegratorAsync("Forged forms");
        var webhookId = await integrator.CreateWebhookAsync("Guarded webhook", Receiver.Url("/guarded/:id"));
        var deliveryId = await Factory.ReportAsync(integrator.ClientId, "doc-guarded");
        await integrator.WaitForAttemptsAsync(webhookId, deliveryId, 1);
        var session = await Factory.OpenPortalSessionAsync(integrator.ClientId);
        var deliveryPage = $"/portal/webhooks/{webhookId}/deliveries/{deliveryId}";

        await service.InPageAsync(nameof(PostWithoutAntiforgeryToken_IsRefusedAndChangesNothing), async page =>
        {
            await page.GotoAsync(session.Url);
            await page.GotoAsync(deliveryPage);
            var token = await page.Locator("#retry").Locator("xpath=..").Locator("input[name='__RequestVerificationToken']").GetAttributeAsync("value");

            // The session cookie alone, as a cross-site form would send it: refused, for every action.
            var retry = await page.APIRequest.PostAsync(deliveryPage + "?handler=Retry", new() { Form = page.APIRequest.CreateFormData(), MaxRedirects = 0 });
            Assert.Equal(400, retry.Status);
            var rotate = await page.APIRequest.PostAsync($"/portal/webhooks/{webhookId}?handler=RotateSecret", new() { Form = page.APIRequest.CreateFormData(), MaxRedirects = 0 });
            Assert.Equal(400, rotate.Status);
            var delete = await page.APIRequest.PostAsync($"/portal/webhooks/{webhookId}/delete", new() { Form = page.APIRequest.CreateFormData(), MaxRedirects = 0 });
            Assert.Equal(400, delete.Status);
            var enable = await page.APIRequest.PostAsync($"/portal/webhooks/{webhookId}?handler=Enable", new() { Form = page.APIRequest.CreateFormData(), MaxRedirects = 0 });
            Assert.Equal(400, enable.Status);
            // Revealing changes nothing, but a page of another site must not be able to have the secret rendered either.
            var reveal = await page.APIRequest.PostAsync($"/portal/webhooks/{webhookId}?handler=RevealSecret", new() { Form = page.APIRequest.CreateFormData(), MaxRedirects = 0 });
            Assert.Equal(400, reveal.Status);
            Assert.DoesNotContain(await integrator.GetSecretAsync(webhookId), await reveal.TextAsync(), StringComparison.Ordinal);
            var stillThere = await integrator.GetDeliveryAsync(webhookId, deliveryId);
            Assert.Equal(1, stillThere.GetProperty("attemptCount").GetInt32());
            Assert.True(stillThere.GetProperty("nextAttemptAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(30));

            // The same request with the page's token is accepted: the token is what made the difference.
            var withToken = await page.APIRequest.PostAsync(deliveryPage + "?handler=Retry", new() { Form = FormOf(page, token!), MaxRedirects = 0 });
            Assert.Equal(302, withToken.Status);
        });

        await integrator.WaitForAttemptsAsync(webhookId, deliveryId, 2);
    }

    [Fact]
    public async Task DeleteWebhook_AfterConfirming_RemovesIt()
    {
        using var integrator = await Factory.CreateIntegratorAsync("Deleter");
        var webhookId = await integrator.CreateWebhookAsync("Doomed webhook", Receiver.Url("/doomed/:id"));
        var session = await Factory.OpenPortalSessionAsync(integrator.ClientId);

        await service.InPageAsync(nameof(DeleteWebhook_AfterConfirming_RemovesIt), async page =>
        {
            await page.GotoAsync(session.Url);
            await page.GotoAsync($"/portal/webhooks/{webhookId}");
            await page.Locator("#delete-webhook").ClickAsync();

            // Asked first, on a page of its own: nothing is deleted yet.
            await Expect(page).ToHaveURLAsync(new Uri(service.ServiceUrl, $"/portal/webhooks/{webhookId}/delete").ToString());
            await Expect(page.Locator("main")).ToContainTextAsync("Delete the webhook “Doomed webhook”?");
            Assert.Equal(System.Net.HttpStatusCode.OK, (await integrator.Http.GetAsync(new Uri($"/api_document/document_webhooks/{webhookId}", UriKind.Relative))).StatusCode);

            await page.Locator("#confirm-delete").ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("The webhook was deleted.");
            await Expect(page.Locator("#webhooks")).ToHaveCountAsync(0);
        });

        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await integrator.Http.GetAsync(new Uri($"/api_document/document_webhooks/{webhookId}", UriKind.Relative))).StatusCode);
    }

    /// <summary>
    /// One screenshot of each page, saved in the test output folder; with <c>CLEANWEBHOOKS_UPDATE_SCREENSHOTS=1</c>
    /// also into <c>docs/</c>, where the README shows them.
    /// </summary>
    [Fact]
    public async Task EveryPage_WithDeliveries_RendersForTheReadme()
    {
        Receiver.Respond = (request, _) => request.Path == "/erp/documents/doc-1003"
            ? new ReceiverAnswer(503, "{\"error\": \"database unavailable, try later\"}")
            : new ReceiverAnswer(200, "{\"received\": true}");
        using var integrator = await Factory.CreateIntegratorAsync("Acme");
        var webhookId = await integrator.CreateWebhookAsync("Acme ERP", Receiver.Url("/erp/documents/:id"));
        Guid failing = default;
        foreach (var document in new[] { "doc-1001", "doc-1002", "doc-1003", "doc-1004", "doc-1005" })
        {
            var deliveryId = await Factory.ReportAsync(integrator.ClientId, document);
            await integrator.WaitForAttemptsAsync(webhookId, deliveryId, 1);
            failing = document == "doc-1003" ? deliveryId : failing;
        }

        using (await integrator.Http.PostAsync(new Uri($"/api_document/document_webhooks/{webhookId}/deliveries/{failing}/retry", UriKind.Relative), null))
        {
            await integrator.WaitForAttemptsAsync(webhookId, failing, 2);
        }

        var session = await Factory.OpenPortalSessionAsync(integrator.ClientId);
        await service.InPageAsync(nameof(EveryPage_WithDeliveries_RendersForTheReadme), async page =>
        {
            await page.SetViewportSizeAsync(1100, 640);
            await page.GotoAsync(session.Url);
            await Expect(page.Locator("[data-chart-summary]")).ToHaveTextAsync("4 succeeded, 2 failed");
            await SaveScreenshotAsync(page, "portal-webhooks.png");

            await page.GotoAsync($"/portal/webhooks/{webhookId}");
            await Expect(page.Locator("#deliveries tbody tr")).ToHaveCountAsync(5);
            await SaveScreenshotAsync(page, "portal-deliveries.png");

            await page.GotoAsync($"/portal/webhooks/{webhookId}/deliveries/{failing}");
            await Expect(page.Locator("#attempts tbody tr")).ToHaveCountAsync(2);
            await SaveScreenshotAsync(page, "portal-delivery.png");
        });

        // The same on a phone, in the portal's own language.
        var phoneSession = await Factory.OpenPortalSessionAsync(integrator.ClientId);
        await service.InPageAsync(nameof(EveryPage_WithDeliveries_RendersForTheReadme) + "-phone", async page =>
        {
            await page.GotoAsync(phoneSession.Url);
            await Expect(page.Locator("[data-chart-summary]")).ToHaveTextAsync("4 com sucesso, 2 com falha");
            await SaveScreenshotAsync(page, "portal-phone-webhooks.png", fullPage: false);

            await page.GotoAsync($"/portal/webhooks/{webhookId}");
            await Expect(page.Locator("#deliveries tbody tr")).ToHaveCountAsync(5);
            await SaveScreenshotAsync(page, "portal-phone-webhook.png", fullPage: false);
        }, locale: "pt-BR", phone: true);
    }

    private static async Task SaveScreenshotAsync(IPage page, string fileName, bool fullPage = true)
    {
        var bytes = await page.ScreenshotAsync(new() { FullPage = fullPage });
        var folder = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        await File.WriteAllBytesAsync(Path.Combine(folder, fileName), bytes);
        if (Environment.GetEnvironmentVariable("CLEANWEBHOOKS_UPDATE_SCREENSHOTS") == "1")
        {
            await File.WriteAllBytesAsync(RepositoryFiles.PathOf("docs/" + fileName), bytes);
        }
    }

    private static IFormData FormOf(IPage page, string token)
    {
        var form = page.APIRequest.CreateFormData();
        form.Set("__RequestVerificationToken", token);
        return form;
    }


    private async Task<IReadOnlyList<ReceivedRequest>> WaitForRequestAsync(string path)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var found = Receiver.Requests.Where(r => r.Path == path).ToList();
            if (found.Count > 0)
            {
                return found;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No request for {path} arrived.");
            }

            await Task.Delay(50);
        }
    }
}
