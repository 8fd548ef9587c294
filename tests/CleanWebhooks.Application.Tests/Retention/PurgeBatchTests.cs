using CleanWebhooks.Application.Retention;
using CleanWebhooks.Application.Retention.PurgeExpired;
using Microsoft.Extensions.Time.Testing;

namespace CleanWebhooks.Application.Tests.Retention;

/// <summary>A purge transaction's size follows how long it takes: the budget, not a row count, is what intake feels.</summary>
public sealed class PurgeBatchTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(10);

    [Fact]
    public void Held_QuickBatches_GrowFromSmallUpToTheLargestAndNoFurther()
    {
        var batch = new PurgeBatch(500, Budget, TimeProvider.System);
        var sizes = new List<int>();
        for (var i = 0; i < 12; i++)
        {
            sizes.Add(batch.Size);
            batch.Held(TimeSpan.FromMilliseconds(1), othersWaited: false);
        }

        Assert.Equal([16, 24, 36, 54, 81, 121, 181, 271, 406, 500, 500, 500], sizes);
    }

    [Fact]
    public void Held_BatchesOverTheBudget_HalveDownToOneRow()
    {
        var batch = new PurgeBatch(500, Budget, TimeProvider.System);
        var sizes = new List<int>();
        for (var i = 0; i < 6; i++)
        {
            batch.Held(TimeSpan.FromMilliseconds(50), othersWaited: false);
            sizes.Add(batch.Size);
        }

        Assert.Equal([8, 4, 2, 1, 1, 1], sizes);
    }

    [Fact]
    public void Held_BetweenHalfTheBudgetAndTheBudget_KeepsTheSize()
    {
        var batch = new PurgeBatch(500, Budget, TimeProvider.System);

        batch.Held(TimeSpan.FromMilliseconds(7), othersWaited: false);

        Assert.Equal(16, batch.Size);
    }

    [Fact]
    public void Held_OthersWaited_AimsAtAnEighthOfTheBudget()
    {
        var batch = new PurgeBatch(500, Budget, TimeProvider.System);

        // 5 ms is within the budget alone, and too long while others wait for the writer.
        batch.Held(TimeSpan.FromMilliseconds(5), othersWaited: false);
        Assert.Equal(16, batch.Size);
        batch.Held(TimeSpan.FromMilliseconds(5), othersWaited: true);
        Assert.Equal(8, batch.Size);
        batch.Held(TimeSpan.FromMilliseconds(1), othersWaited: true);
        Assert.Equal(8, batch.Size);
        batch.Held(TimeSpan.FromMilliseconds(0.5), othersWaited: true);
        Assert.Equal(12, batch.Size);
    }

    [Fact]
    public void Held_OthersWaited_PausesDoubleUpToTheMostAndHalveBackOnceAlone()
    {
        var batch = new PurgeBatch(500, Budget, TimeProvider.System);
        var pauses = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            batch.Held(TimeSpan.FromMilliseconds(1), othersWaited: true);
            pauses.Add(batch.PauseFactor);
        }

        for (var i = 0; i < 3; i++)
        {
            batch.Held(TimeSpan.FromMilliseconds(1), othersWaited: false);
            pauses.Add(batch.PauseFactor);
        }

        Assert.Equal([2, 4, 4, 4, 2, 1, 1], pauses);
        Assert.Equal(PurgeBatch.MostPause, pauses.Max());
    }

    [Fact]
    public async Task Handle_OthersWaitingThroughout_ShortBatchesFourTimesAsMuchPauseAndEveryRowGoes()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));
        // 0.05 ms a row: alone, batches would grow to 200 rows, the 10 ms budget (the first test above).
        var store = new SlowStore(clock, rows: 6_000, perRow: TimeSpan.FromMilliseconds(0.05), othersWaiting: true);
        var started = clock.GetUtcNow();

        var result = await PurgeAsync(store, clock);

        Assert.Equal(6_000, result.Deliveries);
        Assert.All(store.Took, took => Assert.True(took <= Budget / 8, $"A transaction took {took.TotalMilliseconds} ms."));

        // Each pause four times its batch (the first twice), in whole milliseconds as Task.Delay waits them, and each up
        // to 2 ms late: the fake clock moves on 2 ms at a time. Without the longer pauses, these 0.8 ms batches would
        // get pauses of 0 ms.
        var held = store.Took.Aggregate(TimeSpan.Zero, (sum, took) => sum + took);
        var pauses = TimeSpan.FromMilliseconds(store.Took.Select((took, i) => Math.Floor(took.TotalMilliseconds * (i == 0 ? 2 : PurgeBatch.MostPause))).Sum());
        Assert.True(pauses > held * 3, $"Pauses of {pauses} for {held} of deleting.");
        Assert.InRange(clock.GetUtcNow() - started, held + pauses, held + pauses + TimeSpan.FromMilliseconds(2 * store.Took.Count));
    }

    [Fact]
    public async Task RunAsync_ABatchThatWaitedForTheWriter_PausesForItsWaitAndHoldButSizesByTheHold()
    {
        var clock = new FakeTimeProvider();
        var batch = new PurgeBatch(500, Budget, clock);

        // 30 ms behind other writes, then 1 ms held: the rows were quick (the size grows), the writer busy (a long pause).
        var run = batch.RunAsync(size => Task.FromResult(new Purged<int>(size, TimeSpan.FromMilliseconds(30), TimeSpan.FromMilliseconds(1), false)), CancellationToken.None);

        Assert.Equal(24, batch.Size);
        clock.Advance(TimeSpan.FromMilliseconds(30));
        await Task.Delay(20);
        Assert.False(run.IsCompleted, "The pause ended before the batch's wait and hold had passed.");
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal((16, 16), await run);
    }

    [Fact]
    public async Task Handle_RowsThatTakeTime_NoTransactionHoldsTheWriterMuchLongerThanTheBudget()
    {
        // 0.4 ms a row, as a slow disk would make it: 500 rows at once would hold the writer for 200 ms.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));
        var store = new SlowStore(clock, rows: 3_000, perRow: TimeSpan.FromMilliseconds(0.4));

        var result = await PurgeAsync(store, clock);

        Assert.Equal(3_000, result.Deliveries);
        Assert.All(store.Took, took => Assert.True(took <= Budget * 2, $"A transaction took {took.TotalMilliseconds} ms."));
        Assert.True(store.Took.Count(t => t > Budget) <= 2, "The size kept overshooting the budget.");
    }

    [Fact]
    public async Task Handle_EachBatch_LeavesTheWriterAloneForAsLongAsItHeldIt()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));
        var store = new SlowStore(clock, rows: 3_000, perRow: TimeSpan.FromMilliseconds(0.4));
        var started = clock.GetUtcNow();

        await PurgeAsync(store, clock);

        // 1.2 s of deleting, and after each batch a pause as long (Task.Delay waits whole milliseconds): others have the
        // writer about half the time, and not much more than that (the clock below moves on in steps of 2 ms).
        var held = store.Took.Aggregate(TimeSpan.Zero, (sum, took) => sum + took);
        var pauses = TimeSpan.FromMilliseconds(store.Took.Sum(took => Math.Floor(took.TotalMilliseconds)));
        Assert.Equal(TimeSpan.FromMilliseconds(1_200), held);
        Assert.True(pauses > held * 0.9, $"Pauses of {pauses} for {held} of deleting.");
        Assert.InRange(clock.GetUtcNow() - started, held + pauses, held * 3);
    }

    /// <summary>The handler on the fake clock, moved on 2 ms at a time while it pauses between batches.</summary>
    private static async Task<PurgeResult> PurgeAsync(IRetentionStore store, FakeTimeProvider clock)
    {
        var purge = new PurgeExpiredCommandHandler(store, clock).Handle(
            new PurgeExpiredCommand(TimeSpan.FromDays(30), 500, Budget), CancellationToken.None).AsTask();
        while (!purge.IsCompleted)
        {
            await Task.Delay(1);
            clock.Advance(TimeSpan.FromMilliseconds(2));
        }

        return await purge;
    }

    /// <summary>
    /// Deletes <c>rows</c> ended deliveries, each holding the writer <c>perRow</c> of the fake clock's time, with other
    /// writes queued behind every batch or none.
    /// </summary>
    private sealed class SlowStore(FakeTimeProvider clock, int rows, TimeSpan perRow, bool othersWaiting = false) : IRetentionStore
    {
        private int _left = rows;

        public List<TimeSpan> Took { get; } = [];

        public Task<Purged<int>> PurgeEndedDeliveriesAsync(DateTimeOffset before, int batchSize, CancellationToken cancellationToken)
        {
            var deleted = Math.Min(_left, batchSize);
            _left -= deleted;
            var held = perRow * deleted;
            Took.Add(held);
            clock.Advance(held);
            return Task.FromResult(new Purged<int>(deleted, TimeSpan.Zero, held, othersWaiting));
        }

        public Task<Purged<EventPurgeBatch>> PurgeEventsAsync(DateTimeOffset from, DateTimeOffset before, int batchSize, CancellationToken cancellationToken) =>
            Task.FromResult(new Purged<EventPurgeBatch>(new EventPurgeBatch(0, 0, null), TimeSpan.Zero, TimeSpan.Zero, false));

        public Task<Purged<int>> PurgeIdempotencyKeysAsync(DateTimeOffset before, int batchSize, CancellationToken cancellationToken) =>
            Task.FromResult(new Purged<int>(0, TimeSpan.Zero, TimeSpan.Zero, false));
    }
}
