using CleanWebhooks.Application.Deliveries.AttemptDelivery;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Deliveries;

namespace CleanWebhooks.Infrastructure.Persistence.Deliveries;

/// <summary>A claimed delivery's row (its state as <see cref="DeliveryStateRow"/>), with its event: what is needed to send it.</summary>
internal sealed class ClaimedDeliveryRow : DeliveryStateRow
{
    /// <summary>The columns it is read from: a delivery <c>d</c> joined to its event <c>e</c>.</summary>
    public const string Columns =
        "d.id, d.locked_by, d.webhook_id, d.status, d.attempt_count, d.next_attempt_at, d.retry_requested, d.lease_until, " +
        "e.id AS event_id, e.client_id, e.document_id, e.type, e.data, e.occurred_at, e.trace_parent, e.is_test";

    /// <summary>The claim that holds its lease: only this claim may record its outcome.</summary>
    public string LockedBy { get; init; } = "";

    public Guid EventId { get; init; }

    public Guid ClientId { get; init; }

    public string DocumentId { get; init; } = "";

    public int Type { get; init; }

    public string? Data { get; init; }

    public DateTimeOffset OccurredAt { get; init; }

    /// <summary>The W3C traceparent of the request that reported the event, when it was traced.</summary>
    public string? TraceParent { get; init; }

    /// <summary>A test event (<c>webhook.test</c>).</summary>
    public bool IsTest { get; init; }

    public ClaimedDelivery ToClaimed(DateTimeOffset? startAt) => new(
        ToDelivery(),
        LockedBy,
        new DeliveryMessage(new EventId(EventId), new ClientId(ClientId), DocumentId, Type, Data, OccurredAt, TraceParent, IsTest),
        startAt);
}
