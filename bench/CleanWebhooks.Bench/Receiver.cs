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

/// <summary>
/// The integrator's receiver: Kestrel on 127.0.0.1 inside the bench process. It reads each delivery's envelope for
/// <c>id</c> (the document id, <c>TAG-INDEX</c>) and <c>occurredAt</c>, hands them to the current
/// <see cref="DeliveryCollector"/>, and answers 200 with no body.
/// </summary>
internal sealed class Receiver : IAsyncDisposable
{
    private const int MaxBodyBytes = 64 * 1024;
    private readonly WebApplication _app;
    private DeliveryCollector? _current;

    private Receiver(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The path deliveries are sent to; <c>:id</c> is the service's document id placeholder.</summary>
    public string HookUrl => new Uri(BaseAddress, "/hook/").ToString() + ":id";

    public static async Task<Receiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = MaxBodyBytes).UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new Receiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.BaseAddress = new Uri(address);
        return receiver;
    }

    /// <summary>From now on, deliveries tagged <paramref name="tag"/> (indices 0 to count − 1) are collected.</summary>
    public DeliveryCollector Expect(string tag, int count)
    {
        var collector = new DeliveryCollector(tag, count);
        Volatile.Write(ref _current, collector);
        return collector;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var reader = context.Request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(context.RequestAborted);
            if (result.IsCompleted || result.Buffer.Length > MaxBodyBytes)
            {
                Record(result.Buffer, DateTimeOffset.UtcNow, Stopwatch.GetTimestamp());
                reader.AdvanceTo(result.Buffer.End);
                break;
            }

            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentLength = 0;
    }

    private void Record(ReadOnlySequence<byte> body, DateTimeOffset receivedAt, long timestamp)
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

        collector.Record(id, occurredAt, receivedAt, timestamp);
    }
}

/// <summary>
/// The deliveries of one measurement: which indices arrived (duplicates counted apart, as the service delivers at
/// least once), each one's latency from <c>occurredAt</c> to arrival, and when the last new one arrived.
/// </summary>
internal sealed class DeliveryCollector
{
    private readonly string _prefix;
    private readonly int[] _seen;
    private readonly double[] _latencyMs;
    private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _distinct;
    private int _duplicates;
    private int _foreign;
    private long _lastArrival;

    public DeliveryCollector(string tag, int count)
    {
        Tag = tag;
        Expected = count;
        _prefix = tag + "-";
        _seen = new int[count];
        _latencyMs = new double[count];
    }

    public string Tag { get; }

    public int Expected { get; }

    public int Distinct => Volatile.Read(ref _distinct);

    public int Duplicates => Volatile.Read(ref _duplicates);

    /// <summary>Requests that were not this measurement's (late ones of an earlier phase, or unreadable).</summary>
    public int Foreign => Volatile.Read(ref _foreign);

    /// <summary><see cref="Stopwatch.GetTimestamp"/> when the last new delivery arrived.</summary>
    public long LastArrival => Volatile.Read(ref _lastArrival);

    public Task AllArrived => _all.Task;

    /// <summary>The document id of delivery <paramref name="index"/>.</summary>
    public string DocumentId(long index) => _prefix + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public void Record(string? id, DateTimeOffset? occurredAt, DateTimeOffset receivedAt, long timestamp)
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
        Volatile.Write(ref _lastArrival, timestamp);
        if (Interlocked.Increment(ref _distinct) == _seen.Length)
        {
            _all.TrySetResult();
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
