using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CleanWebhooks.Bench;

internal sealed record IsolationResult(
    int HangingWebhooks,
    int OneInThreeWebhooks,
    int DueEach,
    int RatePerSecond,
    double Seconds,
    int Events,
    int Delivered,
    double? P50Ms,
    double? P99Ms,
    double? MaxMs,
    double? AloneP50Ms,
    double? AloneP99Ms,
    int HangingAttemptsStarted,
    int OneInThreeAttemptsStarted,
    int OneInThreeAnswered,
    int HeldWhenMeasured,
    int HangingMaxHeldByOneWebhook,
    int OneInThreeMaxHeldByOneWebhook,
    double TargetP99Ms,
    bool Met);

/// <summary>
/// 5. Tenant isolation (contract section 5, issue 18): one healthy webhook paced at 100 events/s, first alone, then
/// beside 20 broken webhooks, each with 200 due deliveries: 10 whose receivers accept and never answer, and 10 whose
/// receivers answer one request in three (200) and hang on the others, so that their breakers never open. The key is
/// the healthy webhook's event→receiver p99 beside them (<c>isolation.p99Ms</c>), next to the same figure alone, at
/// default settings.
/// </summary>
internal static class Isolation
{
    public const int HangingWebhooks = 10;
    public const int OneInThreeWebhooks = 10;
    public const int DueEach = 200;
    public const int Rate = 100;

    public static int BrokenWebhooks => HangingWebhooks + OneInThreeWebhooks;

    public static async Task<IsolationResult> RunAsync(BenchContext context)
    {
        var ct = context.CancellationToken;
        var options = context.Options;
        await using var hanging = await BrokenReceiver.StartAsync(HangingWebhooks, answerEvery: 0);
        await using var oneInThree = await BrokenReceiver.StartAsync(OneInThreeWebhooks, answerEvery: 3);
        await using var service = await Service.StartAsync(context.ApiDll, context.FolderFor("isolation"), dispatcher: true, ct);
        var healthy = await service.CreateIntegratorAsync("isolation-healthy", context.Receiver.HookUrl, ct);
        var broken = await service.CreateIntegratorsAsync(
            BrokenWebhooks, i => i < HangingWebhooks ? hanging.HookUrl(i) : oneInThree.HookUrl(i - HangingWebhooks), "isolation-broken", ct);

        using var http = Load.CreateClient(options.Concurrency);
        Load.Send Report(Func<long, Guid> client, Func<long, string> documentId) => ReportTo(service, http, client, documentId);

        var alone = await PacedAsync(context, "isolation: healthy webhook alone", "isolation-alone", healthy, Report);

        var due = BrokenWebhooks * DueEach;
        var backlog = new Recorder("backlog", due);
        await using (Progress.Start($"isolation: {BrokenWebhooks} broken webhooks get {DueEach:N0} deliveries each", () => $"sent {backlog.Ok:N0}"))
        {
            await Load.RunAsync(options.Concurrency, TimeSpan.FromMinutes(5), due, 0,
                Report(i => broken[(int)(i % BrokenWebhooks)].ClientId, i => "broken-" + i.ToString(CultureInfo.InvariantCulture)),
                HttpStatusCode.Accepted, backlog, ct);
        }

        if (backlog.Ok < due)
        {
            throw new InvalidOperationException($"Only {backlog.Ok:N0} of the broken webhooks' events were accepted; first error: {backlog.FirstError}");
        }

        // Measured once every broken webhook holds its initial window (or after 30 s, whatever they hold then).
        await using (Progress.Start("isolation: broken receivers fill up", () => $"held {hanging.Held:N0} hanging, {oneInThree.Held:N0} one-in-three"))
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while ((hanging.Held < HangingWebhooks * DeliveryDefaults.InitialWindow || oneInThree.Held < OneInThreeWebhooks * DeliveryDefaults.InitialWindow) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20, ct);
            }
        }

        var heldWhenMeasured = hanging.Held + oneInThree.Held;
        var beside = await PacedAsync(context, $"isolation: healthy webhook beside {BrokenWebhooks} broken ones", "isolation-beside", healthy, Report);
        var met = beside.Delivered == beside.Events && beside.Latency.P99Ms <= Targets.IsolationP99Ms;
        return new IsolationResult(
            HangingWebhooks, OneInThreeWebhooks, DueEach, Rate, Math.Round(beside.Seconds, 2), beside.Events, beside.Delivered,
            Ms(beside.Latency.P50Ms), Ms(beside.Latency.P99Ms), Ms(beside.Latency.MaxMs), Ms(alone.Latency.P50Ms), Ms(alone.Latency.P99Ms),
            hanging.Started, oneInThree.Started, oneInThree.Answered, heldWhenMeasured, hanging.MaxHeldByOneWebhook, oneInThree.MaxHeldByOneWebhook,
            Targets.IsolationP99Ms, met);
    }

    /// <summary>Reports event <c>index</c> of the client <paramref name="client"/> gives it, as the platform does (one request each).</summary>
    internal static Load.Send ReportTo(Service service, HttpClient http, Func<long, Guid> client, Func<long, string> documentId) => async (index, token) =>
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(service.BaseAddress, "/internal/document_events"))
        {
            Content = new StringContent(
                $"{{\"clientId\":\"{client(index)}\",\"documentId\":\"{documentId(index)}\",\"type\":0,\"data\":{{\"pages\":1}}}}", Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("X-INTERNAL-KEY", service.InternalKey);
        using var response = await http.SendAsync(request, token);
        return response.StatusCode;
    };

    /// <summary>The healthy webhook paced at <see cref="Rate"/> events/s for the paced duration; its event→receiver latency.</summary>
    internal static async Task<(int Events, int Delivered, double Seconds, LatencySummary Latency)> PacedAsync(
        BenchContext context, string phase, string tag, Integrator healthy, Func<Func<long, Guid>, Func<long, string>, Load.Send> report)
    {
        var options = context.Options;
        var count = (int)(Rate * options.PacedDuration.TotalSeconds);
        var collector = context.Receiver.Expect(tag, count);
        var sender = new Recorder(tag, count);
        double seconds;
        await using (Progress.Start(phase, () => $"sent {sender.Ok:N0}   delivered {collector.Distinct:N0} / {count:N0}"))
        {
            seconds = (await Load.RunPacedAsync(options.Concurrency, Rate, count, options.PacedDuration + TimeSpan.FromSeconds(1),
                report(_ => healthy.ClientId, collector.DocumentId), HttpStatusCode.Accepted, sender, context.CancellationToken)).TotalSeconds;
            await collector.WaitForAsync(sender.Ok, TimeSpan.FromSeconds(30), context.CancellationToken);
        }

        return (count, collector.Distinct, seconds, LatencySummary.Of(collector.Latencies()));
    }

    private static double? Ms(double? value) => value is { } v ? Math.Round(v, 3) : null;
}

/// <summary>
/// Broken receivers, one per webhook, on one Kestrel (each webhook has its own path, <c>/broken/{n}/:id</c>, so that its
/// requests are counted apart): every request is accepted and held until the service gives up on it (its
/// <c>Delivery:Timeout</c>) or the bench stops, except, with <c>answerEvery</c> k, the first of every k requests of a
/// webhook, answered 200 at once (a receiver that answers one request in three and hangs on the others).
/// </summary>
internal sealed class BrokenReceiver : IAsyncDisposable
{
    private readonly int _answerEvery;
    private readonly int[] _started;
    private readonly int[] _held;
    private WebApplication _app = null!;
    private int _answered;
    private int _maxHeld;

    private BrokenReceiver(int webhooks, int answerEvery)
    {
        _answerEvery = answerEvery;
        _started = new int[webhooks];
        _held = new int[webhooks];
    }

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Requests that arrived, over all its webhooks.</summary>
    public int Started => Total(_started);

    /// <summary>Requests held now (accepted, not answered), over all its webhooks.</summary>
    public int Held => Total(_held);

    /// <summary>Requests answered 200.</summary>
    public int Answered => Volatile.Read(ref _answered);

    /// <summary>The most requests one webhook had held at once.</summary>
    public int MaxHeldByOneWebhook => Volatile.Read(ref _maxHeld);

    /// <summary><paramref name="answerEvery"/> 0: it never answers.</summary>
    public static async Task<BrokenReceiver> StartAsync(int webhooks, int answerEvery)
    {
        var receiver = new BrokenReceiver(webhooks, answerEvery);
        (receiver._app, receiver.BaseAddress) = await Loopback.StartAsync(receiver.HandleAsync);
        return receiver;
    }

    /// <summary>The URL of webhook <paramref name="webhook"/> (0 to webhooks − 1).</summary>
    public string HookUrl(int webhook) => new Uri(BaseAddress, $"/broken/{webhook.ToString(CultureInfo.InvariantCulture)}/").ToString() + ":id";

    public ValueTask DisposeAsync() => new(Loopback.StopAsync(_app));

    private static int Total(int[] counts)
    {
        var total = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            total += Volatile.Read(ref counts[i]);
        }

        return total;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var segments = context.Request.Path.Value?.Split('/', StringSplitOptions.RemoveEmptyEntries) ?? [];
        if (segments.Length < 2 || !int.TryParse(segments[1], NumberStyles.None, CultureInfo.InvariantCulture, out var webhook) || webhook >= _started.Length)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var nth = Interlocked.Increment(ref _started[webhook]);
        if (_answerEvery > 0 && nth % _answerEvery == 1 % _answerEvery)
        {
            Interlocked.Increment(ref _answered);
            context.Response.StatusCode = StatusCodes.Status200OK;
            return;
        }

        Peak.Raise(ref _maxHeld, Interlocked.Increment(ref _held[webhook]));
        try
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // The service gave up on it, or the bench stops.
        }
        finally
        {
            Interlocked.Decrement(ref _held[webhook]);
        }
    }
}
