using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CleanWebhooks.Bench;

internal sealed record IsolationResult(
    int HangingWebhooks,
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
    double TargetP99Ms,
    bool Met);

/// <summary>
/// 5. Tenant isolation (contract section 5): one healthy webhook paced at 100 events/s, first alone, then beside 10
/// webhooks whose receivers accept and never answer, each with 1,000 due deliveries. The key is the healthy webhook's
/// event→receiver p99 beside them (<c>isolation.p99Ms</c>), next to the same figure alone, at default settings.
/// </summary>
internal static class Isolation
{
    public const int HangingWebhooks = 10;
    public const int DueEach = 1_000;
    public const int Rate = 100;

    public static async Task<IsolationResult> RunAsync(BenchContext context)
    {
        var ct = context.CancellationToken;
        var options = context.Options;
        await using var hanging = await HangingReceiver.StartAsync();
        await using var service = await Service.StartAsync(context.ApiDll, context.FolderFor("isolation"), dispatcher: true, ct);
        var healthy = await service.CreateIntegratorAsync("isolation-healthy", context.Receiver.HookUrl, ct);
        var stuck = new List<Integrator>();
        for (var i = 0; i < HangingWebhooks; i++)
        {
            stuck.Add(await service.CreateIntegratorAsync($"isolation-hanging-{i}", hanging.HookUrl, ct));
        }

        using var http = Load.CreateClient(options.Concurrency);
        Load.Send Report(Func<long, Guid> client, Func<long, string> documentId) => ReportTo(service, http, client, documentId);

        var alone = await PacedAsync(context, "isolation: healthy webhook alone", "isolation-alone", healthy, Report);

        var backlog = new Recorder("backlog", HangingWebhooks * DueEach);
        await using (Progress.Start($"isolation: {HangingWebhooks} hanging webhooks get {DueEach:N0} deliveries each", () => $"sent {backlog.Ok:N0}"))
        {
            await Load.RunAsync(options.Concurrency, TimeSpan.FromMinutes(5), HangingWebhooks * DueEach, 0,
                Report(i => stuck[(int)(i % HangingWebhooks)].ClientId, i => "stuck-" + i.ToString(CultureInfo.InvariantCulture)),
                HttpStatusCode.Accepted, backlog, ct);
        }

        if (backlog.Ok < HangingWebhooks * DueEach)
        {
            throw new InvalidOperationException($"Only {backlog.Ok:N0} of the hanging webhooks' events were accepted; first error: {backlog.FirstError}");
        }

        await hanging.WaitForAsync(1, TimeSpan.FromSeconds(30), ct);
        var beside = await PacedAsync(context, $"isolation: healthy webhook beside {HangingWebhooks} hanging ones", "isolation-beside", healthy, Report);
        var met = beside.Delivered == beside.Events && beside.Latency.P99Ms <= Targets.IsolationP99Ms;
        return new IsolationResult(
            HangingWebhooks, DueEach, Rate, Math.Round(beside.Seconds, 2), beside.Events, beside.Delivered,
            Ms(beside.Latency.P50Ms), Ms(beside.Latency.P99Ms), Ms(beside.Latency.MaxMs), Ms(alone.Latency.P50Ms), Ms(alone.Latency.P99Ms),
            hanging.Started, Targets.IsolationP99Ms, met);
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

/// <summary>A receiver that accepts every request and never answers (until the bench stops it).</summary>
internal sealed class HangingReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _started;

    private HangingReceiver(WebApplication app) => _app = app;

    public string HookUrl { get; private set; } = "";

    /// <summary>Requests that arrived (each is still hanging).</summary>
    public int Started => Volatile.Read(ref _started);

    public static async Task<HangingReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new HangingReceiver(app);
        app.Run(async context =>
        {
            Interlocked.Increment(ref receiver._started);
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.HookUrl = new Uri(new Uri(address), "/hang/").ToString() + ":id";
        return receiver;
    }

    public async Task WaitForAsync(int count, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Started < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await _app.StopAsync(stop.Token);
        }
        catch (OperationCanceledException)
        {
            // Hanging requests are cut off.
        }

        await _app.DisposeAsync();
    }
}
