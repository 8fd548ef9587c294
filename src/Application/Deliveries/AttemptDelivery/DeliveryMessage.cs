using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Deliveries;

namespace CleanWebhooks.Application.Deliveries.AttemptDelivery;

/// <summary>What a delivery announces: the event, as the envelope carries it (and the trace of the request that reported it; whether it is a test event).</summary>
public sealed record DeliveryMessage(
    EventId EventId, ClientId ClientId, string DocumentId, int Type, string? Data, DateTimeOffset OccurredAt, string? TraceParent = null, bool IsTest = false);
