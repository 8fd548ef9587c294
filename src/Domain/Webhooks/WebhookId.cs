namespace CleanWebhooks.Domain.Webhooks;

/// <summary>Identifies a webhook.</summary>
public readonly record struct WebhookId(Guid Value)
{
    public static WebhookId New() => new(Guid.CreateVersion7());

    public override string ToString() => Value.ToString();
}
