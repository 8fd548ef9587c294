namespace CleanWebhooks.Domain.Webhooks;

/// <summary>What a client's event of one type goes to: the client's active webhook of that type, or none.</summary>
public sealed record ClientWebhookOfType(WebhookVersion? Webhook);
