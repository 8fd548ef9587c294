using System.Text.Json;
using CleanWebhooks.Application.Deliveries.AttemptDelivery;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;
using CleanWebhooks.Infrastructure.Delivery;

namespace CleanWebhooks.Infrastructure.Tests.Delivery;

/// <summary>The delivery body, written with a JSON writer and buffer that each thread reuses.</summary>
public sealed class WebhookSenderEnvelopeTests
{
    private static readonly DateTimeOffset OccurredAt = new DateTimeOffset(2026, 12, 7, 9, 30, 15, 123, 456, TimeSpan.Zero).AddTicks(7);
    private static readonly Webhook Hook = StoredWebhooks.Post(new Dictionary<string, string>(), OccurredAt);

    [Fact]
    public void Envelope_Message_TheContractsFields()
    {
        var deliveryId = DeliveryId.New();
        var message = Message("doc-1", """{"pages":3}""");

        using var body = JsonDocument.Parse(WebhookSender.Envelope(Hook, deliveryId, message));

        var root = body.RootElement;
        Assert.Equal("doc-1", root.GetProperty("id").GetString());
        Assert.Equal(0, root.GetProperty("type").GetInt32());
        Assert.Equal(WebhookType.DocumentFinished.EventName(), root.GetProperty("event").GetString());
        Assert.Equal(message.ClientId.Value, root.GetProperty("clientId").GetGuid());
        Assert.Equal(Hook.Id.Value, root.GetProperty("webhookId").GetGuid());
        Assert.Equal(deliveryId.Value, root.GetProperty("deliveryId").GetGuid());
        Assert.Equal("2026-12-07T09:30:15.123456Z", root.GetProperty("occurredAt").GetString());
        Assert.Equal(3, root.GetProperty("data").GetProperty("pages").GetInt32());
    }

    [Fact]
    public async Task Envelope_AfterALargerBodyOnTheSameThread_TheSameBytesAsOnAFreshThread()
    {
        var deliveryId = DeliveryId.New();
        var small = Message("doc-small", null);
        var fresh = await OnFreshThreadAsync(() => WebhookSender.Envelope(Hook, deliveryId, small));

        var reused = await OnFreshThreadAsync(() =>
        {
            // One body under the kept buffer's size and one over it (the buffer is then let go), then the small one.
            WebhookSender.Envelope(Hook, DeliveryId.New(), Message("doc-large", Data(8 * 1024)));
            WebhookSender.Envelope(Hook, DeliveryId.New(), Message("doc-huge", Data(256 * 1024)));
            return WebhookSender.Envelope(Hook, deliveryId, small);
        });

        Assert.Equal(fresh, reused);
        Assert.Contains("\"data\":null}", System.Text.Encoding.UTF8.GetString(reused), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(200)]
    [InlineData(5000)]
    public async Task Envelope_Reused_AllocatesLittleMoreThanTheBody(int? dataBytes)
    {
        var message = Message("document-0001", dataBytes is { } bytes ? Data(bytes) : null);
        var (length, allocated) = await OnFreshThreadAsync(() =>
        {
            WebhookSender.Envelope(Hook, DeliveryId.New(), message);
            var before = GC.GetAllocatedBytesForCurrentThread();
            var body = WebhookSender.Envelope(Hook, DeliveryId.New(), message);
            return (body.Length, GC.GetAllocatedBytesForCurrentThread() - before);
        });

        // The body and the occurredAt text; a writer's buffer (4 KB at least, since it grows by 4 KB) would be more.
        Assert.InRange(allocated, length, length + 1024);
    }

    private static DeliveryMessage Message(string documentId, string? data) =>
        new(EventId.New(), new ClientId(Guid.NewGuid()), documentId, 0, data, OccurredAt);

    private static string Data(int bytes) => $$"""{"text":"{{new string('x', bytes)}}"}""";

    private static Task<T> OnFreshThreadAsync<T>(Func<T> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}
