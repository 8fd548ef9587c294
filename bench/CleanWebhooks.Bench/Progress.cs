using System.Diagnostics;

namespace CleanWebhooks.Bench;

/// <summary>
/// The progress line: the phase, its time and a status, rewritten in place twice a second on a terminal (a line
/// every two seconds when the output is redirected), and left as a final line when the phase ends.
/// </summary>
internal sealed class Progress : IAsyncDisposable
{
    private static readonly bool Redirected = Console.IsOutputRedirected;
    private readonly string _phase;
    private readonly Func<string> _status;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _ticker;

    private Progress(string phase, Func<string> status)
    {
        _phase = phase;
        _status = status;
        _ticker = TickAsync();
    }

    public static Progress Start(string phase, Func<string> status) => new(phase, status);

    public static void Line(string text)
    {
        lock (Console.Out)
        {
            Console.WriteLine(text);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _ticker;
        _stop.Dispose();
        Write(final: true);
    }

    private async Task TickAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(Redirected ? 2000 : 500));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                Write(final: false);
            }
        }
        catch (OperationCanceledException)
        {
            // The phase ended.
        }
    }

    private void Write(bool final)
    {
        var text = $"  {_phase,-34} {Stopwatch.GetElapsedTime(_started).TotalSeconds,5:0.0} s  {_status()}";
        lock (Console.Out)
        {
            if (Redirected)
            {
                Console.WriteLine(text);
            }
            else
            {
                Console.Write($"\r{text,-110}{(final ? Environment.NewLine : "")}");
            }
        }
    }
}
