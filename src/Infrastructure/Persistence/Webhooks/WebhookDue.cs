namespace CleanWebhooks.Infrastructure.Persistence.Webhooks;

/// <summary>
/// A webhook's due marker (<c>webhooks.due_at</c>, migration 0006): the claim reads only webhooks whose marker has come,
/// so whatever makes a delivery due sets it, in the same transaction. The claim moves it on after each look
/// (<see cref="Deliveries.DeliveryQueue"/>); the outcome writer brings it forward for a retry or a freed room.
/// </summary>
internal static class WebhookDue
{
    /// <summary>The statements every engine runs as written.</summary>
    public static class Portable
    {
        /// <summary>
        /// An operator's act (a manual retry, an enable, new limits): due now, whatever it waited for. The row is always
        /// matched, so on a server database it waits for a claim that holds the webhook and applies to what that claim
        /// left.
        /// </summary>
        public const string Now = "UPDATE webhooks SET due_at = @Now, waits_for_room = 0 WHERE id = @WebhookId AND disabled_at IS NULL;";

        /// <summary>
        /// New work (an intake): due now, unless it is due already, disabled, or waits for room (new work makes no room;
        /// one of its attempts ending, or <see cref="Domain.Deliveries.DeliveryPolicy.RoomRecheck"/>, wakes it).
        /// </summary>
        public const string NewWork =
            "UPDATE webhooks SET due_at = @Now WHERE id = @WebhookId AND disabled_at IS NULL AND (due_at IS NULL OR (due_at > @Now AND waits_for_room = 0));";
    }

    public static class PostgreSql
    {
        /// <summary>
        /// New work for a batch's webhooks. The rows are locked first, in id order (every writer of webhooks locks them
        /// so), in a statement of their own: under READ COMMITTED the update then sees what a claim that held one of them
        /// left, instead of passing over a row whose older version did not match and leaving new work unmarked.
        /// </summary>
        public const string NewWork =
            "SELECT id FROM webhooks WHERE id = ANY(@WebhookIds) ORDER BY id FOR NO KEY UPDATE; " +
            "UPDATE webhooks SET due_at = @Now WHERE id = ANY(@WebhookIds) AND disabled_at IS NULL AND (due_at IS NULL OR (due_at > @Now AND waits_for_room = 0));";
    }
}
