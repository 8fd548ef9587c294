namespace CleanWebhooks.Application.Deliveries;

/// <summary>
/// A delivery of a webhook, as integrators see it. <c>inFlight</c> is true while an attempt is being made; then
/// <c>nextAttemptAt</c> is only when the delivery would be due again should that attempt be lost.
/// </summary>
public sealed record DeliveryResponse(
    Guid Id,
    Guid WebhookId,
    Guid EventId,
    string DocumentId,
    int Type,
    string Status,
    int AttemptCount,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? LastAttemptAt,
    int? LastStatusCode,
    DateTimeOffset CreatedAt,
    bool InFlight);

/// <summary>One attempt of a delivery.</summary>
public sealed record DeliveryAttemptResponse(
    int Number, DateTimeOffset StartedAt, int DurationMs, int? StatusCode, string? Error, string? ResponseExcerpt);

/// <summary>A delivery with every attempt made, oldest first (and <c>inFlight</c> as in <see cref="DeliveryResponse"/>).</summary>
public sealed record DeliveryDetailsResponse(
    Guid Id,
    Guid WebhookId,
    Guid EventId,
    string DocumentId,
    int Type,
    string Status,
    int AttemptCount,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? LastAttemptAt,
    int? LastStatusCode,
    DateTimeOffset CreatedAt,
    bool InFlight,
    IReadOnlyList<DeliveryAttemptResponse> Attempts);

/// <summary>A page of deliveries, newest first; <c>nextCursor</c> fetches the next page, null on the last.</summary>
public sealed record DeliveryPage(IReadOnlyList<DeliveryResponse> Items, string? NextCursor);
