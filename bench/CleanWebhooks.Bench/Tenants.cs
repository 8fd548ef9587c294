using System.Globalization;
using System.Net;
using static CleanWebhooks.Bench.Table;

namespace CleanWebhooks.Bench;

/// <summary>One side of the pair: the end-to-end run over this many webhooks, summed over its rounds.</summary>
internal sealed record TenantsSide(
    int Webhooks,
    double DeliveriesPerSecond,
    int Events,
    int Delivered,
    int Duplicates,
    bool Complete,
    double Seconds,
    IReadOnlyList<double> RoundsPerSecond,
    double? P50Ms,
    double? P99Ms,
    double? CpuMicrosPerDelivery,
    double? PeakWorkingSetMb);

/// <summary>The pair on one database: the many webhooks' deliveries/s ÷ the few's, and how long creating the many took.</summary>
internal sealed record TenantsPair(double? Ratio, TenantsSide Few, TenantsSide Many, double SetupSeconds, double SetupWebhooksPerSecond, string Database);

internal sealed record TenantsResult(
    double? Ratio,
    double DeliveriesPerSecond,
    int Webhooks,
    int Events,
    int Rounds,
    int WarmupEvents,
    TenantsSide Few,
    TenantsSide Many,
    double SetupSeconds,
    double SetupWebhooksPerSecond,
    double? PeakWorkingSetMb,
    BacklogResult? Backlog,
    double? SetupPeakMb,
    TenantsPair? Postgres,
    double Target,
    bool Met,
    double TargetMb,
    bool MemoryMet)
{
    /// <summary>The rows of the targets list.</summary>
    public static IEnumerable<TargetResult> TargetsOf(TenantsResult? result, BenchOptions options)
    {
        var many = result?.Webhooks ?? options.TenantWebhooks;
        yield return new("tenants.ratio", $">= {Targets.Tenants} (deliveries/s over {many:N0} webhooks ÷ over {options.Clients})",
            result?.Ratio?.ToString("0.00", CultureInfo.InvariantCulture), result?.Met ?? false);
        yield return new("tenants.peakWorkingSetMb", $"<= {Targets.MemoryMb} with {many:N0} webhooks and {result?.Backlog?.PendingDeliveries ?? 0:N0} pending",
            result?.PeakWorkingSetMb?.ToString("0", CultureInfo.InvariantCulture), result?.MemoryMet ?? false);
        if (result?.Postgres is { } pg)
        {
            yield return new("tenants.postgres.ratio", $">= {Targets.Tenants} on PostgreSQL", pg.Ratio?.ToString("0.00", CultureInfo.InvariantCulture),
                pg.Ratio >= Targets.Tenants && pg.Few.Complete && pg.Many.Complete);
        }
    }

    /// <summary>The scenario's rows of the console table.</summary>
    public IEnumerable<string[]> Rows()
    {
        yield return ["tenants", $"{Events:N0} events x {Rounds} over {Webhooks:N0} webhooks (over {Few.Webhooks}), deliveries/s", N(Many.DeliveriesPerSecond),
            N(Few.DeliveriesPerSecond), R(Ratio), $">= {Target:0.0#}x", Met ? "met" : "NOT MET"];
        yield return ["", "  event->receiver p50 / p99 ms", $"{F(Many.P50Ms)} / {F(Many.P99Ms)}", $"{F(Few.P50Ms)} / {F(Few.P99Ms)}", "", "", ""];
        yield return ["", "  CPU µs per delivery", F(Many.CpuMicrosPerDelivery), F(Few.CpuMicrosPerDelivery), "", "", ""];
        yield return ["", "  peak working set MB of each service after its runs", F(Many.PeakWorkingSetMb), F(Few.PeakWorkingSetMb), "", "", ""];
        yield return ["", "  setup: s (webhooks/s)", $"{SetupSeconds:0.0} ({N(SetupWebhooksPerSecond)})", "", "", "", ""];
        yield return ["", $"  {Webhooks:N0} webhooks, receivers down, {Backlog?.PendingDeliveries ?? 0:N0} pending: peak working set MB",
            F(PeakWorkingSetMb), "", "", $"<= {TargetMb:0}", MemoryMet ? "met" : "NOT MET"];
        if (Backlog is { } backlog)
        {
            yield return ["", "    resident MB at each quarter of the intake", string.Join(" / ", backlog.Steps.Select(s => N(s.RssMb))), "", "", "", ""];
            yield return ["", "    peak MB of the service that created them (restarted before)", F(SetupPeakMb), "", "", "", ""];
        }

        if (Postgres is { } pg)
        {
            yield return ["", "  on PostgreSQL, deliveries/s", N(pg.Many.DeliveriesPerSecond), N(pg.Few.DeliveriesPerSecond), R(pg.Ratio), $">= {Target:0.0#}x",
                pg.Ratio >= Target ? "met" : "NOT MET"];
            yield return ["", "    setup: s (webhooks/s)", $"{pg.SetupSeconds:0.0} ({N(pg.SetupWebhooksPerSecond)})", "", "", "", ""];
        }
    }
}

/// <summary>
/// 9. Many integrators (issue 22): the end-to-end run (<c>--events</c>, after <c>--warmup-events</c>) with its
/// events spread over 10,000 webhooks (<c>--webhooks</c>), each of its own client, all created through the real
/// internal and integrator APIs, beside the same run over the usual 16, each on a service and a database of its own.
/// The two are measured in turn, two rounds in ABBA order (16 first, then 10,000; then 10,000 first), so that a drift
/// in the machine's load falls on both alike; <c>tenants.ratio</c> is the many's deliveries/s ÷ the few's, summed
/// over the rounds. Then, as the backlog scenario does, a service whose 10,000 webhooks point at a port where nothing
/// listens (started again after creating them) takes the backlog's events (<c>--backlog</c>) spread over them:
/// <c>tenants.peakWorkingSetMb</c>.
/// With <c>--postgres</c>, the pair runs again on PostgreSQL (<c>tenants.postgres.ratio</c>).
/// </summary>
internal static class Tenants
{
    private const int Rounds = 2;

    public static async Task<TenantsResult> RunAsync(BenchContext context)
    {
        var options = context.Options;
        var sqlite = await PairAsync(context, postgres: null);
        var (backlog, setupPeak) = await BacklogAsync(context);
        var postgres = options.Postgres is { } server ? await PairAsync(context, server) : null;
        var met = sqlite.Ratio >= Targets.Tenants && sqlite.Few.Complete && sqlite.Many.Complete;
        return new TenantsResult(
            sqlite.Ratio, sqlite.Many.DeliveriesPerSecond, sqlite.Many.Webhooks, options.Events, Rounds, options.WarmupEvents, sqlite.Few, sqlite.Many,
            sqlite.SetupSeconds, sqlite.SetupWebhooksPerSecond, backlog.PeakWorkingSetMb, backlog, setupPeak, postgres, Targets.Tenants, met, Targets.MemoryMb,
            backlog.Met);
    }

    /// <summary>
    /// The backlog scenario over the many webhooks, every receiver down. The service that created them is started
    /// again on the same file before the backlog, so that its peak is that of a service with 10,000 webhooks, not of
    /// the 20,000 API calls that created them (JIT'd code and heap they leave behind: <c>setupPeakMb</c>).
    /// </summary>
    private static async Task<(BacklogResult Backlog, double? SetupPeakMb)> BacklogAsync(BenchContext context)
    {
        var ct = context.CancellationToken;
        var folder = context.FolderFor("tenants-backlog");
        var down = $"http://127.0.0.1:{ChildProcess.FreePort().ToString(CultureInfo.InvariantCulture)}/hook/:id";
        List<Integrator> integrators;
        double? setupPeak;
        await using (var creating = await Service.StartAsync(context.ApiDll, folder, dispatcher: true, ct))
        {
            integrators = await creating.CreateIntegratorsAsync(context.Options.TenantWebhooks, _ => down, "tenants backlog", ct);
            setupPeak = creating.Process.MemoryMb("VmHWM");
        }

        await using var service = await Service.StartAsync(context.ApiDll, folder, dispatcher: true, ct);
        return (await Backlog.FillAsync(context, service, [.. integrators.Select(i => i.ClientId)], "tenants backlog"),
            setupPeak is { } p ? Math.Round(p, 1) : null);
    }

    /// <summary>
    /// The few and the many on services of their own (on SQLite files, or on fresh databases of <paramref name="postgres"/>,
    /// dropped after), measured in turn.
    /// </summary>
    private static async Task<TenantsPair> PairAsync(BenchContext context, string? postgres)
    {
        var ct = context.CancellationToken;
        var options = context.Options;
        var engine = postgres is null ? "sqlite" : "postgres";
        var fewDatabase = postgres is null ? null : await BenchPostgres.CreateDatabaseAsync(postgres, ct);
        var manyDatabase = postgres is null ? null : await BenchPostgres.CreateDatabaseAsync(postgres, ct);
        try
        {
            await using var manyReceiver = await Receiver.StartAsync();
            await using var few = await Service.StartAsync(context.ApiDll, context.FolderFor($"tenants-{engine}-few"), dispatcher: true, ct, postgres: fewDatabase);
            await using var many = await Service.StartAsync(context.ApiDll, context.FolderFor($"tenants-{engine}-many"), dispatcher: true, ct, postgres: manyDatabase);
            var fewIntegrators = await few.CreateIntegratorsAsync(options.Clients, _ => context.Receiver.HookUrl, $"tenants {engine} few", ct);
            var setup = System.Diagnostics.Stopwatch.GetTimestamp();
            var manyIntegrators = await many.CreateIntegratorsAsync(options.TenantWebhooks, _ => manyReceiver.HookUrl, $"tenants {engine} many", ct);
            var setupSeconds = System.Diagnostics.Stopwatch.GetElapsedTime(setup).TotalSeconds;
            Progress.Line($"  tenants: {options.TenantWebhooks:N0} clients and webhooks created in {setupSeconds:0.0} s");

            using var http = Load.CreateClient(options.Concurrency);
            var sides = new[]
            {
                new Side($"{engine} {options.Clients}", few, context.Receiver, Scenarios.IntakeSender(few, fewIntegrators, http), options.Clients),
                new Side($"{engine} {options.TenantWebhooks:N0}", many, manyReceiver, Scenarios.IntakeSender(many, manyIntegrators, http), options.TenantWebhooks),
            };
            foreach (var side in sides)
            {
                await Scenarios.DeliverAsync(context, $"tenants: {side.Name} warm-up", side.Receiver.Expect($"tenants-warmup-{side.Webhooks}", options.WarmupEvents),
                    side.Intake, HttpStatusCode.Accepted, TimeSpan.FromSeconds(120));
            }

            await Scenarios.SettleAsync(
                context, $"tenants ({engine})", CpuSource.Of(few.Process, $"service ({options.Clients} webhooks)"),
                CpuSource.Of(many.Process, $"service ({options.TenantWebhooks:N0} webhooks)"));

            var timeout = TimeSpan.FromSeconds(30) + (options.Events * TimeSpan.FromMilliseconds(5));
            for (var round = 0; round < Rounds; round++)
            {
                foreach (var side in round % 2 == 0 ? sides : [sides[1], sides[0]])
                {
                    await side.RunAsync(context, round, timeout);
                }
            }

            var (fewFigures, manyFigures) = (sides[0].Figures(options.Events), sides[1].Figures(options.Events));
            var ratio = Scenarios.Ratio(manyFigures.DeliveriesPerSecond, fewFigures.DeliveriesPerSecond);
            Progress.Line($"  tenants ({engine}): {manyFigures.DeliveriesPerSecond:N0} deliveries/s over {options.TenantWebhooks:N0} webhooks, " +
                $"{fewFigures.DeliveriesPerSecond:N0} over {options.Clients}: {ratio:0.00}");
            var database = postgres is null ? "SQLite" : $"PostgreSQL {new Npgsql.NpgsqlConnectionStringBuilder(postgres).Host}";
            return new TenantsPair(ratio, fewFigures, manyFigures, Scenarios.Round(setupSeconds),
                Math.Round(setupSeconds > 0 ? options.TenantWebhooks / setupSeconds : 0, 1), database);
        }
        finally
        {
            foreach (var database in new[] { fewDatabase, manyDatabase })
            {
                if (database is not null)
                {
                    await BenchPostgres.DropDatabaseAsync(postgres!, database);
                }
            }
        }
    }

    /// <summary>One service of the pair and what its rounds measured.</summary>
    private sealed class Side(string name, Service service, Receiver receiver, Func<DeliveryCollector, Load.Send> intake, int webhooks)
    {
        private readonly List<double> _latencies = [];
        private readonly List<double> _rounds = [];
        private double _seconds;
        private int _delivered;
        private int _duplicates;
        private double _cpuSeconds;
        private bool _cpuKnown = true;

        public string Name { get; } = name;

        public Receiver Receiver { get; } = receiver;

        public Func<DeliveryCollector, Load.Send> Intake { get; } = intake;

        public int Webhooks { get; } = webhooks;

        public async Task RunAsync(BenchContext context, int round, TimeSpan timeout)
        {
            var collector = Receiver.Expect($"tenants-{Webhooks}-{round}", context.Options.Events);
            var cpu = service.Process.CpuSeconds();
            var (seconds, _) = await Scenarios.DeliverAsync(context, $"tenants: {Name} webhooks, round {round + 1}", collector, Intake,
                HttpStatusCode.Accepted, timeout);
            var used = service.Process.CpuSeconds() - cpu;
            _cpuKnown &= used is not null;
            _cpuSeconds += used ?? 0;
            _seconds += seconds;
            _delivered += collector.Distinct;
            _duplicates += collector.Duplicates;
            _rounds.Add(Math.Round(seconds > 0 ? collector.Distinct / seconds : 0, 1));
            _latencies.AddRange(collector.Latencies());
        }

        public TenantsSide Figures(int events)
        {
            var latency = LatencySummary.Of([.. _latencies]);
            return new TenantsSide(
                Webhooks, Math.Round(_seconds > 0 ? _delivered / _seconds : 0, 1), events * _rounds.Count, _delivered, _duplicates,
                _delivered == events * _rounds.Count, Scenarios.Round(_seconds), _rounds, Scenarios.Ms(latency.P50Ms), Scenarios.Ms(latency.P99Ms),
                _cpuKnown ? Scenarios.CpuMicrosPer(0, _cpuSeconds, _delivered) : null,
                service.Process.MemoryMb("VmHWM") is { } peak ? Math.Round(peak, 1) : null);
        }
    }
}
