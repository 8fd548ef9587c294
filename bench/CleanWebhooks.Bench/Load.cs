using System.Diagnostics;
using System.Net;

namespace CleanWebhooks.Bench;

/// <summary>
/// Latencies of one target, in a preallocated array (no allocation per request); requests past its capacity are
/// counted but not timed.
/// </summary>
internal sealed class Recorder(string name, int capacity = 4_000_000)
{
    private readonly long[] _ticks = new long[capacity];
    private long _next;
    private long _errors;
    private long _elapsedTicks;
    private long _windowStart;

    public string Name { get; } = name;

    public long Ok => Interlocked.Read(ref _next);

    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>The measured time: the sum of the windows this recorder was loaded in, the current one included.</summary>
    public TimeSpan Elapsed
    {
        get
        {
            var open = Interlocked.Read(ref _windowStart);
            var ticks = Interlocked.Read(ref _elapsedTicks) + (open == 0 ? 0 : Stopwatch.GetTimestamp() - open);
            return TimeSpan.FromSeconds((double)ticks / Stopwatch.Frequency);
        }
    }

    public string? FirstError { get; private set; }

    public double PerSecond => Elapsed > TimeSpan.Zero ? Ok / Elapsed.TotalSeconds : 0;

    public void Add(long ticks)
    {
        var index = Interlocked.Increment(ref _next) - 1;
        if (index < _ticks.Length)
        {
            _ticks[index] = ticks;
        }
    }

    public void Error(string description)
    {
        if (Interlocked.Increment(ref _errors) == 1)
        {
            FirstError = description;
        }
    }

    /// <summary>A measurement window opens (one load generator run).</summary>
    public void Open(long timestamp) => Interlocked.Exchange(ref _windowStart, timestamp);

    public void Close(long timestamp)
    {
        var open = Interlocked.Exchange(ref _windowStart, 0);
        if (open != 0)
        {
            Interlocked.Add(ref _elapsedTicks, timestamp - open);
        }
    }

    public LatencySummary Latency()
    {
        var count = (int)Math.Min(Interlocked.Read(ref _next), _ticks.Length);
        var ms = new double[count];
        for (var i = 0; i < count; i++)
        {
            ms[i] = _ticks[i] * 1000.0 / Stopwatch.Frequency;
        }

        return LatencySummary.Of(ms);
    }
}

/// <summary>Percentiles (nearest rank) of a set of latencies in milliseconds.</summary>
internal sealed record LatencySummary(int Count, double? P50Ms, double? P90Ms, double? P99Ms, double? MaxMs, double? MeanMs)
{
    public static LatencySummary Of(double[] ms)
    {
        if (ms.Length == 0)
        {
            return new LatencySummary(0, null, null, null, null, null);
        }

        var sorted = (double[])ms.Clone();
        Array.Sort(sorted);
        double At(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new LatencySummary(sorted.Length, At(0.50), At(0.90), At(0.99), sorted[^1], sorted.Average());
    }
}

/// <summary>
/// The load generator: <c>concurrency</c> workers over one <see cref="HttpClient"/> (SocketsHttpHandler, one
/// connection per worker), each sending its next request as soon as the last one was answered. Every loop ends by
/// a request count and a deadline, whichever comes first.
/// </summary>
internal static class Load
{
    /// <summary>Sends request <c>index</c> and returns its answer's status (the body read and discarded).</summary>
    public delegate Task<HttpStatusCode> Send(long index, CancellationToken cancellationToken);

    public static HttpClient CreateClient(int concurrency) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = concurrency,
        UseCookies = false,
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(10),
    })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>
    /// Runs <paramref name="concurrency"/> workers until <paramref name="duration"/> has passed or
    /// <paramref name="maxRequests"/> were sent. Latencies go to <paramref name="recorder"/> when given (null: warm-up).
    /// Returns the time from the first request to the last answer, which is also added to the recorder.
    /// </summary>
    public static async Task<TimeSpan> RunAsync(
        int concurrency, TimeSpan duration, long maxRequests, long firstIndex, Send send, HttpStatusCode expected, Recorder? recorder,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        recorder?.Open(started);
        var deadline = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var issued = -1L;

        async Task Worker()
        {
            while (!cancellationToken.IsCancellationRequested && Stopwatch.GetTimestamp() < deadline)
            {
                var n = Interlocked.Increment(ref issued);
                if (n >= maxRequests)
                {
                    return;
                }

                await SendOneAsync(firstIndex + n, send, expected, recorder, cancellationToken);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(Worker, cancellationToken)));
        var ended = Stopwatch.GetTimestamp();
        recorder?.Close(ended);
        return Stopwatch.GetElapsedTime(started, ended);
    }

    /// <summary>
    /// Sends <paramref name="count"/> requests at <paramref name="perSecond"/>: request i is due at start + i/rate, and the
    /// first free worker sends it then (at once, if the target fell behind). No request starts after
    /// <paramref name="timeout"/>, so a target slower than the rate ends the run with requests left unsent.
    /// </summary>
    public static async Task<TimeSpan> RunPacedAsync(
        int concurrency, int perSecond, int count, TimeSpan timeout, Send send, HttpStatusCode expected, Recorder recorder,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        recorder.Open(started);
        var deadline = started + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        var interval = (double)Stopwatch.Frequency / perSecond;
        var issued = -1L;

        async Task Worker()
        {
            while (!cancellationToken.IsCancellationRequested && Stopwatch.GetTimestamp() < deadline)
            {
                var n = Interlocked.Increment(ref issued);
                if (n >= count)
                {
                    return;
                }

                var due = started + (long)(n * interval);
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, cancellationToken);
                }

                if (Stopwatch.GetTimestamp() >= deadline)
                {
                    return;
                }

                await SendOneAsync(n, send, expected, recorder, cancellationToken);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(Worker, cancellationToken)));
        var ended = Stopwatch.GetTimestamp();
        recorder.Close(ended);
        return Stopwatch.GetElapsedTime(started, ended);
    }

    private static async Task SendOneAsync(long index, Send send, HttpStatusCode expected, Recorder? recorder, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            var status = await send(index, cancellationToken);
            if (status == expected)
            {
                recorder?.Add(Stopwatch.GetTimestamp() - start);
            }
            else
            {
                recorder?.Error($"HTTP {(int)status} where {(int)expected} was expected");
            }
        }
        catch (HttpRequestException e)
        {
            recorder?.Error(e.Message);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            recorder?.Error($"timeout: {e.Message}");
        }
    }
}
