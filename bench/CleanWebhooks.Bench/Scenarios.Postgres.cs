using System.Net;

namespace CleanWebhooks.Bench;

/// <summary>
/// Scenario 3 on PostgreSQL (<c>--postgres</c>): the end-to-end run with one node, and with <c>--postgres-nodes N</c>
/// again with N nodes on one database, each measured for the capacity model (docs/capacity.md): the service's and the
/// server's CPU per delivery, the WAL and the stored bytes per delivery, the intake's refusals, and what the server's
/// backends waited on.
/// </summary>
internal static partial class Scenarios
{
    /// <summary>The one-node run, and the N-node run beside it when <c>--postgres-nodes</c> asks for more than one.</summary>
    private static async Task<PostgresEndToEndResult> PostgresRunsAsync(BenchContext context, string server, EndToEndResult sqlite)
    {
        var one = await PostgresEndToEndAsync(context, server, sqlite, 1);
        return context.Options.PostgresNodes > 1
            ? one with { MultiNode = await PostgresEndToEndAsync(context, server, sqlite, context.Options.PostgresNodes) }
            : one;
    }

    /// <summary>
    /// 3 again with <paramref name="nodeCount"/> service processes on a fresh PostgreSQL database (dropped after), the
    /// intake load split evenly between them (event i to node i mod N), against the same direct baseline.
    /// </summary>
    private static async Task<PostgresEndToEndResult> PostgresEndToEndAsync(BenchContext context, string server, EndToEndResult sqlite, int nodeCount)
    {
        var ct = context.CancellationToken;
        var options = context.Options;
        var label = nodeCount == 1 ? "PostgreSQL" : $"PostgreSQL, {nodeCount} nodes";
        var folder = context.FolderFor(nodeCount == 1 ? "deliveries-postgres" : $"deliveries-postgres-{nodeCount}-nodes");
        var database = await BenchPostgres.CreateDatabaseAsync(server, ct);
        var nodes = new List<Service>();
        try
        {
            nodes.Add(await Service.StartAsync(context.ApiDll, folder, dispatcher: true, ct, postgres: database));
            var first = nodes[0];
            var integrators = await CreateIntegratorsAsync(first, context, ct);
            for (var i = 2; i <= nodeCount; i++)
            {
                // The nodes of one deployment share the internal key and the key ring (ADR 10).
                var shared = new Dictionary<string, string>
                {
                    ["Internal__ApiKeys__0"] = first.InternalKey,
                    ["Secrets__KeyDirectory"] = Path.Combine(folder, "keys"),
                };
                nodes.Add(await Service.StartAsync(context.ApiDll, $"{folder}-node{i}", dispatcher: true, ct, shared, database));
            }

            using var http = Load.CreateClient(options.Concurrency);
            var intake = IntakeSender(nodes, first.InternalKey, integrators, http);
            var warmupErrors = new StatusCounts();
            await DeliverAsync(context, $"{label}: warm-up", context.Receiver.Expect("pg-warmup", options.WarmupEvents),
                c => warmupErrors.Count(intake(c), HttpStatusCode.Accepted), HttpStatusCode.Accepted, TimeSpan.FromSeconds(60));
            var meter = await PostgresMeter.FindAsync(database, ct);
            await SettleAsync(context, label, [.. nodes.Select((n, i) => CpuSource.Of(n.Process, $"service node {i + 1}")), new CpuSource("PostgreSQL", meter.CpuSeconds)]);
            var statements = await meter.ResetStatementsAsync(ct);
            var timeout = TimeSpan.FromSeconds(30) + (options.Events * TimeSpan.FromMilliseconds(5));
            var collector = context.Receiver.Expect("pg-e2e", options.Events);
            var errors = new StatusCounts();
            var walBefore = await meter.WalPositionAsync(ct);
            var run = RunMeter.Start([.. nodes.Select(n => n.Process)], meter);
            double seconds;
            Recorder sender;
            Dictionary<string, double> waits;
            await using (var sampler = meter.SampleWaitEvents())
            {
                (seconds, sender) = await DeliverAsync(context, $"end-to-end: service on {label}", collector,
                    c => errors.Count(intake(c), HttpStatusCode.Accepted), HttpStatusCode.Accepted, timeout);
                waits = await sampler.StopAsync();
            }

            var costs = run.Stop(collector.Distinct);
            var wal = await meter.WalPositionAsync(ct) - walBefore;
            var top = statements ? await meter.StatementsAsync(8, ct) : null;
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }

            var stored = await meter.StorageAsync(compact: false, ct);
            var compact = await meter.StorageAsync(compact: true, ct);
            var latency = LatencySummary.Of(collector.Latencies());
            var rate = seconds > 0 ? collector.Distinct / seconds : 0;
            var host = new Npgsql.NpgsqlConnectionStringBuilder(server);
            return new PostgresEndToEndResult(
                Ratio(rate, sqlite.Baseline.DeliveriesPerSecond), Math.Round(rate, 1), options.Events, collector.Distinct, collector.Duplicates,
                collector.Distinct == options.Events, Round(seconds), Ms(latency.P50Ms), Ms(latency.P99Ms), Throughput.Of(sender), $"{host.Host}:{host.Port}")
            {
                Nodes = nodeCount,
                SqliteRatio = Ratio(rate, sqlite.DeliveriesPerSecond),
                IntakeErrors = errors.Total,
                IntakeErrorStatuses = errors.ByStatus,
                WarmupIntakeErrors = warmupErrors.Total,
                CpuMicrosPerDelivery = costs.CpuMicrosPerDelivery,
                DatabaseCpuMicrosPerDelivery = costs.DatabaseCpuMicrosPerDelivery,
                DatabaseProcesses = meter.How,
                WalBytesPerDelivery = collector.Distinct > 0 ? Math.Round(wal / (double)collector.Distinct, 1) : null,
                StoredBytesPerDelivery = stored.BytesPerDelivery,
                CompactStoredBytesPerDelivery = compact.BytesPerDelivery,
                Storage = stored,
                CompactStorage = compact,
                Cpu = costs.Cpu,
                WaitEvents = waits,
                Statements = top,
            };
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }

            await BenchPostgres.DropDatabaseAsync(server, database);
        }
    }

    /// <summary>
    /// The end-to-end load: event <c>index</c> posted to the intake of node <c>index mod N</c> with the internal key
    /// <paramref name="key"/>, for the integrators in turn, its document id the collector's.
    /// </summary>
    private static Func<DeliveryCollector, Load.Send> IntakeSender(List<Service> nodes, string key, List<Integrator> integrators, HttpClient http) =>
        collector => async (index, token) =>
        {
            using var request = Authorized(new HttpRequestMessage(HttpMethod.Post, new Uri(nodes[(int)(index % nodes.Count)].BaseAddress, IntakePath))
            {
                Content = EventBody(integrators[(int)(index % integrators.Count)].ClientId, collector.DocumentId(index)),
            }, "X-INTERNAL-KEY", key);
            using var response = await http.SendAsync(request, token);
            return response.StatusCode;
        };
}

/// <summary>The console rows of the capacity figures (docs/capacity.md) of the end-to-end runs.</summary>
internal static class CapacityRows
{
    public static IEnumerable<string[]> Of(EndToEndResult e2e)
    {
        yield return ["", "  written bytes (WAL + checkpoints) / stored bytes per delivery", $"{N(e2e.WalBytesPerDelivery)} / {N(e2e.StoredBytesPerDelivery)}", "", "", "", ""];
        yield return ["", "  cores: service / bench / machine busy", Cores(e2e.Cpu), "", "", "", ""];
        foreach (var pg in new[] { e2e.Postgres, e2e.Postgres?.MultiNode })
        {
            if (pg is null)
            {
                continue;
            }

            var on = pg.Nodes == 1 ? "on PostgreSQL" : $"on PostgreSQL, {pg.Nodes} nodes";
            if (pg.Nodes > 1)
            {
                yield return ["", $"  {on}: deliveries/s", N(pg.DeliveriesPerSecond), N(e2e.Baseline.DeliveriesPerSecond), R(pg.Ratio), "", ""];
                yield return ["", "    p50 / p99 ms, delivered / duplicates", $"{F(pg.P50Ms)} / {F(pg.P99Ms)}, {pg.Delivered:N0} / {pg.Duplicates:N0}", "", "", "", ""];
            }

            var target = pg.Nodes == 1 ? PostgresEndToEndResult.Target(pg) : null;
            yield return ["", $"    {on}: ÷ the SQLite run, deliveries/s", N(pg.DeliveriesPerSecond), N(e2e.DeliveriesPerSecond), R(pg.SqliteRatio),
                target is null ? "" : $"{target.Target.Replace(" with 0 intake errors", "x, 0 errors", StringComparison.Ordinal)}", target is null ? "" : target.Met ? "met" : "NOT MET"];
            yield return ["", "    intake errors (warm-up)", $"{pg.IntakeErrors:N0} {Statuses(pg.IntakeErrorStatuses)} ({pg.WarmupIntakeErrors:N0})", "", "", "", ""];
            yield return ["", "    CPU µs per delivery: service / database", $"{F(pg.CpuMicrosPerDelivery)} / {F(pg.DatabaseCpuMicrosPerDelivery)}", "", "", "", ""];
            yield return ["", "    WAL / stored / compact bytes per delivery", $"{N(pg.WalBytesPerDelivery)} / {N(pg.StoredBytesPerDelivery)} / {N(pg.CompactStoredBytesPerDelivery)}", "", "", "", ""];
            yield return ["", "    cores: service / database / bench / machine busy", Cores(pg.Cpu), "", "", "", ""];
            if (pg.WaitEvents is { Count: > 0 } waits)
            {
                yield return ["", "    backends (mean): " + string.Join(", ", waits.Take(4).Select(w => $"{w.Key} {w.Value:0.0}")), "", "", "", "", ""];
            }
        }
    }

    private static string Cores(CpuShare? cpu) => cpu is null
        ? "-"
        : string.Join(" / ", new[] { cpu.ServiceCores, cpu.DatabaseCores, cpu.BenchCores, cpu.MachineBusyCores }.Where((c, i) => i != 1 || c is not null).Select(F))
          + $" of {cpu.MachineCores}";

    private static string Statuses(IReadOnlyDictionary<string, long>? statuses) =>
        statuses is { Count: > 0 } ? "(" + string.Join(", ", statuses.Select(s => $"{s.Value:N0} × {s.Key}")) + ")" : "";

    private static string N(double? value) => value?.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) ?? "-";

    private static string F(double? value) => value?.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) ?? "-";

    private static string R(double? value) => value is { } v ? v.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) + "x" : "-";
}
