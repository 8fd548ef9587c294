using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CleanWebhooks.Testing;

/// <summary>A request as a receiver saw it.</summary>
public sealed record ReceivedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body)
{
    /// <summary>When its headers and body had arrived (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public long Arrived { get; init; }

    /// <summary>The subject of the client certificate the caller presented over TLS, if any.</summary>
    public string? ClientCertificate { get; init; }

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>What the receiver answers.</summary>
public sealed record ReceiverAnswer(int Status, string? Body = null, IReadOnlyDictionary<string, string>? Headers = null, TimeSpan Delay = default)
{
    public static readonly ReceiverAnswer Ok = new(200, "ok");
}

/// <summary>
/// A real HTTP server (Kestrel) on 127.0.0.1 with a free port: an integrator's receiver or token server. It records
/// every request and answers with <see cref="Respond"/>, which tests may replace at any time.
/// </summary>
public sealed class LoopbackReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedRequest> _requests = new();
    private readonly SemaphoreSlim _arrived = new(0);

    private LoopbackReceiver(WebApplication app) => _app = app;

    /// <summary>Answers a request; receives the request and how many requests came before it.</summary>
    public Func<ReceivedRequest, int, ReceiverAnswer> Respond { get; set; } = (_, _) => ReceiverAnswer.Ok;

    public Uri BaseAddress { get; private set; } = null!;

    public IReadOnlyList<ReceivedRequest> Requests => [.. _requests];

    private int _inFlight;
    private int _maxInFlight;
    private int _openConnections;
    private int _maxOpenConnections;

    /// <summary>The most requests this receiver was handling at once (arrived, not yet answered).</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    /// <summary>The most TCP connections that were open to this receiver at once.</summary>
    public int MaxOpenConnections => Volatile.Read(ref _maxOpenConnections);

    public static Task<LoopbackReceiver> StartAsync() => StartAsync(null);

    /// <summary>
    /// An https receiver on 127.0.0.1 with <paramref name="certificates"/>' server certificate that requires a client
    /// certificate issued by the same authority (mutual TLS): a caller without one never gets an answer.
    /// </summary>
    public static Task<LoopbackReceiver> StartMutualTlsAsync(TestCertificates certificates) => StartAsync(certificates);

    private static async Task<LoopbackReceiver> StartAsync(TestCertificates? certificates)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        LoopbackReceiver? receiver = null;
        var serverCertificate = certificates?.IssueServer();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            // Counts TCP connections, before any TLS.
            listen.Use(next => async connection =>
            {
                Count(ref receiver!._openConnections, ref receiver._maxOpenConnections, +1);
                try
                {
                    await next(connection);
                }
                finally
                {
                    Count(ref receiver._openConnections, ref receiver._maxOpenConnections, -1);
                }
            });
            if (certificates is not null)
            {
                listen.UseHttps(https =>
                {
                    https.ServerCertificate = serverCertificate;
                    https.ClientCertificateMode = Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.RequireCertificate;
                    https.ClientCertificateValidation = (certificate, _, _) => certificates.Issued(certificate);
                });
            }
        }));

        var app = builder.Build();
        receiver = new LoopbackReceiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.BaseAddress = new Uri(address);
        return receiver;
    }

    /// <summary>A URL on this receiver, e.g. <c>Url("/ocr_feedback/:id")</c>.</summary>
    public string Url(string pathAndQuery) => new Uri(BaseAddress, pathAndQuery).ToString().Replace("%3Aid", ":id", StringComparison.Ordinal);

    /// <summary>Waits until at least <paramref name="count"/> requests arrived; fails the test after <paramref name="timeout"/>.</summary>
    public async Task<IReadOnlyList<ReceivedRequest>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        while (_requests.Count < count)
        {
            try
            {
                await _arrived.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Expected {count} requests, received {_requests.Count}.");
            }
        }

        return Requests;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _arrived.Dispose();
    }

    /// <summary>Moves a gauge by <paramref name="by"/>, keeping its highest value.</summary>
    private static void Count(ref int current, ref int highest, int by)
    {
        var now = Interlocked.Add(ref current, by);
        int seen;
        while (now > (seen = Volatile.Read(ref highest)) && Interlocked.CompareExchange(ref highest, now, seen) != seen)
        {
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        Count(ref _inFlight, ref _maxInFlight, +1);
        try
        {
            await AnswerAsync(context);
        }
        finally
        {
            Count(ref _inFlight, ref _maxInFlight, -1);
        }
    }

    private async Task AnswerAsync(HttpContext context)
    {
        // When its headers came in: reading the body is an await, and on a busy machine its continuation can run tens of
        // milliseconds later, which would bunch arrivals that the sender spaced.
        var arrived = Stopwatch.GetTimestamp();
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var request = new ReceivedRequest(
            context.Request.Method,
            context.Request.Path + context.Request.QueryString,
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            body)
        {
            Arrived = arrived,
            ClientCertificate = context.Connection.ClientCertificate?.Subject,
        };

        ReceiverAnswer answer;
        lock (_requests)
        {
            answer = Respond(request, _requests.Count);
            _requests.Enqueue(request);
        }

        _arrived.Release();
        if (answer.Delay > TimeSpan.Zero)
        {
            await Task.Delay(answer.Delay, context.RequestAborted);
        }

        context.Response.StatusCode = answer.Status;
        foreach (var (name, value) in answer.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        if (answer.Body is not null)
        {
            await context.Response.WriteAsync(answer.Body, context.RequestAborted);
        }
    }
}
