using CleanWebhooks.Application.Retention;
using CleanWebhooks.Application.Retention.PurgeExpired;

namespace CleanWebhooks.Application.Tests.Retention;

/// <summary>
/// The purge's rules without a database: which cutoffs it asks for, that it goes on while batches come back full,
/// and that it walks the old events once. The store's SQL is tested through the real service (Delivery tests).
/// </summary>
public sealed class PurgeExpiredCommandHandlerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    private static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(10);

    [Fact]
    public async Task Handle_Always_PurgesBeforeNowMinusThePeriodAndKeysBeforeTheirWindow()
    {
        var store = new RecordingStore();

        await Handler(store).Handle(new PurgeExpiredCommand(TimeSpan.FromDays(30), 100, Budget), CancellationToken.None);

        Assert.Equal([Now.AddDays(-30)], store.DeliveryCutoffs.Distinct());
        Assert.Equal([Now.AddDays(-30)], store.EventCalls.Select(c => c.Before).Distinct());
        Assert.Equal([Now.AddHours(-24)], store.KeyCutoffs.Distinct());
    }

    [Fact]
    public async Task Handle_FullBatches_GoesOnUntilAShortOne()
    {
        var store = new RecordingStore { DeliveryBatches = new Queue<int>([3, 3, 1]), KeyBatches = new Queue<int>([3, 0]) };

        var result = await Handler(store).Handle(new PurgeExpiredCommand(TimeSpan.FromHours(1), 3, Budget), CancellationToken.None);

        Assert.Equal(3, store.DeliveryCutoffs.Count);
        Assert.Equal(7, result.Deliveries);
        Assert.Equal(2, store.KeyCutoffs.Count);
        Assert.Equal(3, result.IdempotencyKeys);
    }

    [Fact]
    public async Task Handle_OldEvents_AreWalkedOnceInTimeOrder()
    {
        var first = Now.AddDays(-40);
        var second = Now.AddDays(-35);
        var store = new RecordingStore
        {
            EventBatches = new Queue<EventPurgeBatch>([new(2, 1, first), new(2, 2, second), new(1, 0, second.AddDays(1))]),
        };

        var result = await Handler(store).Handle(new PurgeExpiredCommand(TimeSpan.FromDays(30), 2, Budget), CancellationToken.None);

        Assert.Equal([DateTimeOffset.MinValue, first, second], store.EventCalls.Select(c => c.From));
        Assert.Equal(3, result.Events);
    }

    [Fact]
    public async Task Handle_AWholeBatchAtOneInstant_StepsPastItInsteadOfLooping()
    {
        var instant = Now.AddDays(-40);
        var store = new RecordingStore
        {
            EventBatches = new Queue<EventPurgeBatch>([new(2, 0, instant), new(2, 0, instant), new(0, 0, null)]),
        };

        await Handler(store).Handle(new PurgeExpiredCommand(TimeSpan.FromDays(30), 2, Budget), CancellationToken.None);

        Assert.Equal([DateTimeOffset.MinValue, instant, instant.AddTicks(10)], store.EventCalls.Select(c => c.From));
    }

    [Fact]
    public async Task Handle_PeriodNotPositive_Throws()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () =>
            await Handler(new RecordingStore()).Handle(new PurgeExpiredCommand(TimeSpan.Zero, 10, Budget), CancellationToken.None));
    }

    private static PurgeExpiredCommandHandler Handler(IRetentionStore store) => new(store, new FixedClock(Now));

    /// <summary>
    /// Time stands still, the stopwatch too: every batch takes no time, so its size grows to the command's largest and
    /// stays there, whatever the machine's load (a batch timed on a busy machine at over the budget halved it).
    /// </summary>
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;

        public override long GetTimestamp() => 0;
    }

    /// <summary>Answers from queues of batch sizes (empty: nothing more to delete) and records what it was asked.</summary>
    private sealed class RecordingStore : IRetentionStore
    {
        public Queue<int> DeliveryBatches { get; init; } = new();

        public Queue<EventPurgeBatch> EventBatches { get; init; } = new();

        public Queue<int> KeyBatches { get; init; } = new();

        public List<DateTimeOffset> DeliveryCutoffs { get; } = [];

        public List<(DateTimeOffset From, DateTimeOffset Before)> EventCalls { get; } = [];

        public List<DateTimeOffset> KeyCutoffs { get; } = [];

        public Task<Purged<int>> PurgeEndedDeliveriesAsync(DateTimeOffset before, int batchSize, CancellationToken cancellationToken)
        {
            DeliveryCutoffs.Add(before);
            return Batch(DeliveryBatches.TryDequeue(out var n) ? n : 0);
        }

        public Task<Purged<EventPurgeBatch>> PurgeEventsAsync(DateTimeOffset from, DateTimeOffset before, int batchSize, CancellationToken cancellationToken)
        {
            EventCalls.Add((from, before));
            return Batch(EventBatches.TryDequeue(out var batch) ? batch : new EventPurgeBatch(0, 0, null));
        }

        public Task<Purged<int>> PurgeIdempotencyKeysAsync(DateTimeOffset before, int batchSize, CancellationToken cancellationToken)
        {
            KeyCutoffs.Add(before);
            return Batch(KeyBatches.TryDequeue(out var n) ? n : 0);
        }

        private static Task<Purged<T>> Batch<T>(T result) => Task.FromResult(new Purged<T>(result, TimeSpan.Zero, TimeSpan.Zero, OthersWaited: false));
    }
}
