using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using CleanWebhooks.Testing;
using Xunit.Abstractions;

namespace CleanWebhooks.Delivery.Tests;

/// <summary>
/// Flow control through the real service and real receivers (contract section 5, "Flow control" and
/// "Work-conserving"): a lone webhook is not held to a fixed share, broken receivers cannot take the capacity a healthy
/// webhook needs, and a receiver that never answered <c>2xx</c> never gets more than twice the initial window. These
/// measure rates and delays, with the contract's wide bounds; they run alone (<see cref="RunsAlone"/>) so that the
/// other tests of the assembly do not share the two cores with them.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class FlowControlTests : DeliveryFixture
{
    private readonly ITestOutputHelper _output;

    public FlowControlTests(ITestOutputHelper output)
    {
        _output = output;
        // The production timeout: a hanging receiver holds each attempt for 15 s.
        Factory.Settings["Delivery:Timeout"] = "00:00:15";
        Factory.Settings["Delivery:PollInterval"] = "00:00:01";
    }

    [Fact]
    public async Task LoneWebhook_ReceiverAnswersIn100Ms_GetsAtLeast200DeliveriesPerSecond()
    {
        const int events = 1_000;
        Receiver.Respond = (_, _) => new ReceiverAnswer(204, Delay: TimeSpan.FromMilliseconds(100));
        using var integrator = await Factory.CreateIntegratorAsync("Big");
        await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"));

        await ReportInBatchesAsync(Enumerable.Range(0, events).Select(i => (integrator.ClientId, $"big-{i}")));
        var received = await Receiver.WaitForAsync(events, TimeSpan.FromSeconds(60));

        // From the first delivery to the last, the window's growth from 4 included.
        var seconds = Stopwatch.GetElapsedTime(received.Min(r => r.Arrived), received.Max(r => r.Arrived)).TotalSeconds;
        var perSecond = (events - 1) / seconds;
        _output.WriteLine($"{perSecond:F0} deliveries/s over {seconds:F2} s; at most {Receiver.MaxInFlight} at once.");
        Assert.True(perSecond >= 200, $"{perSecond:F0} deliveries/s over {seconds:F2} s; at most {Receiver.MaxInFlight} at once.");
        Assert.InRange(Receiver.MaxInFlight, 21, 64);
    }

    [Fact]
    public async Task TwentyBrokenReceiversWithHundredsDue_HealthyWebhook_IsDelayedByAtMostThreeSeconds()
    {
        const int dueEach = 200;
        await using var hanging = await LoopbackReceiver.StartAsync();
        await using var flaky = await LoopbackReceiver.StartAsync();
        hanging.Respond = (_, _) => new ReceiverAnswer(200, Delay: TimeSpan.FromMinutes(10));
        flaky.Respond = (_, before) => before % 3 == 0 ? ReceiverAnswer.Ok : new ReceiverAnswer(200, Delay: TimeSpan.FromMinutes(10));

        var broken = new List<Guid>();
        for (var i = 0; i < 10; i++)
        {
            broken.Add(await CreateWebhookAsync($"hanging-{i}", hanging.Url($"/hang/{i}/:id")));
            broken.Add(await CreateWebhookAsync($"flaky-{i}", flaky.Url($"/flaky/{i}/:id")));
        }

        using var healthy = await Factory.CreateIntegratorAsync("Healthy");
        await healthy.CreateWebhookAsync(Receiver.Url("/hook/:id"));
        await ReportInBatchesAsync(broken.SelectMany(client => Enumerable.Range(0, dueEach).Select(i => (client, $"broken-{i}"))));
        await hanging.WaitForAsync(10 * 4, TimeSpan.FromSeconds(30));

        // 10 events a second for 8 s, each timed from its report to its arrival.
        var reported = new Dictionary<string, long>();
        for (var i = 0; i < 80; i++)
        {
            var next = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 10);
            reported[$"/hook/fine-{i}"] = Stopwatch.GetTimestamp();
            await Factory.ReportAsync(healthy.ClientId, $"fine-{i}");
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }
        }

        var arrived = (await Receiver.WaitForAsync(80, TimeSpan.FromSeconds(30))).ToDictionary(r => r.Path, r => r.Arrived);
        var delays = reported.Select(r => Stopwatch.GetElapsedTime(r.Value, arrived[r.Key])).Order().ToList();
        _output.WriteLine($"Healthy webhook: p50 {delays[delays.Count / 2].TotalMilliseconds:F0} ms, max {delays[^1].TotalMilliseconds:F0} ms; " +
            $"hanging receiver: {hanging.MaxOpenConnections} connections at most, {hanging.Requests.Count} requests; flaky: {flaky.MaxOpenConnections}, {flaky.Requests.Count}.");
        Assert.True(delays[^1] <= TimeSpan.FromSeconds(3),
            $"Healthy webhook delayed up to {delays[^1].TotalMilliseconds:F0} ms (p50 {delays[delays.Count / 2].TotalMilliseconds:F0} ms) beside 20 broken receivers.");

        // Meanwhile none of the broken receivers got more than twice the initial window from this node.
        Assert.InRange(hanging.MaxOpenConnections, 1, 10 * 8);
    }

    [Fact]
    public async Task HangingReceiverWithHundredsDue_NeverHoldsMoreThanTwiceTheInitialWindow()
    {
        Factory.Settings["Delivery:Timeout"] = "00:00:01";
        await using var hanging = await LoopbackReceiver.StartAsync();
        hanging.Respond = (_, _) => new ReceiverAnswer(200, Delay: TimeSpan.FromMinutes(10));
        using var integrator = await Factory.CreateIntegratorAsync("Hanging");
        await integrator.CreateWebhookAsync(hanging.Url("/hang/:id"));

        await ReportInBatchesAsync(Enumerable.Range(0, 300).Select(i => (integrator.ClientId, $"stuck-{i}")));

        // Three rounds of 1 s timeouts: the window starts at 4, never grows without a 2xx, and halves on each timeout.
        await hanging.WaitForAsync(4, TimeSpan.FromSeconds(30));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(3.5);
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.True(hanging.Requests.Count > 4, "The hanging receiver's attempts never timed out and went out again.");
        Assert.InRange(hanging.MaxInFlight, 1, 8);
        Assert.InRange(hanging.MaxOpenConnections, 1, 8);
    }

    [Fact]
    public async Task MaxInFlightThree_ReceiverTakes50Ms_NeverGetsMoreAtOnceButGetsThreeAtOnce()
    {
        Receiver.Respond = (_, _) => new ReceiverAnswer(204, Delay: TimeSpan.FromMilliseconds(50));
        using var integrator = await Factory.CreateIntegratorAsync("Careful");
        var webhook = await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"));
        await integrator.SetLimitsAsync(webhook.Id(), maxInFlight: 3, maxPerSecond: null);

        await ReportInBatchesAsync(Enumerable.Range(0, 60).Select(i => (integrator.ClientId, $"careful-{i}")));
        await Receiver.WaitForAsync(60, TimeSpan.FromSeconds(30));

        Assert.Equal(3, Receiver.MaxInFlight);
    }

    [Fact]
    public async Task MaxPerSecondTwenty_InstantReceiver_NoSecondHoldsMoreStartsAndTheRateIsKept()
    {
        using var integrator = await Factory.CreateIntegratorAsync("Paced");
        var webhook = await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"));
        await integrator.SetLimitsAsync(webhook.Id(), maxInFlight: null, maxPerSecond: 20);
        await WarmUpAsync(Receiver);

        await ReportInBatchesAsync(Enumerable.Range(0, 70).Select(i => (integrator.ClientId, $"paced-{i}")));
        var arrivals = (await Receiver.WaitForAsync(71, TimeSpan.FromSeconds(30))).Where(r => r.Path.StartsWith("/hook/", StringComparison.Ordinal))
            .Select(r => r.Arrived).Order().ToList();

        // Started, as the service recorded each attempt's start (what the limit counts), and arrived, as the receiver
        // saw them: each a steady time after its recorded start, so that the starts recorded are when requests went out.
        var starts = await WaitForStartsAsync(arrivals.Count, new Operations.StoredRows(Factory.DatabasePath).AttemptStartsAsync);
        var busiest = BusiestSecond(starts);
        var spread = TransitSpread(starts, arrivals);
        var seconds = Stopwatch.GetElapsedTime(arrivals[0], arrivals[^1]).TotalSeconds;
        _output.WriteLine($"70 deliveries in {seconds:F2} s, at most {busiest} started in any one second, transit times within {spread.TotalMilliseconds:F0} ms.");
        Assert.InRange(busiest, 15, 20);
        Assert.True(spread < MaxTransitSpread, $"Transit times spread over {spread.TotalMilliseconds:F0} ms: the recorded starts are not when the requests went out.");

        // The other side of the limit: the integrator asked for 20 a second and gets them, not far fewer. 70 at 20 a
        // second take 3.45 s; the bound is twice that, because on a machine busy with other work (two suites at once)
        // the dispatcher's turns come late and a run took 5.7 s with 17 in its busiest second. A limiter that gave half
        // the rate fails both this bound and the busiest second's.
        Assert.InRange(seconds, 2.9, 6.9);
    }

    /// <summary>
    /// One request to the receiver before it is measured: its first request waits for its own start-up (tens of ms),
    /// which would bunch the next arrivals together as no sender could.
    /// </summary>
    internal static async Task WarmUpAsync(LoopbackReceiver receiver)
    {
        using var http = new HttpClient();
        (await http.GetAsync(new Uri(receiver.Url("/warm-up")))).Dispose();
    }

    /// <summary>
    /// The most by which two attempts' transit times (arrival less recorded start) may differ on loopback. A busy
    /// machine delays some requests more than others (measured: 26–40 ms on a quiet one, and one arrival bunched
    /// into another's second on a loaded one, which is why the limit is checked on the starts); a sender that
    /// recorded evenly spaced starts but sent its requests in bursts would spread them by most of a second.
    /// </summary>
    internal static readonly TimeSpan MaxTransitSpread = TimeSpan.FromMilliseconds(500);

    /// <summary>The recorded starts of <paramref name="attempts"/> attempts, once the last of them is stored (just after it arrived).</summary>
    internal static async Task<List<long>> WaitForStartsAsync(int attempts, Func<Task<List<long>>> starts)
    {
        var stored = new List<long>();
        await Operations.StoredRows.WaitUntilAsync(
            async () => (stored = await starts()).Count >= attempts, $"{attempts} recorded starts", TimeSpan.FromSeconds(10));
        Assert.True(stored.Count == attempts, $"{attempts} arrivals but {stored.Count} recorded starts: an attempt sent twice, or not recorded.");
        return stored;
    }


    /// <summary>
    /// How far apart the attempts' transit times are: each arrival less its recorded start, paired in order (the two
    /// clocks' offset cancels out). Starts are <see cref="Stopwatch"/> ticks from the first; arrivals, timestamps.
    /// </summary>
    internal static TimeSpan TransitSpread(IReadOnlyList<long> sortedStarts, IReadOnlyList<long> sortedArrivals)
    {
        var transit = sortedArrivals.Zip(sortedStarts, (arrived, started) => arrived - started).ToList();
        return Stopwatch.GetElapsedTime(transit.Min(), transit.Max());
    }

    /// <summary>The most starts (or arrivals), sorted, in any window of one second.</summary>
    internal static int BusiestSecond(IReadOnlyList<long> sorted)
    {
        var busiest = 0;
        var first = 0;
        for (var last = 0; last < sorted.Count; last++)
        {
            while (Stopwatch.GetElapsedTime(sorted[first], sorted[last]) >= TimeSpan.FromSeconds(1))
            {
                first++;
            }

            busiest = Math.Max(busiest, last - first + 1);
        }

        return busiest;
    }

    private async Task<Guid> CreateWebhookAsync(string name, string url)
    {
        using var integrator = await Factory.CreateIntegratorAsync(name);
        await integrator.CreateWebhookAsync(url);
        return integrator.ClientId;
    }

    /// <summary>Reports the events through batch intake, 500 a request, all accepted.</summary>
    private async Task ReportInBatchesAsync(IEnumerable<(Guid ClientId, string DocumentId)> events)
    {
        using var admin = Factory.CreateInternalClient();
        foreach (var chunk in events.Chunk(500))
        {
            using var response = await admin.PostAsJsonAsync("/internal/document_events/batch", new
            {
                events = chunk.Select(e => new { clientId = e.ClientId, documentId = e.DocumentId, type = 0 }),
            });
            var json = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(response.IsSuccessStatusCode, $"Batch intake: {(int)response.StatusCode} {json}");
            Assert.All(json.GetProperty("results").EnumerateArray(), r => Assert.False(r.TryGetProperty("error", out _), r.ToString()));
        }
    }
}
