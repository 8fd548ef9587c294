namespace CleanWebhooks.Domain.Webhooks;

/// <summary>
/// A webhook's stored state as a delivery needs it, without its secrets: its version (<c>updatedAt</c>: a rotation, new
/// limits or a delete moves it), its health and its limits.
/// </summary>
public sealed record WebhookVersion(WebhookId Id, DateTimeOffset UpdatedAt, WebhookHealth Health, WebhookLimits Limits);
