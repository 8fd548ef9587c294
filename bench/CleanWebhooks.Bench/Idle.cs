using System.Diagnostics;

namespace CleanWebhooks.Bench;

/// <summary>
/// Waiting, after a warm-up, until processes are idle. A warm-up leaves work behind it: the runtime compiles the hot
/// methods again, optimized, on its tiered-compilation thread, for seconds after the load that made them hot (a server
/// vacuums and checkpoints). A phase measured before that ends pays for it, and one measured after a pause does not, so
/// every process a ratio compares is measured once it is idle: the figures are those of a warm process.
/// </summary>
internal static class Idle
{
    /// <summary>Idle: under this share of one core.</summary>
    private const double IdleCores = 0.05;

    /// <summary>Each reading spans this long: CPU times come in clock ticks (10 ms here), so shorter windows round too coarsely.</summary>
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);

    /// <summary>Waits for all of <paramref name="sources"/> at once, until each has been idle for one window, or <paramref name="timeout"/>.</summary>
    public static async Task<IdleWait[]> WaitAsync(string phase, IReadOnlyList<CpuSource> sources, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        return await Task.WhenAll(sources.Select(source => WaitAsync(phase, source, deadline, cancellationToken)));
    }

    private static async Task<IdleWait> WaitAsync(string phase, CpuSource source, long deadline, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var first = source.CpuSeconds();
        var (before, readAt) = (first, started);
        bool? settled = first is null ? null : false;
        var ended = false;
        // A reading starts only while a whole window fits before the deadline: a shorter one would round to idle.
        while (before is not null && Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline) >= Window)
        {
            await Task.Delay(Window, cancellationToken);
            var (now, nowAt) = (source.CpuSeconds(), Stopwatch.GetTimestamp());
            if (now is null)
            {
                (settled, ended) = (null, true);
                break;
            }

            // Divided by the time that passed, not the window asked for: a delay runs late on a busy machine. A
            // process tree's reading can come out low when a child ends between two reads: a fall is read again.
            var cores = (now.Value - before.Value) / Stopwatch.GetElapsedTime(readAt, nowAt).TotalSeconds;
            (before, readAt) = (now, nowAt);
            if (cores is >= 0 and < IdleCores)
            {
                settled = true;
                break;
            }
        }

        var used = before - first is { } cpu ? Math.Round(cpu, 2) : (double?)null;
        return new IdleWait(phase, source.Name, Math.Round(Stopwatch.GetElapsedTime(started).TotalSeconds, 1), settled, used, ended);
    }
}
