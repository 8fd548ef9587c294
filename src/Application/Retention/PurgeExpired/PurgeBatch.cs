namespace CleanWebhooks.Application.Retention.PurgeExpired;

/// <summary>
/// How a purge shares the database's writer (SQLite's only one) with intake and delivery, which wait while it holds it.
/// Each transaction deletes as many rows as fit in <paramref name="budget"/>, never more than <paramref name="largest"/>:
/// its length, not its row count, is what they feel, and a row's cost varies (its attempts, its indexes, the disk). The
/// size starts small, grows by half while a batch holds the writer under half the budget, and halves when one holds it
/// longer, the way a send window adapts to its receiver. After each batch the purge leaves the writer alone for at
/// least as long as the batch cost, from asking for the writer to letting it go, so that it never takes more than half
/// of the writer's time, and its pages reach the database file (the checkpoints that the writers run) at no more than
/// half the rate. The size follows only the time held: a wait behind others says how busy the writer is, not how long
/// a row takes, and lengthens the pause instead.
/// <para>
/// It also adapts to who else writes. A batch that other writes queued behind (<see cref="Purged{T}.OthersWaited"/>)
/// held them up: the next batches aim at an eighth of the budget, and the pause doubles, up to
/// <see cref="MostPause"/> times what the batch cost, so under steady intake the purge holds the writer in short turns
/// and at most about a fifth of the time; the cap on the pause keeps it from being shut out. After a batch no one
/// waited for, the whole budget applies again and the pause halves back to what one batch cost: alone, the purge runs
/// as fast as before. On a server database writes do not queue behind a batch, and nothing of this applies.
/// </para>
/// </summary>
internal sealed class PurgeBatch(int largest, TimeSpan budget, TimeProvider clock)
{
    private const int FirstSize = 16;

    /// <summary>The longest pause, in what the batch before it cost (its wait for the writer and its hold).</summary>
    internal const int MostPause = 4;

    public int Size { get; private set; } = Math.Min(largest, FirstSize);

    /// <summary>The pause after a batch, in what that batch cost: 1 while no one else waits, up to <see cref="MostPause"/>.</summary>
    public int PauseFactor { get; private set; } = 1;

    /// <summary>One batch of <see cref="Size"/> rows, then its pause; returns what it did and the size it asked for.</summary>
    public async Task<(T Result, int Asked)> RunAsync<T>(Func<int, Task<Purged<T>>> purge, CancellationToken cancellationToken)
    {
        var asked = Size;
        var batch = await purge(asked);
        Held(batch.Held, batch.OthersWaited);
        await Task.Delay((batch.Waited + batch.Held) * PauseFactor, clock, cancellationToken);
        return (batch.Result, asked);
    }

    /// <summary>The last batch, of <see cref="Size"/> rows asked for, held the writer for <paramref name="held"/>, with or without others queued behind it.</summary>
    public void Held(TimeSpan held, bool othersWaited)
    {
        var aim = othersWaited ? budget / 8 : budget;
        if (held > aim)
        {
            Size = Math.Max(1, Size / 2);
        }
        else if (held < aim / 2)
        {
            Size = Math.Min(largest, Size + Math.Max(1, Size / 2));
        }

        PauseFactor = othersWaited ? Math.Min(MostPause, PauseFactor * 2) : Math.Max(1, PauseFactor / 2);
    }
}
