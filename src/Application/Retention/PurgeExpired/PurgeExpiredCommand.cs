using CleanWebhooks.Domain.Deliveries;
using Mediator;

namespace CleanWebhooks.Application.Retention.PurgeExpired;

/// <summary>
/// Deletes what is older than the retention <paramref name="Period"/>: ended deliveries with their attempts, events
/// with no delivery left, and idempotency keys past their window. Pending deliveries and their events stay. Each
/// transaction deletes at most <paramref name="BatchSize"/> rows, fewer when that takes longer than
/// <paramref name="BatchTime"/> (less while other writes queue behind it), and is followed by a pause at least as long
/// as it held the writer (longer while others write): <see cref="PurgeBatch"/> owns that rule.
/// </summary>
public sealed record PurgeExpiredCommand(TimeSpan Period, int BatchSize, TimeSpan BatchTime) : ICommand<PurgeResult>;

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
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(command.BatchTime, TimeSpan.Zero);

        var now = clock.GetUtcNow();
        var before = now - command.Period;

        long deliveries = 0;
        var batch = new PurgeBatch(command.BatchSize, command.BatchTime, clock);
        while (true)
        {
            var (deleted, asked) = await batch.RunAsync(size => store.PurgeEndedDeliveriesAsync(before, size, cancellationToken), cancellationToken);
            deliveries += deleted;
            if (deleted < asked)
            {
                break;
            }
        }

        // Events whose deliveries went above went with them; this pass finds those that never had one. It walks the
        // range once, in time order, so events kept for a pending delivery are looked at once per purge, not per batch.
        long events = 0;
        var from = DateTimeOffset.MinValue;
        while (true)
        {
            var (scanned, asked) = await batch.RunAsync(size => store.PurgeEventsAsync(from, before, size, cancellationToken), cancellationToken);
            events += scanned.Deleted;
            if (scanned.Scanned < asked || scanned.LastOccurredAt is not { } last)
            {
                break;
            }

            // A whole batch at one instant (only kept events stay behind): step past it rather than loop on it.
            from = last > from ? last : last + Microsecond;
        }

        long keys = 0;
        while (true)
        {
            var (deleted, asked) = await batch.RunAsync(size => store.PurgeIdempotencyKeysAsync(now - IdempotencyKey.Window, size, cancellationToken), cancellationToken);
            keys += deleted;
            if (deleted < asked)
            {
                break;
            }
        }

        return new PurgeResult(deliveries, events, keys);
    }
}
