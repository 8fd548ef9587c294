namespace CleanWebhooks.Application.Retention;

/// <summary>One batch of old events looked at: how many were in the range, how many went, and the last one's time.</summary>
public sealed record EventPurgeBatch(int Scanned, int Deleted, DateTimeOffset? LastOccurredAt);

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
    Task<int> PurgeEndedDeliveriesAsync(DateTimeOffset before, int batchSize, CancellationToken cancellationToken);

    /// <summary>
    /// Looks at up to <paramref name="batchSize"/> events that occurred from <paramref name="from"/> up to
    /// <paramref name="before"/>, in time order, and deletes those with no delivery left.
    /// </summary>
    Task<EventPurgeBatch> PurgeEventsAsync(DateTimeOffset from, DateTimeOffset before, int batchSize, CancellationToken cancellationToken);

    /// <summary>
    /// How many write turns this process has asked the database for so far, the purge's included (SQLite, whose one
    /// writer takes turns). Read around a batch, it tells whether other writes (intake, delivery) came while the batch
    /// held the writer, and so waited for it. Always 0 on a server database, where writes do not queue behind a batch.
    /// </summary>
    long WriteTurnsRequested { get; }

    /// <summary>Deletes up to <paramref name="batchSize"/> idempotency keys created before <paramref name="before"/>; returns how many.</summary>
    Task<int> PurgeIdempotencyKeysAsync(DateTimeOffset before, int batchSize, CancellationToken cancellationToken);
}
