using System.Text.Json;

namespace CleanWebhooks.Client.Tests;

/// <summary>The support tools of contract section 11 through the generated client, with a real receiver.</summary>
public sealed class SupportToolsApiTests(ApiFactory factory) : ReceiverApiTests(factory)
{
    [Fact]
    public async Task SendTestEventAsync_ActiveWebhook_DeliveredAsWebhookTestAndFoundByItsDocumentId()
    {
        var (_, client) = await NewIntegratorAsync();
        var webhook = await client.CreateWebhookAsync(ClientTestExtensions.ValidWebhook(Receiver.Url("/support/:id")));

        var accepted = await client.SendTestEventAsync(webhook.Id);

        var delivery = await client.WaitForStatusAsync(webhook.Id, accepted.DeliveryId, DeliveryStatus.Succeeded);
        Assert.StartsWith("test-", delivery.DocumentId, StringComparison.Ordinal);
        var body = JsonSerializer.Deserialize<JsonElement>(Assert.Single(Receiver.Requests, r => r.Path == "/support/" + delivery.DocumentId).Body);
        Assert.Equal("webhook.test", body.GetProperty("event").GetString());
        var page = await client.ListDeliveriesAsync(webhook.Id, null, 10, null, delivery.DocumentId);
        Assert.Equal(accepted.DeliveryId, Assert.Single(page.Items).Id);
    }

    [Fact]
    public async Task RecoverDeliveriesAsync_DryRunThenRecover_CountsThemThenDeliversThem()
    {
        var failing = true;
        Receiver.Respond = (request, _) => request.Path.StartsWith("/recover/", StringComparison.Ordinal) && Volatile.Read(ref failing)
            ? new ReceiverAnswer(500)
            : ReceiverAnswer.Ok;
        var (clientId, client) = await NewIntegratorAsync();
        var webhook = await client.CreateWebhookAsync(ClientTestExtensions.ValidWebhook(Receiver.Url("/recover/:id")));
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        var accepted = await Factory.CreateInternalApiClient().ReportDocumentFinishedAsync(
            null, new ReportDocumentEventRequest { ClientId = clientId, DocumentId = "doc-down", Type = 0 });
        await client.WaitForStatusAsync(webhook.Id, accepted.DeliveryId!.Value, DeliveryStatus.Failed);

        var counted = await client.RecoverDeliveriesAsync(webhook.Id, new RecoverDeliveriesRequest { Since = since, DryRun = true });
        Assert.Equal(1, counted.Count);
        Assert.Equal(DeliveryStatus.Failed, (await client.GetDeliveryAsync(webhook.Id, accepted.DeliveryId.Value)).Status);
        Volatile.Write(ref failing, false);
        var recovered = await client.RecoverDeliveriesAsync(webhook.Id, new RecoverDeliveriesRequest { Since = since });

        Assert.Equal(1, recovered.Count);
        var delivered = await client.WaitForStatusAsync(webhook.Id, accepted.DeliveryId.Value, DeliveryStatus.Succeeded);
        Assert.Equal([1, 2, 3], delivered.Attempts.Select(a => a.Number));
    }

    [Fact]
    public async Task RecoverDeliveriesAsync_SinceNotBeforeUntil_ThrowsValidationProblemOnSince()
    {
        var (_, client) = await NewIntegratorAsync();
        var webhook = await client.CreateWebhookAsync(ClientTestExtensions.ValidWebhook());
        var now = DateTimeOffset.UtcNow;

        var error = await Assert.ThrowsAsync<CleanWebhooksApiException<HttpValidationProblemDetails>>(
            () => client.RecoverDeliveriesAsync(webhook.Id, new RecoverDeliveriesRequest { Since = now, Until = now }));

        Assert.Equal(400, error.StatusCode);
        Assert.True(error.Result.Errors.ContainsKey("since"));
    }

    [Fact]
    public async Task FindDocumentDeliveriesAsync_ReportedDocument_ListedForSupport()
    {
        var (clientId, client) = await NewIntegratorAsync();
        var webhook = await client.CreateWebhookAsync(ClientTestExtensions.ValidWebhook(Receiver.Url("/support/:id")));
        var admin = Factory.CreateInternalApiClient();
        var accepted = await admin.ReportDocumentFinishedAsync(null, new ReportDocumentEventRequest { ClientId = clientId, DocumentId = "doc-42", Type = 0 });
        await admin.ReportDocumentFinishedAsync(null, new ReportDocumentEventRequest { ClientId = clientId, DocumentId = "doc-43", Type = 0 });

        var page = await admin.FindDocumentDeliveriesAsync(clientId, "doc-42", null, null);

        var found = Assert.Single(page.Items);
        Assert.Equal(accepted.DeliveryId, found.Id);
        Assert.Equal(webhook.Id, found.WebhookId);
        var unknown = await Assert.ThrowsAsync<CleanWebhooksApiException<ProblemDetails>>(() => admin.FindDocumentDeliveriesAsync(Guid.NewGuid(), "doc-42", null, null));
        Assert.Equal(404, unknown.StatusCode);
    }

    [Fact]
    public async Task EndPortalSessionsAsync_KnownAndUnknownClient_EndsOrThrowsNotFound()
    {
        var admin = Factory.CreateInternalApiClient();
        var created = await admin.CreateClientAsync(new CreateClientRequest { Name = "Portal user" });

        await admin.EndPortalSessionsAsync(created.Id);
        var unknown = await Assert.ThrowsAsync<CleanWebhooksApiException<ProblemDetails>>(() => admin.EndPortalSessionsAsync(Guid.NewGuid()));

        Assert.Equal(404, unknown.StatusCode);
    }
}
