namespace CleanWebhooks.Application.Webhooks;

/// <summary>A webhook as integrators see it: the seed page's fields, in the seed page's order.</summary>
/// <remarks>
/// <c>authorizationBody</c> is never returned; <c>authorization</c> is redacted. After the seed's fields, the endpoint's
/// health: <c>status</c> (<c>active</c> or <c>disabled</c>), <c>disabledAt</c>, <c>disabledReason</c>, and
/// <c>pausedUntil</c> while the circuit breaker holds its deliveries; then the integrator's own limits, <c>maxInFlight</c>
/// and <c>maxPerSecond</c> (null when unset).
/// </remarks>
public sealed record WebhookResponse(
    Guid Id,
    Guid ClientId,
    string Name,
    int Type,
    string Method,
    IReadOnlyDictionary<string, string> Headers,
    string? HeaderAuth,
    string Url,
    string? Authorization,
    string? AuthorizationUrl,
    string? AuthorizationMethod,
    IReadOnlyDictionary<string, string>? AuthorizationHeaders,
    string? AuthorizationResponseTokenAttr,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string Status,
    DateTimeOffset? DisabledAt,
    string? DisabledReason,
    DateTimeOffset? PausedUntil,
    int? MaxInFlight,
    int? MaxPerSecond);
