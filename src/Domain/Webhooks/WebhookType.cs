namespace CleanWebhooks.Domain.Webhooks;

/// <summary>The events a webhook can be registered for. The numbers are public (the seed page's <c>type</c>).</summary>
public enum WebhookType
{
    /// <summary>A document finished processing.</summary>
    DocumentFinished = 0,
}

public static class WebhookTypes
{
    public static bool IsKnown(int type) => Enum.IsDefined(typeof(WebhookType), type);

    /// <summary>The event name sent in the delivery envelope.</summary>
    public static string EventName(this WebhookType type) => type switch
    {
        WebhookType.DocumentFinished => "document.finished",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown webhook type."),
    };
}
