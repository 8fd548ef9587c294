using System.Diagnostics;
using System.Globalization;
using System.Net;
using static CleanWebhooks.Bench.Table;

namespace CleanWebhooks.Bench;

/// <summary>The rate of a run over all of it, and over its steady part (from the <c>steadyFromDelivery</c>-th arrival on).</summary>
internal sealed record FlowRate(double PerSecond, double WholeRunPerSecond, int Delivered, double Seconds, int MaxInFlight);

internal sealed record FlowResult(
    int Events,
    int ReceiverDelayMs,
    int MaxPerWebhook,
    double CeilingPerSecond,
    int SteadyFromDelivery,
    double LonePerSecond,
    double? LoneRatio,
    double WholeRunPerSecond,
    double? WholeRunRatio,
    int Delivered,
    int Duplicates,
    double Seconds,
    int MaxInFlight,
    double? MaxInFlightAfterSeconds,
    double? P50Ms,
    double? P99Ms,
    FlowRate Direct,
    double Target,
    bool Met)
{
    /// <summary>The row of the targets list.</summary>
    public static TargetResult TargetOf(FlowResult? result) => new(
        "flow.loneRatio", $">= {Targets.FlowLone} of {DeliveryDefaults.MaxPerWebhook} / {Flow.ReceiverDelay.TotalSeconds:0.0#} s, one webhook",
        result?.LoneRatio?.ToString("0.00", CultureInfo.InvariantCulture), result?.Met ?? false);

    /// <summary>The scenario's rows of the console table.</summary>
    public IEnumerable<string[]> Rows()
    {
        yield return ["flow", $"one webhook, {ReceiverDelayMs} ms receiver, deliveries/s (steady)", N(LonePerSecond), N(CeilingPerSecond),
            R(LoneRatio), $">= {Target:0.0#}x", Met ? "met" : "NOT MET"];
        yield return ["", "  whole run, deliveries/s (direct posts: steady, whole run)", N(WholeRunPerSecond), $"{N(Direct.PerSecond)}, {N(Direct.WholeRunPerSecond)}", "", "", ""];
        yield return ["", "  most in flight at the receiver (direct); after s", $"{MaxInFlight:N0}; {F(MaxInFlightAfterSeconds)}", $"{Direct.MaxInFlight:N0}", "", "", ""];
        yield return ["", "  delivered / duplicates; event->receiver p50 / p99 ms", $"{Delivered:N0} / {Duplicates:N0}; {F(P50Ms)} / {F(P99Ms)}", "", "", "", ""];
    }
}

/// <summary>
/// 8. A lone big integrator (issue 18, contract section 5 "Work-conserving"): a service of its own at default
/// settings, one webhook whose receiver answers 200 after 100 ms, and 3,000 events (1,000 with <c>--quick</c>) taken
/// in at once through batch intake. Its send window starts at <c>Delivery:InitialWindow</c> (4) and grows on each
/// <c>2xx</c> up to <c>Delivery:MaxPerWebhook</c> (64), so the ceiling is 64 ÷ 0.1 s = 640 deliveries/s.
/// <c>flow.lonePerSecond</c> is the rate from the 20 %-th arrival to the last (the window's growth left out, the
/// same cut for every run), <c>flow.loneRatio</c> that ÷ 640; the whole run's rate is reported beside it, and the
/// same count posted straight to the same receiver by 64 plain HttpClient workers shows what this machine allows.
/// </summary>
internal static class Flow
{
    public static readonly TimeSpan ReceiverDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>Events per batch intake request: the events are all pending within a moment, so the window is what is measured.</summary>
    private const int Batch = 100;

    public static async Task<FlowResult> RunAsync(BenchContext context)
    {
        var ct = context.CancellationToken;
        var options = context.Options;
        var events = options.Quick ? 1_000 : 3_000;
        var steadyFrom = events / 5;
        var ceiling = DeliveryDefaults.MaxPerWebhook / ReceiverDelay.TotalSeconds;
        var timeout = TimeSpan.FromSeconds(30) + (events * TimeSpan.FromMilliseconds(20));
        await using var slow = await Receiver.StartAsync(ReceiverDelay);
        await using var service = await Service.StartAsync(context.ApiDll, context.FolderFor("flow"), dispatcher: true, ct);
        var lone = await service.CreateIntegratorAsync("flow-lone", slow.HookUrl, ct);
        using var http = Load.CreateClient(options.Concurrency);

        // The JIT's warm-up goes through another webhook (to the instant receiver), so the lone one's window starts at 4.
        var warming = await service.CreateIntegratorAsync("flow-warmup", context.Receiver.HookUrl, ct);
        await Scenarios.DeliverAsync(context, "flow: warm-up (another webhook)", context.Receiver.Expect("flow-warmup", options.WarmupEvents),
            Scenarios.IntakeSender(service, [warming], http), HttpStatusCode.Accepted, TimeSpan.FromSeconds(60));

        var direct = slow.Expect("flow-direct", events);
        var (directSeconds, _) = await Scenarios.DeliverAsync(context, "flow: direct posts to the receiver", direct,
            Scenarios.DirectSender(slow, lone, http), HttpStatusCode.OK, timeout);

        var collector = slow.Expect("flow", events);
        Load.Send Report(DeliveryCollector c) => async (index, token) =>
        {
            using var request = Scenarios.BatchRequest(service, index * Batch, (int)Math.Min(Batch, events - (index * Batch)), _ => lone.ClientId, c.DocumentId);
            using var response = await http.SendAsync(request, token);
            return response.StatusCode;
        };
        var (seconds, _) = await Scenarios.DeliverAsync(context, "flow: one webhook, 100 ms receiver", collector, Report, HttpStatusCode.OK, timeout, Batch);

        var measured = Rate(collector, seconds, steadyFrom);
        var latency = LatencySummary.Of(collector.Latencies());
        var firstArrival = collector.FirstArrival;
        double? maxAfter = firstArrival > 0 && collector.MaxInFlightAt >= firstArrival
            ? Math.Round(Stopwatch.GetElapsedTime(firstArrival, collector.MaxInFlightAt).TotalSeconds, 3)
            : null;
        var ratio = Scenarios.Ratio(measured.PerSecond, ceiling);
        Progress.Line($"  flow: {measured.PerSecond:N0} deliveries/s steady ({ratio:0.00} of {ceiling:N0}), {measured.WholeRunPerSecond:N0} over the whole run, " +
            $"at most {collector.MaxInFlight} in flight");
        return new FlowResult(
            events, (int)ReceiverDelay.TotalMilliseconds, DeliveryDefaults.MaxPerWebhook, ceiling, steadyFrom, measured.PerSecond, ratio,
            measured.WholeRunPerSecond, Scenarios.Ratio(measured.WholeRunPerSecond, ceiling), collector.Distinct, collector.Duplicates, Scenarios.Round(seconds),
            collector.MaxInFlight, maxAfter, Scenarios.Ms(latency.P50Ms), Scenarios.Ms(latency.P99Ms), Rate(direct, directSeconds, steadyFrom),
            Targets.FlowLone, collector.Distinct == events && ratio >= Targets.FlowLone);
    }

    private static FlowRate Rate(DeliveryCollector collector, double seconds, int steadyFrom) => new(
        Math.Round(collector.RateFrom(steadyFrom) ?? 0, 1), Math.Round(seconds > 0 ? collector.Distinct / seconds : 0, 1), collector.Distinct,
        Scenarios.Round(seconds), collector.MaxInFlight);
}
