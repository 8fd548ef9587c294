namespace CleanWebhooks.Api.Portal;

/// <summary>A portal session: the link to send the platform's user to (relative to the service root), valid until <c>expiresAt</c>.</summary>
public sealed record PortalSessionResponse(string Url, DateTimeOffset ExpiresAt);
