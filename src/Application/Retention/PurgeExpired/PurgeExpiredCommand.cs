using CleanWebhooks.Domain.Deliveries;
using Mediator;

namespace CleanWebhooks.Application.Retention.PurgeExpired;

/// <summary>
/// Deletes what is older than the retention <paramref name="Period"/>: ended deliveries with their attempts, events
/// with no delivery left, and idempotency keys past their window. Pending deliveries and their events stay.
/// </summary>
public sealed record PurgeExpiredCommand(TimeSpan Period, int BatchSize) : ICommand<PurgeResult>;

/// <summary>How many rows a purge deleted.</summary>
public sealed record PurgeResult(long Deliveries, long Events, long IdempotencyKeys)
{
    public bool DeletedAny => Deliveries + Events + IdempotencyKeys > 0;
}

public sealed class PurgeExpiredCommandHandler(IRetentionStore store, TimeProvider clock) : ICommandHandler<PurgeExpiredCommand, PurgeResult>
{
    /// <summary>The smallest step of a stored timestamp (microseconds): used to step past events sharing one instant.</summary>
    private static readonly TimeSpan Microsecond = TimeSpan.FromTicks(10);

    public async ValueTask<PurgeResult> Handle(PurgeExpiredCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(command.Period, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(command.BatchSize, 1);

        var now = clock.GetUtcNow();
        var before = now - command.Period;

        long deliveries = 0;
        int deleted;
        do
        {
            deleted = await store.PurgeEndedDeliveriesAsync(before, command.BatchSize, cancellationToken);
            deliveries += deleted;
        }
        while (deleted == command.BatchSize);

        // Events whose deliveries went above went with them; this pass finds those that never had one. It walks the
        // range once, in time order, so events kept for a pending delivery are looked at once per purge, not per batch.
        long events = 0;
        var from = DateTimeOffset.MinValue;
        while (true)
        {
            var batch = await store.PurgeEventsAsync(from, before, command.BatchSize, cancellationToken);
            events += batch.Deleted;
            if (batch.Scanned < command.BatchSize || batch.LastOccurredAt is not { } last)
            {
                break;
            }

            // A whole batch at one instant (only kept events stay behind): step past it rather than loop on it.
            from = last > from ? last : last + Microsecond;
        }

        long keys = 0;
        do
        {
            deleted = await store.PurgeIdempotencyKeysAsync(now - IdempotencyKey.Window, command.BatchSize, cancellationToken);
            keys += deleted;
        }
        while (deleted == command.BatchSize);

        return new PurgeResult(deliveries, events, keys);
    }
}
