namespace CleanWebhooks.Application.Retention.PurgeExpired;

/// <summary>
/// How many rows the next purge transaction deletes: as many as fit in <paramref name="budget"/>, never more than
/// <paramref name="largest"/>. A purge transaction holds the database's writer (SQLite's only one) while intake and
/// delivery wait for it, so its length, not its row count, is what they feel; and a row's cost varies (its attempts,
/// its indexes, the disk). The size starts small, grows by half while a batch takes under half the budget, and halves
/// when one takes longer, the way a send window adapts to its receiver.
/// </summary>
internal sealed class PurgeBatch(int largest, TimeSpan budget)
{
    private const int FirstSize = 16;

    public int Size { get; private set; } = Math.Min(largest, FirstSize);

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
