namespace CleanWebhooks.Application.Retention.PurgeExpired;

/// <summary>
/// How a purge shares the database's writer (SQLite's only one) with intake and delivery, which wait while it holds it.
/// Each transaction deletes as many rows as fit in <paramref name="budget"/>, never more than <paramref name="largest"/>:
/// its length, not its row count, is what they feel, and a row's cost varies (its attempts, its indexes, the disk). The
/// size starts small, grows by half while a batch takes under half the budget, and halves when one takes longer, the
/// way a send window adapts to its receiver. After each batch the purge leaves the writer alone for as long as the batch
/// held it, so that it never takes more than half of the writer's time, and its pages reach the database file (the
/// checkpoints that the writers run) at no more than half the rate.
/// </summary>
internal sealed class PurgeBatch(int largest, TimeSpan budget, TimeProvider clock)
{
    private const int FirstSize = 16;

    public int Size { get; private set; } = Math.Min(largest, FirstSize);

    /// <summary>One batch of <see cref="Size"/> rows, then a pause as long as it took; returns what it did and the size it asked for.</summary>
    public async Task<(T Result, int Asked)> RunAsync<T>(Func<int, Task<T>> purge, CancellationToken cancellationToken)
    {
        var asked = Size;
        var started = clock.GetTimestamp();
        var result = await purge(asked);
        var took = clock.GetElapsedTime(started);
        Took(took);
        await Task.Delay(took, clock, cancellationToken);
        return (result, asked);
    }

    /// <summary>The last batch, of <see cref="Size"/> rows asked for, took <paramref name="elapsed"/>.</summary>
    public void Took(TimeSpan elapsed)
    {
        if (elapsed > budget)
        {
            Size = Math.Max(1, Size / 2);
        }
        else if (elapsed < budget / 2)
        {
            Size = Math.Min(largest, Size + Math.Max(1, Size / 2));
        }
    }
}
