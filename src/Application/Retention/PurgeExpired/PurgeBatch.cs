namespace CleanWebhooks.Application.Retention.PurgeExpired;

/// <summary>
/// How a purge shares the database's writer (SQLite's only one) with intake and delivery, which wait while it holds it.
/// Each transaction deletes as many rows as fit in <paramref name="budget"/>, never more than <paramref name="largest"/>:
/// its length, not its row count, is what they feel, and a row's cost varies (its attempts, its indexes, the disk). The
/// size starts small, grows by half while a batch takes under half the budget, and halves when one takes longer, the
/// way a send window adapts to its receiver. After each batch the purge leaves the writer alone for at least as long as
/// the batch held it, so that it never takes more than half of the writer's time, and its pages reach the database file
/// (the checkpoints that the writers run) at no more than half the rate.
/// <para>
/// The purge adapts to who else writes: <paramref name="writeTurns"/> counts the write turns this process has asked
/// for, and a batch during which it moved by more than the batch's own turn made other writes wait. After such a
/// batch the next ones aim at a quarter of the budget, and each pause doubles, up to <see cref="MostPause"/> times the
/// batch: under steady intake the purge holds the writer in short turns and at most a fifth of the time, never less,
/// so that it still keeps up with what intake writes. After a batch that no one waited for, the pause halves back to
/// the batch's length and the whole budget applies again: alone, the purge runs as fast as before. On a server
/// database writes do not take turns and the count stays 0.
/// </para>
/// </summary>
internal sealed class PurgeBatch(int largest, TimeSpan budget, TimeProvider clock, Func<long> writeTurns)
{
    private const int FirstSize = 16;

    /// <summary>The most a pause may be, in lengths of the batch before it: the purge keeps a fifth of the writer's time.</summary>
    internal const int MostPause = 4;

    /// <summary>While others write, a batch aims at this fraction of the budget.</summary>
    private const int BusyBudgetShare = 4;

    public int Size { get; private set; } = Math.Min(largest, FirstSize);

    /// <summary>The pause after a batch, in lengths of that batch: 1 when no one else writes, up to <see cref="MostPause"/>.</summary>
    public int Pause { get; private set; } = 1;

    /// <summary>One batch of <see cref="Size"/> rows, then its pause; returns what it did and the size it asked for.</summary>
    public async Task<(T Result, int Asked)> RunAsync<T>(Func<int, Task<T>> purge, CancellationToken cancellationToken)
    {
        var asked = Size;
        var turnsBefore = writeTurns();
        var started = clock.GetTimestamp();
        var result = await purge(asked);
        var took = clock.GetElapsedTime(started);

        // One turn is the batch's own; any other is a write that came while it held the writer.
        Took(took, othersWaited: writeTurns() - turnsBefore > 1);
        await Task.Delay(took * Pause, clock, cancellationToken);
        return (result, asked);
    }

    /// <summary>The last batch, of <see cref="Size"/> rows asked for, took <paramref name="elapsed"/>, with or without other writes waiting for it.</summary>
    public void Took(TimeSpan elapsed, bool othersWaited)
    {
        var aim = othersWaited ? budget / BusyBudgetShare : budget;
        if (elapsed > aim)
        {
            Size = Math.Max(1, Size / 2);
        }
        else if (elapsed < aim / 2)
        {
            Size = Math.Min(largest, Size + Math.Max(1, Size / 2));
        }

        Pause = othersWaited ? Math.Min(MostPause, Pause * 2) : Math.Max(1, Pause / 2);
    }
}
