using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CleanWebhooks.Bench;

/// <summary>Kestrel on 127.0.0.1 at a port of its own, inside the bench process: the host of every receiver.</summary>
internal static class Loopback
{
    public static async Task<(WebApplication App, Uri BaseAddress)> StartAsync(RequestDelegate handler, long? maxRequestBodySize = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = maxRequestBodySize ?? kestrel.Limits.MaxRequestBodySize)
            .UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(handler);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(address));
    }

    /// <summary>Stops a receiver; requests still held are cut off after 2 s.</summary>
    public static async Task StopAsync(WebApplication app)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await app.StopAsync(stop.Token);
        }
        catch (OperationCanceledException)
        {
            // Held requests are cut off.
        }

        await app.DisposeAsync();
    }
}

/// <summary>The largest value seen, kept by several threads at once.</summary>
internal static class Peak
{
    /// <summary>Raises <paramref name="max"/> to <paramref name="value"/> if it is larger; true when it did.</summary>
    public static bool Raise(ref int max, int value)
    {
        var seen = Volatile.Read(ref max);
        while (value > seen)
        {
            var before = Interlocked.CompareExchange(ref max, value, seen);
            if (before == seen)
            {
                return true;
            }

            seen = before;
        }

        return false;
    }
}

/// <summary>
/// The integrator's receiver: Kestrel on 127.0.0.1 inside the bench process. It reads each delivery's envelope for
/// <c>id</c> (the document id, <c>TAG-INDEX</c>) and <c>occurredAt</c>, hands them to the current
/// <see cref="DeliveryCollector"/> with the number of requests it holds at that moment, and answers 200 with no body:
/// at once, or after <c>answerAfter</c> (a receiver that takes its time, as the <c>flow</c> scenario's 100 ms).
/// </summary>
internal sealed class Receiver : IAsyncDisposable
{
    private const int MaxBodyBytes = 64 * 1024;
    private readonly TimeSpan _answerAfter;
    private WebApplication _app = null!;
    private DeliveryCollector? _current;
    private int _inFlight;
    private int _stopped;

    private Receiver(TimeSpan answerAfter) => _answerAfter = answerAfter;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The path deliveries are sent to; <c>:id</c> is the service's document id placeholder.</summary>
    public string HookUrl => new Uri(BaseAddress, "/hook/").ToString() + ":id";

    public static async Task<Receiver> StartAsync(TimeSpan answerAfter = default)
    {
        var receiver = new Receiver(answerAfter);
        (receiver._app, receiver.BaseAddress) = await Loopback.StartAsync(receiver.HandleAsync, MaxBodyBytes);
        return receiver;
    }

    /// <summary>From now on, deliveries tagged <paramref name="tag"/> (indices 0 to count − 1) are collected.</summary>
    public DeliveryCollector Expect(string tag, int count)
    {
        var collector = new DeliveryCollector(tag, count);
        Volatile.Write(ref _current, collector);
        return collector;
    }

    /// <summary>Stops listening: from then on, connections to its port are refused, as to a receiver that is down. Once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            await Loopback.StopAsync(_app);
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var held = Interlocked.Increment(ref _inFlight);
        try
        {
            var reader = context.Request.BodyReader;
            while (true)
            {
                var result = await reader.ReadAsync(context.RequestAborted);
                if (result.IsCompleted || result.Buffer.Length > MaxBodyBytes)
                {
                    Record(result.Buffer, DateTimeOffset.UtcNow, Stopwatch.GetTimestamp(), held);
                    reader.AdvanceTo(result.Buffer.End);
                    break;
                }

                reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            }

            if (_answerAfter > TimeSpan.Zero)
            {
                await Task.Delay(_answerAfter, context.RequestAborted);
            }

            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentLength = 0;
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private void Record(ReadOnlySequence<byte> body, DateTimeOffset receivedAt, long timestamp, int inFlight)
    {
        var collector = Volatile.Read(ref _current);
        if (collector is null)
        {
            return;
        }

        string? id = null;
        DateTimeOffset? occurredAt = null;
        try
        {
            var json = new Utf8JsonReader(body);
            while (json.Read() && (id is null || occurredAt is null))
            {
                if (json.TokenType != JsonTokenType.PropertyName || json.CurrentDepth != 1)
                {
                    continue;
                }

                if (json.ValueTextEquals("id"u8) && json.Read() && json.TokenType == JsonTokenType.String)
                {
                    id = json.GetString();
                }
                else if (json.ValueTextEquals("occurredAt"u8) && json.Read() && json.TokenType == JsonTokenType.String
                    && json.TryGetDateTimeOffset(out var at))
                {
                    occurredAt = at;
                }
            }
        }
        catch (JsonException)
        {
            // Not an envelope: counted as foreign below.
        }

        collector.Record(id, occurredAt, receivedAt, timestamp, inFlight);
    }
}

/// <summary>
/// The deliveries of one measurement: which indices arrived (duplicates counted apart, as the service delivers at
/// least once), each one's latency from <c>occurredAt</c> to arrival, when each new one arrived, and the most requests
/// the receiver held at once meanwhile.
/// </summary>
internal sealed class DeliveryCollector
{
    private readonly string _prefix;
    private readonly int[] _seen;
    private readonly double[] _latencyMs;
    private readonly long[] _arrivals;
    private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _distinct;
    private int _duplicates;
    private int _foreign;
    private long _firstArrival;
    private long _lastArrival;
    private int _maxInFlight;
    private long _maxInFlightAt;

    public DeliveryCollector(string tag, int count)
    {
        Tag = tag;
        Expected = count;
        _prefix = tag + "-";
        _seen = new int[count];
        _latencyMs = new double[count];
        _arrivals = new long[count];
    }

    public string Tag { get; }

    public int Expected { get; }

    public int Distinct => Volatile.Read(ref _distinct);

    public int Duplicates => Volatile.Read(ref _duplicates);

    /// <summary>Requests that were not this measurement's (late ones of an earlier phase, or unreadable).</summary>
    public int Foreign => Volatile.Read(ref _foreign);

    /// <summary><see cref="Stopwatch.GetTimestamp"/> when the first delivery arrived (0 before).</summary>
    public long FirstArrival => Volatile.Read(ref _firstArrival);

    /// <summary><see cref="Stopwatch.GetTimestamp"/> when the last new delivery arrived.</summary>
    public long LastArrival => Volatile.Read(ref _lastArrival);

    public Task AllArrived => _all.Task;

    /// <summary>The most requests the receiver held at once when one of this measurement's arrived (its own and any other).</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    /// <summary><see cref="Stopwatch.GetTimestamp"/> when <see cref="MaxInFlight"/> was first reached.</summary>
    public long MaxInFlightAt => Volatile.Read(ref _maxInFlightAt);

    /// <summary>The document id of delivery <paramref name="index"/>.</summary>
    public string DocumentId(long index) => _prefix + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public void Record(string? id, DateTimeOffset? occurredAt, DateTimeOffset receivedAt, long timestamp, int inFlight)
    {
        if (id is null || occurredAt is null || !id.StartsWith(_prefix, StringComparison.Ordinal)
            || !int.TryParse(id.AsSpan(_prefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index)
            || index >= _seen.Length)
        {
            Interlocked.Increment(ref _foreign);
            return;
        }

        if (Interlocked.Exchange(ref _seen[index], 1) == 1)
        {
            Interlocked.Increment(ref _duplicates);
            return;
        }

        _latencyMs[index] = (receivedAt - occurredAt.Value).TotalMilliseconds;
        Interlocked.CompareExchange(ref _firstArrival, timestamp, 0);
        Volatile.Write(ref _lastArrival, timestamp);
        RaiseMaxInFlight(inFlight, timestamp);
        var nth = Interlocked.Increment(ref _distinct);
        _arrivals[nth - 1] = timestamp;
        if (nth == _seen.Length)
        {
            _all.TrySetResult();
        }
    }

    /// <summary>
    /// Deliveries per second from the <paramref name="from"/>-th new arrival (1-based) to the last one: the rate once
    /// what comes before it (a window's growth) is left out. Null when fewer than two arrivals are in that range.
    /// </summary>
    public double? RateFrom(int from)
    {
        var count = Distinct;
        if (from < 1 || count - from < 1)
        {
            return null;
        }

        var arrivals = _arrivals[..count];
        Array.Sort(arrivals);
        var seconds = Stopwatch.GetElapsedTime(arrivals[from - 1], arrivals[^1]).TotalSeconds;
        return seconds > 0 ? (count - from) / seconds : null;
    }

    private void RaiseMaxInFlight(int inFlight, long timestamp)
    {
        if (Peak.Raise(ref _maxInFlight, inFlight))
        {
            Volatile.Write(ref _maxInFlightAt, timestamp);
        }
    }

    /// <summary>Waits until <paramref name="count"/> deliveries arrived or <paramref name="timeout"/> passed; true when they did.</summary>
    public async Task<bool> WaitForAsync(long count, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Distinct < count)
        {
            if (Stopwatch.GetTimestamp() >= deadline)
            {
                return false;
            }

            await Task.WhenAny(AllArrived, Task.Delay(10, cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
        }

        return true;
    }

    /// <summary>The latencies of the deliveries that arrived.</summary>
    public double[] Latencies()
    {
        var values = new List<double>(Distinct);
        for (var i = 0; i < _seen.Length; i++)
        {
            if (Volatile.Read(ref _seen[i]) == 1)
            {
                values.Add(_latencyMs[i]);
            }
        }

        return [.. values];
    }
}
