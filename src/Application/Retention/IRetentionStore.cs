namespace CleanWebhooks.Application.Retention;

/// <summary>One batch of old events looked at: how many were in the range, how many went, and the last one's time.</summary>
public sealed record EventPurgeBatch(int Scanned, int Deleted, DateTimeOffset? LastOccurredAt);

/// <summary>
/// What one purge batch did; how long it <paramref name="Waited"/> for the database's writer (for the writes ahead of
/// it) and then <paramref name="Held"/> it; and whether <paramref name="OthersWaited"/>: other writes were queued for
/// the writer when the batch ended, and so waited for it. SQLite's one writer takes turns; on a server database nothing
/// waits for a batch, nor a batch for others.
/// </summary>
public sealed record Purged<T>(T Result, TimeSpan Waited, TimeSpan Held, bool OthersWaited);

/// <summary>
/// Deletes what retention lets go, one small batch per call, each batch its own short transaction, so that intake
/// and delivery get the database between batches. Every delete is idempotent: several nodes may purge at once.
/// </summary>
public interface IRetentionStore
{
    /// <summary>
    /// Deletes up to <paramref name="batchSize"/> deliveries that ended (<c>succeeded</c>, <c>failed</c>, <c>cancelled</c>)
    /// before <paramref name="before"/> — by their last attempt, or by their creation when cancelled unattempted —
    /// with their attempts, and their events when those are older than <paramref name="before"/> and have no delivery
    /// left. Pending deliveries are never touched. Returns how many deliveries were deleted.
    /// </summary>
    Task<Purged<int>> PurgeEndedDeliveriesAsync(DateTimeOffset before, int batchSize, CancellationToken cancellationToken);

    /// <summary>
    /// Looks at up to <paramref name="batchSize"/> events that occurred from <paramref name="from"/> up to
    /// <paramref name="before"/>, in time order, and deletes those with no delivery left.
    /// </summary>
    Task<Purged<EventPurgeBatch>> PurgeEventsAsync(DateTimeOffset from, DateTimeOffset before, int batchSize, CancellationToken cancellationToken);

    /// <summary>Deletes up to <paramref name="batchSize"/> idempotency keys created before <paramref name="before"/>; returns how many.</summary>
    Task<Purged<int>> PurgeIdempotencyKeysAsync(DateTimeOffset before, int batchSize, CancellationToken cancellationToken);
}
