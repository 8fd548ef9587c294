using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;

namespace CleanWebhooks.Bench;

/// <summary>What every scenario shares: the options, the service to run, the receiver and the run's folder.</summary>
internal sealed record BenchContext(BenchOptions Options, string ApiDll, string Folder, Receiver Receiver, CancellationToken CancellationToken)
{
    /// <summary>
    /// Every wait for idle processes before a measured phase, in order (<see cref="Scenarios.SettleAsync(BenchContext, string, CpuSource[])"/>):
    /// the run's output, filled as it goes, and shared by any copy of the context.
    /// </summary>
    public ConcurrentQueue<IdleWait> Settles { get; } = new();

    public string FolderFor(string scenario) => Path.Combine(Folder, scenario);
}

/// <summary>The four scenarios of bench/README.md.</summary>
internal static partial class Scenarios
{
    private const string IntakePath = "/internal/document_events";

    private const string BatchIntakePath = "/internal/document_events/batch";

    /// <summary>The <c>data</c> of every event (and of the baseline's envelopes).</summary>
    private const string EventData = "{\"pages\":3,\"source\":\"bench\"}";

    /// <summary>
    /// 1 and 2 on one service (dispatcher off) and one baseline server: the read first, then the intake, which would
    /// otherwise grow the database under the read.
    /// </summary>
    public static async Task RequestsAsync(BenchContext context, Action<ReadResult> read, Action<IntakeResult> intake)
    {
        var ct = context.CancellationToken;
        var folder = context.FolderFor("requests");
        await using var service = await Service.StartAsync(context.ApiDll, folder, dispatcher: false, ct);
        var integrators = await CreateIntegratorsAsync(service, context, ct);
        await using var baseline = await Baseline.StartAsync(service.DatabasePath, folder, ct);
        using var http = Load.CreateClient(context.Options.Concurrency);

        if (context.Options.Runs("read"))
        {
            read(await ReadAsync(context, service, baseline, integrators[0], http));
        }

        if (context.Options.Runs("intake"))
        {
            intake(await IntakeAsync(context, service, baseline, integrators, http));
        }
    }

    /// <summary>1. GET one webhook with X-API-KEY against the bare Dapper SELECT on the same database file.</summary>
    private static async Task<ReadResult> ReadAsync(BenchContext context, Service service, Baseline baseline, Integrator integrator, HttpClient http)
    {
        var ct = context.CancellationToken;
        var serviceUrl = new Uri(service.BaseAddress, $"/api_document/document_webhooks/{integrator.WebhookId}");
        var baselineUrl = new Uri(baseline.BaseAddress, $"{BaselineServer.ReadPath}/{integrator.ClientId}/{integrator.WebhookId}");

        async Task<HttpStatusCode> ServiceSend(long index, CancellationToken token)
        {
            using var request = Authorized(new HttpRequestMessage(HttpMethod.Get, serviceUrl), "X-API-KEY", integrator.ApiKey);
            using var response = await http.SendAsync(request, token);
            return response.StatusCode;
        }

        async Task<HttpStatusCode> BaselineSend(long index, CancellationToken token)
        {
            using var response = await http.GetAsync(baselineUrl, token);
            return response.StatusCode;
        }

        // Both answer with the webhook, or the comparison means nothing.
        await ExpectAsync(http, () => Authorized(new HttpRequestMessage(HttpMethod.Get, serviceUrl), "X-API-KEY", integrator.ApiKey),
            HttpStatusCode.OK, integrator.WebhookId.ToString(), "service read", ct);
        await ExpectAsync(http, () => new HttpRequestMessage(HttpMethod.Get, baselineUrl),
            HttpStatusCode.OK, integrator.WebhookId.ToString(), "baseline read", ct);

        var (measured, bare) = await CompareAsync(
            context, "read", [service.Process, baseline.Process], ServiceSend, HttpStatusCode.OK, BaselineSend, HttpStatusCode.OK);
        var ratio = Ratio(measured.PerSecond, bare.PerSecond);
        return new ReadResult(ratio, measured.PerSecond, measured.P50Ms, measured.P99Ms, measured, bare, Targets.Read, ratio >= Targets.Read);
    }

    /// <summary>2. POST document events for clients with a webhook against single-row durable inserts.</summary>
    private static async Task<IntakeResult> IntakeAsync(
        BenchContext context, Service service, Baseline baseline, List<Integrator> integrators, HttpClient http)
    {
        var ct = context.CancellationToken;
        var serviceUrl = new Uri(service.BaseAddress, IntakePath);
        var baselineUrl = new Uri(baseline.BaseAddress, BaselineServer.InsertPath);
        var sequence = 0L;
        HttpRequestMessage Event(Uri url)
        {
            var n = Interlocked.Increment(ref sequence);
            return new HttpRequestMessage(HttpMethod.Post, url)
            {
                Content = EventBody(integrators[(int)(n % integrators.Count)].ClientId, "intake-" + n.ToString(CultureInfo.InvariantCulture)),
            };
        }

        async Task<HttpStatusCode> ServiceSend(long index, CancellationToken token)
        {
            using var request = Authorized(Event(serviceUrl), "X-INTERNAL-KEY", service.InternalKey);
            using var response = await http.SendAsync(request, token);
            return response.StatusCode;
        }

        async Task<HttpStatusCode> BaselineSend(long index, CancellationToken token)
        {
            using var request = Event(baselineUrl);
            using var response = await http.SendAsync(request, token);
            return response.StatusCode;
        }

        var ceilingUrl = new Uri(baseline.BaseAddress, BaselineServer.CeilingPath);
        async Task<HttpStatusCode> CeilingSend(long index, CancellationToken token)
        {
            using var request = Event(ceilingUrl);
            using var response = await http.SendAsync(request, token);
            return response.StatusCode;
        }

        var batchSize = context.Options.BatchSize;
        HttpRequestMessage Batch() => BatchRequest(service, Interlocked.Add(ref sequence, batchSize) - batchSize + 1, batchSize,
            n => integrators[(int)(n % integrators.Count)].ClientId, n => "batch-" + n.ToString(CultureInfo.InvariantCulture));

        async Task<HttpStatusCode> BatchSend(long index, CancellationToken token)
        {
            using var request = Batch();
            using var response = await http.SendAsync(request, token);
            return response.StatusCode;
        }

        // The client has a webhook, so every accepted event also creates a delivery (the outbox row).
        await ExpectAsync(http, () => Authorized(Event(serviceUrl), "X-INTERNAL-KEY", service.InternalKey),
            HttpStatusCode.Accepted, "\"deliveryId\":\"", "service intake", ct);
        await ExpectAsync(http, () => Event(baselineUrl), HttpStatusCode.Accepted, null, "baseline insert", ct);
        await ExpectAsync(http, () => Event(ceilingUrl), HttpStatusCode.Accepted, null, "HTTP ceiling", ct);
        await ExpectAsync(http, Batch, HttpStatusCode.OK, "\"deliveryId\":\"", "service batch intake", ct);
        var settings = await http.GetFromJsonAsync<BaselineServer.SqliteSettings>(new Uri(baseline.BaseAddress, BaselineServer.SettingsPath), ct);

        var figures = await CompareAsync(context, "intake", [service.Process, baseline.Process],
        [
            new("insert", BaselineSend, HttpStatusCode.Accepted),
            new("service", ServiceSend, HttpStatusCode.Accepted),
            new("ceiling", CeilingSend, HttpStatusCode.Accepted),
            new($"batch×{batchSize}", BatchSend, HttpStatusCode.OK),
        ]);
        var (bare, measured, ceiling, batches) = (figures[0], figures[1], figures[2], figures[3]);
        var ratio = Ratio(measured.PerSecond, bare.PerSecond);
        var ceilingRatio = Ratio(measured.PerSecond, ceiling.PerSecond);
        var batchEvents = Math.Round(batches.PerSecond * batchSize, 1);
        var batchRatio = Ratio(batchEvents, measured.PerSecond);
        return new IntakeResult(ratio, measured.PerSecond, measured.P50Ms, measured.P99Ms, measured, bare with { Sqlite = settings },
            integrators.Count, Targets.Intake, ratio >= Targets.Intake)
        {
            CeilingRatio = ceilingRatio,
            Ceiling = ceiling,
            CeilingTarget = Targets.IntakeCeiling,
            CeilingMet = ceilingRatio >= Targets.IntakeCeiling,
            BatchIntake = new BatchIntakeResult(batchRatio, batchEvents, batchSize, batches, Targets.BatchIntake, batchRatio >= Targets.BatchIntake),
        };
    }

    /// <summary>
    /// 3 and 4 on one service with its dispatcher on: N events as fast as the intake takes them until the receiver has
    /// them all (against plain HttpClient posts to the receiver), the service's peak memory over that run, then the
    /// latency at a steady 1,000 events/s once the queue is empty.
    /// </summary>
    public static async Task DeliveriesAsync(
        BenchContext context, Action<EndToEndResult> endToEnd, Action<MemoryResult> memory, Action<LatencyResult> latency)
    {
        var ct = context.CancellationToken;
        var retention = context.Options.Purge
            ? new Dictionary<string, string>
            {
                ["Retention__Period"] = BenchOptions.PurgePeriod.ToString("c", CultureInfo.InvariantCulture),
                ["Retention__Interval"] = BenchOptions.PurgeInterval.ToString("c", CultureInfo.InvariantCulture),
            }
            : null;
        await using var service = await Service.StartAsync(context.ApiDll, context.FolderFor("deliveries"), dispatcher: true, ct, retention);
        var integrators = await CreateIntegratorsAsync(service, context, ct);
        using var http = Load.CreateClient(context.Options.Concurrency);

        var intake = IntakeSender(service, integrators, http);

        await DeliverAsync(context, "service warm-up", context.Receiver.Expect("warmup", context.Options.WarmupEvents), intake,
            HttpStatusCode.Accepted, TimeSpan.FromSeconds(60));

        EndToEndResult? sqlite = null;
        if (context.Options.Runs("end-to-end"))
        {
            var (e2e, peak) = await EndToEndAsync(context, service, integrators, http, intake);
            sqlite = e2e;
            endToEnd(e2e);
            memory(peak);
        }

        if (context.Options.Runs("latency"))
        {
            latency(await PacedAsync(context, intake));
        }

        if (sqlite is not null && context.Options.Postgres is { } server)
        {
            await service.DisposeAsync(); // measured alone, not next to the idle SQLite service
            endToEnd(sqlite with { Postgres = await PostgresRunsAsync(context, server, sqlite) });
        }
    }

    /// <summary>Delivery rows in the service's database: with <c>--purge</c>, fewer than the events sent shows that purges ran.</summary>
    private static async Task<long> DeliveryRowsAsync(Service service)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={service.DatabasePath};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM deliveries;";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<(EndToEndResult EndToEnd, MemoryResult Memory)> EndToEndAsync(
        BenchContext context, Service service, List<Integrator> integrators, HttpClient http, Func<DeliveryCollector, Load.Send> intake)
    {
        var options = context.Options;
        var receiver = context.Receiver;
        var timeout = TimeSpan.FromSeconds(30) + (options.Events * TimeSpan.FromMilliseconds(5));

        // The baseline: the same receiver and envelopes, posted straight from a plain HttpClient loop.
        var toReceiver = DirectSender(receiver, integrators[0], http);

        await DeliverAsync(context, "end-to-end: baseline warm-up", receiver.Expect("baseline-warmup", options.WarmupEvents), toReceiver,
            HttpStatusCode.OK, TimeSpan.FromSeconds(30));
        await SettleAsync(context, "end-to-end: baseline", service.Process);
        var direct = receiver.Expect("baseline", options.Events);
        var (directSeconds, _) = await DeliverAsync(context, "end-to-end: baseline", direct, toReceiver, HttpStatusCode.OK, timeout);

        // The bare forwarder: the same intake JSON, 202 at once, the envelope posted from an in-memory queue by as many
        // senders as the dispatcher has. The non-durable version of the same pipeline.
        DirectResult forwarded;
        double? forwarderCpuMicros;
        await using (var forwarder = await Baseline.StartAsync(service.DatabasePath, context.FolderFor("forwarder"), context.CancellationToken, receiver.BaseAddress))
        {
            Load.Send Forward(DeliveryCollector collector) => async (index, token) =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(forwarder.BaseAddress, BaselineServer.ForwardPath))
                {
                    Content = EventBody(integrators[(int)(index % integrators.Count)].ClientId, collector.DocumentId(index)),
                };
                using var response = await http.SendAsync(request, token);
                return response.StatusCode;
            };

            await DeliverAsync(context, "end-to-end: forwarder warm-up", receiver.Expect("forwarder-warmup", options.WarmupEvents), Forward,
                HttpStatusCode.Accepted, TimeSpan.FromSeconds(30));
            await SettleAsync(context, "end-to-end: forwarder", forwarder.Process);
            var viaForwarder = receiver.Expect("forwarder", options.Events);
            var forwarderCpu = forwarder.Process.CpuSeconds();
            var (forwardSeconds, _) = await DeliverAsync(context, "end-to-end: forwarder", viaForwarder, Forward, HttpStatusCode.Accepted, timeout);
            forwarderCpuMicros = CpuMicrosPer(forwarderCpu, forwarder.Process.CpuSeconds(), viaForwarder.Distinct);
            var forwardLatency = LatencySummary.Of(viaForwarder.Latencies());
            forwarded = new DirectResult(
                Math.Round(forwardSeconds > 0 ? viaForwarder.Distinct / forwardSeconds : 0, 1), viaForwarder.Distinct, Round(forwardSeconds),
                Ms(forwardLatency.P50Ms), Ms(forwardLatency.P99Ms), Ms(forwardLatency.MaxMs));
        }

        // One event per request, or batch requests (--end-to-end-batch) at the load's concurrency, warmed up on their own.
        var perRequest = options.EndToEndBatch;
        var (send, sent) = perRequest == 1
            ? (intake, HttpStatusCode.Accepted)
            : (BatchSender(service, integrators, http, perRequest), HttpStatusCode.OK);
        Task<(double Seconds, Recorder Sender)> Run(string phase, DeliveryCollector to) =>
            DeliverAsync(context, perRequest == 1 ? phase : $"{phase}, {perRequest} events per request", to, send, sent, timeout, perRequest,
                options.Concurrency);
        if (perRequest > 1)
        {
            await Run("end-to-end: service warm-up", receiver.Expect("batch-warmup", options.WarmupEvents));
        }

        await SettleAsync(context, "end-to-end: service", service.Process);
        var collector = receiver.Expect("e2e", options.Events);
        using var sampler = new MemorySampler(service.Process);
        var meter = RunMeter.Start([service.Process]);
        var (seconds, sender) = await Run("end-to-end: service", collector);
        var costs = meter.Stop(collector.Distinct);
        var peakHwm = service.Process.MemoryMb("VmHWM");
        var sampled = await sampler.StopAsync();

        var latency = LatencySummary.Of(collector.Latencies());
        var directLatency = LatencySummary.Of(direct.Latencies());
        var rate = seconds > 0 ? collector.Distinct / seconds : 0;
        var directRate = directSeconds > 0 ? direct.Distinct / directSeconds : 0;
        var ratio = Ratio(rate, directRate);
        var complete = collector.Distinct == options.Events;
        var storage = await StorageResult.OfSqliteAsync(service.DatabasePath, context.CancellationToken);
        var endToEnd = new EndToEndResult(
            ratio, Math.Round(rate, 1), options.Events, collector.Distinct, collector.Duplicates, complete, Round(seconds),
            Ms(latency.P50Ms), Ms(latency.P99Ms), Ms(latency.MaxMs), Throughput.Of(sender),
            new DirectResult(Math.Round(directRate, 1), direct.Distinct, Round(directSeconds), Ms(directLatency.P50Ms), Ms(directLatency.P99Ms), Ms(directLatency.MaxMs)),
            Targets.EndToEnd, complete && ratio >= Targets.EndToEnd, await DeliveryRowsAsync(service))
        {
            ForwarderRatio = Ratio(rate, forwarded.DeliveriesPerSecond),
            Forwarder = forwarded,
            ForwarderTarget = Targets.EndToEndForwarder,
            ForwarderMet = complete && Ratio(rate, forwarded.DeliveriesPerSecond) >= Targets.EndToEndForwarder,
            CpuMicrosPerDelivery = costs.CpuMicrosPerDelivery,
            ForwarderCpuMicrosPerDelivery = forwarderCpuMicros,
            WalBytesPerDelivery = costs.WrittenBytesPerDelivery,
            Cpu = costs.Cpu,
            Storage = storage,
            StoredBytesPerDelivery = storage.BytesPerDelivery,
        };

        var peak = peakHwm ?? sampled;
        var memory = new MemoryResult(
            Round(peak), Round(sampled), options.Events, "VmHWM of /proc/<pid>/status after the end-to-end run (peak resident set since start)",
            Targets.MemoryMb, peak <= Targets.MemoryMb,
            options.Events < 50_000 ? $"measured over {options.Events:N0} events; the target is for the 50,000-event run" : null);
        return (endToEnd, memory);
    }

    /// <summary>
    /// 4b. Event-to-receiver latency at a steady <c>--paced-rate</c> (3,000 events/s), or <paramref name="rate"/>, for the
    /// paced duration (paced intake, open loop); its deliveries tagged <paramref name="tag"/>.
    /// </summary>
    private static async Task<LatencyResult> PacedAsync(
        BenchContext context, Func<DeliveryCollector, Load.Send> intake, int? rate = null, string tag = "paced", string phase = "latency")
    {
        var options = context.Options;
        var perSecond = rate ?? options.PacedRate;
        var count = (int)(perSecond * options.PacedDuration.TotalSeconds);
        var collector = context.Receiver.Expect(tag, count);
        var sender = new Recorder("service", count);
        double seconds;
        await using (Progress.Start($"{phase} at {perSecond:N0} events/s", () => Status(sender, collector)))
        {
            // A request may start up to a second late (the target fell behind); later ones are not sent.
            seconds = (await Load.RunPacedAsync(options.Concurrency, perSecond, count, options.PacedDuration + TimeSpan.FromSeconds(1),
                intake(collector), HttpStatusCode.Accepted, sender, context.CancellationToken)).TotalSeconds;
            await collector.WaitForAsync(sender.Ok, options.Quick ? TimeSpan.FromSeconds(5) : TimeSpan.FromSeconds(30), context.CancellationToken);
        }

        var latency = LatencySummary.Of(collector.Latencies());
        var achieved = seconds > 0 ? sender.Ok / seconds : 0;
        var kept = sender.Ok == count && collector.Distinct == count;
        var met = kept && latency.P50Ms <= Targets.LatencyP50Ms && latency.P99Ms <= Targets.LatencyP99Ms;
        return new LatencyResult(
            perSecond, Round(options.PacedDuration.TotalSeconds), count, sender.Ok, collector.Distinct, collector.Duplicates, Math.Round(achieved, 1),
            Ms(latency.P50Ms), Ms(latency.P90Ms), Ms(latency.P99Ms), Ms(latency.MaxMs), Throughput.Of(sender),
            Targets.LatencyP50Ms, Targets.LatencyP99Ms, met);
    }

    /// <summary>
    /// Waits, after a warm-up, until <paramref name="processes"/> and the bench itself are idle (<see cref="Idle"/>),
    /// all at once and for at most 30 s together, and records each wait in the results (<c>settles[]</c>). A process
    /// still busy at the deadline is measured as it is, and the run says so.
    /// </summary>
    internal static async Task SettleAsync(BenchContext context, string phase, params CpuSource[] processes)
    {
        IdleWait[] waits;
        await using (Progress.Start($"{phase}: waiting until the warm-up's work has ended", () => ""))
        {
            waits = await Idle.WaitAsync(phase, [.. processes, CpuSource.Bench], TimeSpan.FromSeconds(30), context.CancellationToken);
        }

        foreach (var wait in waits)
        {
            context.Settles.Enqueue(wait);
            if (wait.Settled is not true)
            {
                Progress.Line(wait switch
                {
                    { Ended: true } => $"  {phase}: {wait.Process} ended while it was waited for",
                    { Settled: null } => $"  {phase}: the CPU of {wait.Process} cannot be read; measured without waiting for it",
                    _ => $"  {phase}: {wait.Process} was still busy after {wait.Seconds:0} s; measured as it is",
                });
            }
        }
    }

    internal static Task SettleAsync(BenchContext context, string phase, params ChildProcess[] processes) =>
        SettleAsync(context, phase, [.. processes.Select(p => CpuSource.Of(p))]);

    /// <summary>
    /// Sends every event of <paramref name="collector"/> as fast as it is taken and waits until the receiver has them
    /// all, or the timeout. Returns the seconds from the first request to the last new arrival, and the sender's figures.
    /// One request per event, or, with <paramref name="batch"/>, requests of that many events each over 4 connections
    /// or <paramref name="connections"/> (<paramref name="send"/> then sends request <c>index</c>'s batch).
    /// </summary>
    internal static async Task<(double Seconds, Recorder Sender)> DeliverAsync(
        BenchContext context, string phase, DeliveryCollector collector, Func<DeliveryCollector, Load.Send> send, HttpStatusCode expected, TimeSpan timeout,
        int batch = 1, int? connections = null)
    {
        var requests = (collector.Expected + batch - 1) / batch;
        var sender = new Recorder("sender", requests);
        var started = Stopwatch.GetTimestamp();
        await using (Progress.Start(phase, () => Status(sender, collector)))
        {
            var sending = await Load.RunAsync(
                connections ?? (batch == 1 ? context.Options.Concurrency : 4), timeout, requests, 0, send(collector), expected, sender, context.CancellationToken);
            var left = timeout - sending;
            var accepted = Math.Min(collector.Expected, sender.Ok * batch);
            if (!await collector.WaitForAsync(accepted, left > TimeSpan.Zero ? left : TimeSpan.Zero, context.CancellationToken))
            {
                Progress.Line($"  {phase}: only {collector.Distinct:N0} of {accepted:N0} accepted arrived within {timeout.TotalSeconds:0} s");
            }
        }

        if (sender.Errors > 0)
        {
            Progress.Line($"  {phase}: {sender.Errors:N0} requests failed, first: {sender.FirstError}");
        }

        var last = collector.LastArrival;
        return (last > started ? Stopwatch.GetElapsedTime(started, last).TotalSeconds : 0, sender);
    }

    /// <summary>
    /// Warms both targets up and waits until the <paramref name="processes"/> that serve them are idle, then measures
    /// them in alternating slices (baseline first in even rounds, service first in odd ones), so that load from
    /// elsewhere on the machine falls on both alike.
    /// </summary>
    private static async Task<(Throughput Service, Throughput Baseline)> CompareAsync(
        BenchContext context, string scenario, ChildProcess[] processes, Load.Send service, HttpStatusCode serviceOk, Load.Send baseline,
        HttpStatusCode baselineOk)
    {
        var figures = await CompareAsync(context, scenario, processes, [new("baseline", baseline, baselineOk), new("service", service, serviceOk)]);
        return (figures[1], figures[0]);
    }

    /// <summary>
    /// Warms every target up and waits until the <paramref name="processes"/> that serve them are idle, then measures
    /// them in slices whose order turns each round (the first goes first in round 0, the second in round 1, ...), so
    /// that load from elsewhere on the machine falls on all alike.
    /// </summary>
    private static async Task<Throughput[]> CompareAsync(
        BenchContext context, string scenario, ChildProcess[] processes, IReadOnlyList<Contender> contenders)
    {
        var options = context.Options;
        var ct = context.CancellationToken;
        var recorders = contenders.Select(c => new Recorder(c.Name)).ToArray();
        await using (Progress.Start($"{scenario}: warm-up", () => ""))
        {
            foreach (var contender in contenders)
            {
                await Load.RunAsync(options.Concurrency, options.Warmup, long.MaxValue, 0, contender.Send, contender.Ok, null, ct);
            }
        }

        await SettleAsync(context, scenario, processes);

        await using (Progress.Start($"{scenario}: {options.Rounds} rounds of {options.Slice.TotalSeconds:0} s each", () =>
            string.Join("   ", recorders.Select(r => $"{r.Name} {r.Ok,9:N0} ok {r.PerSecond,8:N0}/s")) + $"   errors {recorders.Sum(r => r.Errors):N0}"))
        {
            for (var round = 0; round < options.Rounds; round++)
            {
                for (var k = 0; k < contenders.Count; k++)
                {
                    var i = (round + k) % contenders.Count;
                    await Load.RunAsync(options.Concurrency, options.Slice, long.MaxValue, 0, contenders[i].Send, contenders[i].Ok, recorders[i], ct);
                }
            }
        }

        foreach (var recorder in recorders)
        {
            if (recorder.Errors > 0)
            {
                Progress.Line($"  {scenario}: {recorder.Name} had {recorder.Errors:N0} failed requests, first: {recorder.FirstError}");
            }
        }

        return [.. recorders.Select(Throughput.Of)];
    }

    private sealed record Contender(string Name, Load.Send Send, HttpStatusCode Ok);

    private static Task<List<Integrator>> CreateIntegratorsAsync(Service service, BenchContext context, CancellationToken cancellationToken) =>
        service.CreateIntegratorsAsync(context.Options.Clients, _ => context.Receiver.HookUrl, "bench", cancellationToken);

    private static async Task ExpectAsync(
        HttpClient http, Func<HttpRequestMessage> request, HttpStatusCode status, string? contains, string what, CancellationToken cancellationToken)
    {
        using var message = request();
        using var response = await http.SendAsync(message, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != status || (contains is not null && !body.Contains(contains, StringComparison.OrdinalIgnoreCase)))
        {
            throw new InvalidOperationException($"Check '{what}' answered {(int)response.StatusCode} {body}; expected {(int)status}{(contains is null ? "" : $" with {contains}")}.");
        }
    }

    /// <summary>
    /// The direct baseline: the service's envelope of event <c>index</c> (as if of <paramref name="integrator"/>'s
    /// webhook) posted straight to <paramref name="receiver"/> by a plain HttpClient, nothing in between.
    /// </summary>
    internal static Func<DeliveryCollector, Load.Send> DirectSender(Receiver receiver, Integrator integrator, HttpClient http) =>
        collector => async (index, token) =>
        {
            var documentId = collector.DocumentId(index);
            var occurredAt = DateTimeOffset.UtcNow.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
            var body = $"{{\"id\":\"{documentId}\",\"type\":0,\"event\":\"document.finished\",\"clientId\":\"{integrator.ClientId}\"," +
                $"\"webhookId\":\"{integrator.WebhookId}\",\"deliveryId\":\"{Guid.NewGuid()}\",\"occurredAt\":\"{occurredAt}\",\"data\":{EventData}}}";
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(receiver.BaseAddress, "/hook/" + documentId))
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            };
            using var response = await http.SendAsync(request, token);
            return response.StatusCode;
        };

    /// <summary>
    /// A batch intake request of the events <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/> − 1:
    /// event n for the client <paramref name="client"/> gives it, its document id <paramref name="documentId"/>'s.
    /// </summary>
    internal static HttpRequestMessage BatchRequest(Service service, long first, int count, Func<long, Guid> client, Func<long, string> documentId)
    {
        var body = new StringBuilder("{\"events\":[");
        for (var n = first; n < first + count; n++)
        {
            body.Append(n == first ? "" : ",").Append(EventJson(client(n), documentId(n)));
        }

        return Authorized(new HttpRequestMessage(HttpMethod.Post, new Uri(service.BaseAddress, BatchIntakePath))
        {
            Content = new StringContent(body.Append("]}").ToString(), Encoding.UTF8, "application/json"),
        }, "X-INTERNAL-KEY", service.InternalKey);
    }

    /// <summary>
    /// The end-to-end load in batch requests of <paramref name="size"/>: request <c>index</c> carries the events from
    /// <c>index</c> × size, for the integrators in turn, each with its document id the collector's.
    /// </summary>
    private static Func<DeliveryCollector, Load.Send> BatchSender(Service service, List<Integrator> integrators, HttpClient http, int size) =>
        collector => async (index, token) =>
        {
            var first = index * size;
            using var request = BatchRequest(service, first, (int)Math.Min(size, collector.Expected - first),
                n => integrators[(int)(n % integrators.Count)].ClientId, collector.DocumentId);
            using var response = await http.SendAsync(request, token);
            return response.StatusCode;
        };

    /// <summary>The end-to-end load: event <c>index</c> posted to the intake, for the integrators in turn, its document id the collector's.</summary>
    internal static Func<DeliveryCollector, Load.Send> IntakeSender(Service service, List<Integrator> integrators, HttpClient http) =>
        IntakeSender([service], service.InternalKey, integrators, http);

    private static HttpRequestMessage Authorized(HttpRequestMessage request, string header, string key)
    {
        request.Headers.TryAddWithoutValidation(header, key);
        return request;
    }

    private static StringContent EventBody(Guid clientId, string documentId) => new(EventJson(clientId, documentId), Encoding.UTF8, "application/json");

    private static string EventJson(Guid clientId, string documentId) =>
        $"{{\"clientId\":\"{clientId}\",\"documentId\":\"{documentId}\",\"type\":0,\"data\":{EventData}}}";

    private static string Status(Recorder sender, DeliveryCollector collector) =>
        $"sent {sender.Ok,9:N0} ({sender.Errors:N0} failed)   delivered {collector.Distinct,9:N0} / {collector.Expected:N0}";

    /// <summary>
    /// CPU µs of a process per delivery over a measured run, from its CPU seconds before and after: intake, claim, send
    /// and record together for the service. The figure to compare on a busy machine, where rates swing with others' load.
    /// </summary>
    internal static double? CpuMicrosPer(double? before, double? after, int deliveries) =>
        before is { } b && after is { } a && deliveries > 0 ? Math.Round((a - b) * 1_000_000 / deliveries, 1) : null;

    internal static double? Ratio(double value, double baseline) => baseline > 0 ? Math.Round(value / baseline, 3) : null;

    internal static double Round(double? value) => Math.Round(value ?? 0, 2);

    internal static double? Ms(double? value) => value is { } v ? Math.Round(v, 3) : null;
}

/// <summary>Samples the resident set of a process every 100 ms; the largest sample is a cross-check of VmHWM.</summary>
internal sealed class MemorySampler : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task<double> _sampling;

    public MemorySampler(ChildProcess process) => _sampling = SampleAsync(process);

    public async Task<double> StopAsync()
    {
        await _stop.CancelAsync();
        return await _sampling;
    }

    public void Dispose() => _stop.Dispose();

    private async Task<double> SampleAsync(ChildProcess process)
    {
        var peak = 0.0;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        try
        {
            do
            {
                peak = Math.Max(peak, process.MemoryMb("VmRSS") ?? 0);
            }
            while (await timer.WaitForNextTickAsync(_stop.Token));
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        return Math.Max(peak, process.MemoryMb("VmRSS") ?? 0);
    }
}
