namespace CleanWebhooks.Api.Portal;

/// <summary>The portal's addresses: every page has its own, reached by ordinary links.</summary>
public static class PortalRoutes
{
    public const string Root = "/portal";
    public const string Expired = "/portal/expired";

    public static string Open(string token) => $"{Root}/open?token={Uri.EscapeDataString(token)}";

    public static string Webhook(Guid webhookId) => $"{Root}/webhooks/{webhookId}";

    public static string Delivery(Guid webhookId, Guid deliveryId) => $"{Root}/webhooks/{webhookId}/deliveries/{deliveryId}";
}
