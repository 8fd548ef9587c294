namespace CleanWebhooks.Client.Tests;

/// <summary>Event intake, deliveries and signing secrets through the generated client, with a real receiver.</summary>
public sealed class DeliveryApiTests(ApiFactory factory) : ReceiverApiTests(factory)
{
    [Fact]
    public async Task ReportDocumentFinished_WithWebhook_DeliveryListedWithItsAttempt()
    {
        var (clientId, client) = await NewIntegratorAsync();
        var webhook = await client.CreateWebhookAsync(ClientTestExtensions.ValidWebhook(Receiver.Url("/docs/:id")));

        var accepted = await Factory.CreateInternalApiClient().ReportDocumentFinishedAsync(
            null, new ReportDocumentEventRequest { ClientId = clientId, DocumentId = "doc-1", Type = 0, Data = new { pages = 2 } });

        Assert.NotNull(accepted.DeliveryId);
        await Receiver.WaitForAsync(1);
        var delivery = await client.WaitForStatusAsync(webhook.Id, accepted.DeliveryId!.Value, DeliveryStatus.Succeeded);
        Assert.Equal(accepted.EventId, delivery.EventId);
        Assert.Equal("doc-1", delivery.DocumentId);
        var attempt = Assert.Single(delivery.Attempts);
        Assert.Equal(200, attempt.StatusCode);

        var page = await client.ListDeliveriesAsync(webhook.Id, "succeeded", 10, null);
        Assert.Equal(accepted.DeliveryId, Assert.Single(page.Items).Id);
        Assert.Null(page.NextCursor);
    }

    [Fact]
    public async Task ReportDocumentFinished_NoWebhookOfType_AcceptedWithoutDelivery()
    {
        var (clientId, _) = await NewIntegratorAsync();

        var accepted = await Factory.CreateInternalApiClient().ReportDocumentFinishedAsync(
            null, new ReportDocumentEventRequest { ClientId = clientId, DocumentId = "doc-1", Type = 0 });

        Assert.NotEqual(Guid.Empty, accepted.EventId);
        Assert.Null(accepted.DeliveryId);
    }

    [Fact]
    public async Task ReportDocumentFinished_UnknownClient_ThrowsNotFoundProblem()
    {
        var error = await Assert.ThrowsAsync<CleanWebhooksApiException<ProblemDetails>>(() => Factory.CreateInternalApiClient()
            .ReportDocumentFinishedAsync(null, new ReportDocumentEventRequest { ClientId = Guid.NewGuid(), DocumentId = "d", Type = 0 }));

        Assert.Equal(404, error.StatusCode);
    }

    [Fact]
    public async Task ReportDocumentFinished_SameIdempotencyKey_SameAnswer()
    {
        var (clientId, client) = await NewIntegratorAsync();
        await client.CreateWebhookAsync(ClientTestExtensions.ValidWebhook(Receiver.Url("/docs/:id")));
        var admin = Factory.CreateInternalApiClient();
        var request = new ReportDocumentEventRequest { ClientId = clientId, DocumentId = "doc-1", Type = 0 };

        var first = await admin.ReportDocumentFinishedAsync("key-1", request);
        var again = await admin.ReportDocumentFinishedAsync("key-1", request);

        Assert.Equal(first.EventId, again.EventId);
        Assert.Equal(first.DeliveryId, again.DeliveryId);
    }

    [Fact]
    public async Task ReportDocumentEventBatch_StoredAndRefusedEvents_ResultsInOrderAndStoredOnesDelivered()
    {
        var (clientId, client) = await NewIntegratorAsync();
        var webhook = await client.CreateWebhookAsync(ClientTestExtensions.ValidWebhook(Receiver.Url("/docs/:id")));
        var admin = Factory.CreateInternalApiClient();

        var answer = await admin.ReportDocumentEventBatchAsync(new ReportDocumentEventBatchRequest
        {
            Events =
            [
                new DocumentEventBatchItem { ClientId = clientId, DocumentId = "batch-1", Type = 0, Data = new { pages = 1 }, IdempotencyKey = "batch-key-1" },
                new DocumentEventBatchItem { ClientId = Guid.NewGuid(), DocumentId = "batch-unknown", Type = 0 },
                new DocumentEventBatchItem { ClientId = clientId, DocumentId = "batch-2", Type = 0 },
                new DocumentEventBatchItem { ClientId = clientId, DocumentId = "batch-1", Type = 0, IdempotencyKey = "batch-key-1" },
            ],
        });

        Assert.Equal(4, answer.Results.Count);
        Assert.Null(answer.Results[0].Error);
        Assert.NotNull(answer.Results[0].DeliveryId);
        Assert.Null(answer.Results[1].EventId);
        Assert.Equal(404, answer.Results[1].Error!.Status);
        Assert.Equal("client.not_found", answer.Results[1].Error!.AdditionalProperties["code"].ToString());
        Assert.NotNull(answer.Results[2].DeliveryId);
        Assert.Equal(answer.Results[0].EventId, answer.Results[3].EventId);
        Assert.Equal(answer.Results[0].DeliveryId, answer.Results[3].DeliveryId);
        await client.WaitForStatusAsync(webhook.Id, answer.Results[2].DeliveryId!.Value, DeliveryStatus.Succeeded);
        var delivered = await client.WaitForStatusAsync(webhook.Id, answer.Results[0].DeliveryId!.Value, DeliveryStatus.Succeeded);
        Assert.Equal("batch-1", delivered.DocumentId);
    }

    [Fact]
    public async Task ReportDocumentEventBatch_NoEvents_ThrowsValidationProblem()
    {
        var error = await Assert.ThrowsAsync<CleanWebhooksApiException<HttpValidationProblemDetails>>(() => Factory.CreateInternalApiClient()
            .ReportDocumentEventBatchAsync(new ReportDocumentEventBatchRequest { Events = [] }));

        Assert.Equal(400, error.StatusCode);
        Assert.True(error.Result.Errors.ContainsKey("events"));
    }

    [Fact]
    public async Task ListDeliveriesAsync_MoreThanOnePage_CursorWalksNewestFirst()
    {
        var (clientId, client) = await NewIntegratorAsync();
        var webhook = await client.CreateWebhookAsync(ClientTestExtensions.ValidWebhook(Receiver.Url("/docs/:id")));
        var admin = Factory.CreateInternalApiClient();
        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await admin.ReportDocumentFinishedAsync(null, new ReportDocumentEventRequest { ClientId = clientId, DocumentId = $"d{i}", Type = 0 })).DeliveryId!.Value);
        }

        var seen = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await client.ListDeliveriesAsync(webhook.Id, null, 2, cursor);
            Assert.True(page.Items.Count <= 2);
            seen.AddRange(page.Items.Select(d => d.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal(Enumerable.Reverse(ids), seen);
    }

    [Fact]
    public async Task ListDeliveriesAsync_UnknownStatus_ThrowsValidationProblem()
    {
        var (_, client) = await NewIntegratorAsync();
        var webhook = await client.CreateWebhookAsync(ClientTestExtensions.ValidWebhook());

        var error = await Assert.ThrowsAsync<CleanWebhooksApiException<HttpValidationProblemDetails>>(
            () => client.ListDeliveriesAsync(webhook.Id, "lost", null, null));

        Assert.Equal(400, error.StatusCode);
        Assert.True(error.Result.Errors.ContainsKey("status"));
    }

    [Fact]
    public async Task RetryDeliveryAsync_FailedDelivery_DeliveredAfterRetry()
    {
        var failing = true;
        Receiver.Respond = (_, _) => Volatile.Read(ref failing) ? new ReceiverAnswer(500) : ReceiverAnswer.Ok;
        var (clientId, client) = await NewIntegratorAsync();
        var webhook = await client.CreateWebhookAsync(ClientTestExtensions.ValidWebhook(Receiver.Url("/docs/:id")));
        var accepted = await Factory.CreateInternalApiClient().ReportDocumentFinishedAsync(
            null, new ReportDocumentEventRequest { ClientId = clientId, DocumentId = "doc-1", Type = 0 });
        await client.WaitForStatusAsync(webhook.Id, accepted.DeliveryId!.Value, DeliveryStatus.Failed);
        Volatile.Write(ref failing, false);

        var retried = await client.RetryDeliveryAsync(webhook.Id, accepted.DeliveryId.Value);

        Assert.Equal(accepted.DeliveryId, retried.Id);
        var delivered = await client.WaitForStatusAsync(webhook.Id, accepted.DeliveryId.Value, DeliveryStatus.Succeeded);
        Assert.Equal(3, delivered.AttemptCount);
    }

    [Fact]
    public async Task RotateSigningSecretAsync_OldAndNewSecretsBothSign()
    {
        var (clientId, client) = await NewIntegratorAsync();
        var webhook = await client.CreateWebhookAsync(ClientTestExtensions.ValidWebhook(Receiver.Url("/docs/:id")));
        var before = await client.GetSigningSecretAsync(webhook.Id);

        var rotated = await client.RotateSigningSecretAsync(webhook.Id);
        await Factory.CreateInternalApiClient().ReportDocumentFinishedAsync(
            null, new ReportDocumentEventRequest { ClientId = clientId, DocumentId = "doc-1", Type = 0 });

        Assert.StartsWith("whsec_", before.Key, StringComparison.Ordinal);
        Assert.NotEqual(before.Key, rotated.Key);
        Assert.Equal(rotated.Key, (await client.GetSigningSecretAsync(webhook.Id)).Key);
        var call = (await Receiver.WaitForAsync(1))[0];
        Assert.Equal(2, call.Header("webhook-signature")!.Split(' ').Length);
    }
}
