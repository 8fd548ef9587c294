using System.Net;
using CleanWebhooks.Testing;

namespace CleanWebhooks.Delivery.Tests.Operations;

/// <summary>
/// Retention through the real service: a 2 s period and a purge every 200 ms, on a real SQLite file, with deliveries
/// of every status made by real attempts against a receiver on 127.0.0.1. Rows the service cannot make old by itself
/// (a 25 h old idempotency key, a 40 day old pending delivery, a cancelled delivery never attempted) are seeded.
/// </summary>
public sealed class RetentionTests : DeliveryFixture
{
    private static readonly IReadOnlyDictionary<string, string> ComeBackInAnHour = new Dictionary<string, string> { ["Retry-After"] = "3600" };

    public RetentionTests()
    {
        Factory.Settings["Retention:Period"] = "00:00:02";
        Factory.Settings["Retention:Interval"] = "00:00:00.200";
    }

    [Fact]
    public async Task Purge_AfterThePeriod_DeletesWhatEndedAndKeepsPendingDeliveriesWithTheirEvents()
    {
        var pendingMayArrive = false;
        Receiver.Respond = (request, _) => request.Path switch
        {
            var p when p.EndsWith("/doc-ok", StringComparison.Ordinal) => ReceiverAnswer.Ok,
            var p when p.EndsWith("/doc-failed", StringComparison.Ordinal) => new ReceiverAnswer(500),
            var p when p.EndsWith("/doc-pending", StringComparison.Ordinal) && Volatile.Read(ref pendingMayArrive) => ReceiverAnswer.Ok,
            _ => new ReceiverAnswer(503, Headers: ComeBackInAnHour),
        };
        var rows = new StoredRows(Factory.DatabasePath);
        using var a = await Factory.CreateIntegratorAsync("A");
        using var b = await Factory.CreateIntegratorAsync("B");
        using var c = await Factory.CreateIntegratorAsync("C, without webhooks");
        var webhookA = (await a.CreateWebhookAsync(Receiver.Url("/a/:id"))).Id();
        var webhookB = (await b.CreateWebhookAsync(Receiver.Url("/b/:id"))).Id();

        var (okEvent, ok) = await Factory.ReportAsync(a.ClientId, "doc-ok");
        var (failedEvent, failed) = await Factory.ReportAsync(a.ClientId, "doc-failed");
        var (pendingEvent, pending) = await Factory.ReportAsync(a.ClientId, "doc-pending");
        var (cancelledEvent, cancelled) = await Factory.ReportAsync(b.ClientId, "doc-cancelled");
        var (lonelyEvent, none) = await Factory.ReportAsync(c.ClientId, "doc-lonely", idempotencyKey: "fresh-key");
        Assert.Null(none);

        await a.WaitForStatusAsync(webhookA, ok!.Value, "succeeded");
        await a.WaitForStatusAsync(webhookA, failed!.Value, "failed");
        await StoredRows.WaitUntilAsync(async () => await rows.AttemptsAsync(pending!.Value) == 1, "doc-pending attempted once");
        await StoredRows.WaitUntilAsync(async () => await rows.AttemptsAsync(cancelled!.Value) == 1, "doc-cancelled attempted once");
        using (var deleted = await b.Http.DeleteAsync(new Uri($"/api_document/document_webhooks/{webhookB}", UriKind.Relative)))
        {
            Assert.True(deleted.IsSuccessStatusCode, $"Delete webhook: {(int)deleted.StatusCode}");
        }

        Assert.Equal("cancelled", await rows.StatusAsync(cancelled!.Value));
        var seeded = await SeedOldRowsAsync(rows, a.ClientId, webhookA, b.ClientId, webhookB);

        // Everything that ended, and the event that never had a delivery, goes once older than the period.
        await StoredRows.WaitUntilAsync(
            async () => await rows.DeliveriesAsync(ok.Value) + await rows.DeliveriesAsync(failed.Value) + await rows.DeliveriesAsync(cancelled.Value)
                + await rows.DeliveriesAsync(seeded.CancelledUnattempted) + await rows.EventsAsync(lonelyEvent) == 0,
            "ended deliveries and the event without delivery purged");
        await StoredRows.WaitUntilAsync(
            async () => await rows.CountAsync("SELECT COUNT(*) FROM idempotency_keys WHERE key = 'old-key'") == 0, "the 25 h old idempotency key purged");

        foreach (var gone in new[] { ok.Value, failed.Value, cancelled.Value })
        {
            Assert.Equal(0, await rows.AttemptsAsync(gone));
        }

        foreach (var gone in new[] { okEvent, failedEvent, cancelledEvent, seeded.CancelledUnattemptedEvent })
        {
            Assert.Equal(0, await rows.EventsAsync(gone));
        }

        // Pending deliveries stay, however old, and so do their events; a key inside its 24 h stays.
        Assert.Equal("pending", await rows.StatusAsync(pending!.Value));
        Assert.Equal(1, await rows.EventsAsync(pendingEvent));
        Assert.Equal(1, await rows.AttemptsAsync(pending.Value));
        Assert.Equal("pending", await rows.StatusAsync(seeded.OldPending));
        Assert.Equal(1, await rows.EventsAsync(seeded.OldPendingEvent));
        Assert.Equal(1, await rows.CountAsync("SELECT COUNT(*) FROM idempotency_keys WHERE key = 'fresh-key'"));

        // The event acknowledged with 202 seconds before the purges is still delivered, with its document.
        Volatile.Write(ref pendingMayArrive, true);
        using (var retry = await a.Http.PostAsync(new Uri($"/api_document/document_webhooks/{webhookA}/deliveries/{pending.Value}/retry", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        }

        await a.WaitForStatusAsync(webhookA, pending.Value, "succeeded");
        Assert.Contains(Receiver.Requests, r => r.Path == "/a/doc-pending" && r.Body.Contains("\"doc-pending\"", StringComparison.Ordinal));

        // Once it has ended, it goes too.
        await StoredRows.WaitUntilAsync(
            async () => await rows.DeliveriesAsync(pending.Value) + await rows.EventsAsync(pendingEvent) == 0, "the delivered delivery purged in its turn");
        Assert.Equal(1, await rows.EventsAsync(seeded.OldPendingEvent));
    }

    [Fact]
    public async Task Purge_OnTwoNodesAtOnce_DeletesEveryEndedDeliveryAndKeepsThePendingOne()
    {
        // Tiny batches, often, on two nodes of one database: their purges interleave batch by batch.
        Factory.Settings["Retention:Interval"] = "00:00:00.050";
        Factory.Settings["Retention:BatchSize"] = "2";
        await using var second = ApiFactory.SharingDatabaseWith(Factory);
        Receiver.Respond = (request, _) => request.Path.EndsWith("/doc-pending", StringComparison.Ordinal)
            ? new ReceiverAnswer(503, Headers: ComeBackInAnHour)
            : ReceiverAnswer.Ok;
        var rows = new StoredRows(Factory.DatabasePath);
        using var a = await Factory.CreateIntegratorAsync();
        await a.CreateWebhookAsync(Receiver.Url("/a/:id"));
        _ = second.Services; // starts the second node, and its purge

        for (var i = 0; i < 30; i++)
        {
            await Factory.ReportAsync(a.ClientId, $"doc-{i}");
        }

        var (pendingEvent, pending) = await Factory.ReportAsync(a.ClientId, "doc-pending");
        await Receiver.WaitForAsync(31);

        await StoredRows.WaitUntilAsync(
            async () => await rows.CountAsync("SELECT COUNT(*) FROM deliveries WHERE status <> 'pending'") == 0
                && await rows.CountAsync("SELECT COUNT(*) FROM events") == 1,
            "every ended delivery and its event purged by the two nodes");

        Assert.Equal(30, Receiver.Requests.Count(r => r.Path.StartsWith("/a/doc-", StringComparison.Ordinal) && r.Path != "/a/doc-pending"));
        Assert.Equal(0, await rows.CountAsync("SELECT COUNT(*) FROM delivery_attempts WHERE delivery_id <> $id", ("$id", StoredRows.Id(pending!.Value))));
        Assert.Equal("pending", await rows.StatusAsync(pending.Value));
        Assert.Equal(1, await rows.EventsAsync(pendingEvent));
        using var http = second.CreateClient();
        using var ready = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    private sealed record Seeded(Guid OldPending, Guid OldPendingEvent, Guid CancelledUnattempted, Guid CancelledUnattemptedEvent);

    private static async Task<Seeded> SeedOldRowsAsync(StoredRows rows, Guid clientA, Guid webhookA, Guid clientB, Guid webhookB)
    {
        var now = DateTimeOffset.UtcNow;
        var seeded = new Seeded(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        const string InsertEvent = "INSERT INTO events (id, client_id, document_id, type, data, occurred_at) VALUES ($id, $client, $doc, 0, NULL, $at)";
        const string InsertDelivery =
            "INSERT INTO deliveries (id, webhook_id, event_id, status, attempt_count, next_attempt_at, created_at) VALUES ($id, $webhook, $event, $status, 0, $next, $at)";

        // Pending for 40 days (a webhook that stays down), not due during the test.
        var longAgo = StoredRows.Timestamp(now.AddDays(-40));
        await rows.ExecuteAsync(InsertEvent, ("$id", StoredRows.Id(seeded.OldPendingEvent)), ("$client", StoredRows.Id(clientA)), ("$doc", "doc-old-pending"), ("$at", longAgo));
        await rows.ExecuteAsync(
            InsertDelivery,
            ("$id", StoredRows.Id(seeded.OldPending)), ("$webhook", StoredRows.Id(webhookA)), ("$event", StoredRows.Id(seeded.OldPendingEvent)),
            ("$status", "pending"), ("$next", StoredRows.Timestamp(now.AddDays(1))), ("$at", longAgo));

        // Cancelled before any attempt: it ended at its creation, a minute ago.
        var minuteAgo = StoredRows.Timestamp(now.AddMinutes(-1));
        await rows.ExecuteAsync(InsertEvent, ("$id", StoredRows.Id(seeded.CancelledUnattemptedEvent)), ("$client", StoredRows.Id(clientB)), ("$doc", "doc-never-sent"), ("$at", minuteAgo));
        await rows.ExecuteAsync(
            InsertDelivery,
            ("$id", StoredRows.Id(seeded.CancelledUnattempted)), ("$webhook", StoredRows.Id(webhookB)), ("$event", StoredRows.Id(seeded.CancelledUnattemptedEvent)),
            ("$status", "cancelled"), ("$next", DBNull.Value), ("$at", minuteAgo));

        // An idempotency key past its 24 h.
        await rows.ExecuteAsync(
            "INSERT INTO idempotency_keys (client_id, caller, key, event_id, delivery_id, created_at) VALUES ($client, 'internal', 'old-key', $event, NULL, $at)",
            ("$client", StoredRows.Id(clientA)), ("$event", StoredRows.Id(Guid.NewGuid())), ("$at", StoredRows.Timestamp(now.AddHours(-25))));
        return seeded;
    }
}
