namespace CleanWebhooks.Client;

/// <summary>Calls written against earlier versions of the client keep compiling when an operation gains an optional parameter.</summary>
public partial class CleanWebhooksClient
{
    /// <summary>A page of a webhook's deliveries, newest first, without the <c>documentId</c> filter (the call as it was before it).</summary>
    /// <param name="id">The webhook.</param>
    /// <param name="status">pending, succeeded, failed or cancelled; null for all.</param>
    /// <param name="limit">1 to 100; null for 50.</param>
    /// <param name="cursor">A page's <c>NextCursor</c>; null for the first page.</param>
    public virtual Task<DeliveryPage> ListDeliveriesAsync(Guid id, string? status, int? limit, string? cursor) =>
        ListDeliveriesAsync(id, status, limit, cursor, documentId: null);
}
