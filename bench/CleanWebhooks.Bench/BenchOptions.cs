using System.Globalization;

namespace CleanWebhooks.Bench;

/// <summary>The command line of a bench run; <c>--quick</c> shortens every phase.</summary>
internal sealed record BenchOptions
{
    public bool Quick { get; init; }

    /// <summary>Concurrent connections of every load generator (the 64).</summary>
    public int Concurrency { get; init; } = 64;

    /// <summary>Unmeasured load sent to each target before its measurement.</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Service and baseline are measured in alternating slices, so that noise from elsewhere hits both alike.</summary>
    public TimeSpan Slice { get; init; } = TimeSpan.FromSeconds(3);

    public int Rounds { get; init; } = 5;

    /// <summary>Events of the end-to-end scenario.</summary>
    public int Events { get; init; } = 50_000;

    /// <summary>Events/s of the paced latency run (issue 21: 3,000, for p50 ≤ 5 ms and p99 ≤ 20 ms; 2,000 in issue 13).</summary>
    public int PacedRate { get; init; } = Targets.LatencyRatePerSecond;

    /// <summary>Events taken in (all pending, the receiver down) by the backlog scenario.</summary>
    public int BacklogEvents { get; init; } = 200_000;

    public TimeSpan PacedDuration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Events sent (and delivered) before a delivery measurement, so that it does not time the JIT: the tier-up of a
    /// freshly started process was still about a fifth of the service's CPU 500 events in, and under a tenth
    /// 10,000 in (perf profiles in bench/README.md).
    /// </summary>
    public int WarmupEvents { get; init; } = 10_000;

    /// <summary>Events per request of the batch intake load (<c>--batch-size</c>).</summary>
    public int BatchSize { get; init; } = 100;

    /// <summary>
    /// Events per intake request of the end-to-end run on SQLite (<c>--end-to-end-batch</c>): 1 posts each event
    /// alone; more posts them in batch requests at the same concurrency, after a warm-up of batch requests too, so the
    /// run measures deliveries while a flood is taken in. The PostgreSQL runs keep one event per request.
    /// </summary>
    public int EndToEndBatch { get; init; } = 1;

    /// <summary>Clients (each with one webhook) that the intake load is spread over.</summary>
    public int Clients { get; init; } = 16;

    /// <summary>Clients (each with one webhook) that the tenants scenario spreads the same load over (issue 22).</summary>
    public int TenantWebhooks { get; init; } = 10_000;

    public string? ApiPath { get; init; }

    /// <summary>
    /// A PostgreSQL server (Npgsql connection string of a user who may create databases) on which the end-to-end
    /// scenario runs a second time; from <c>--postgres</c> or <c>CLEANWEBHOOKS_BENCH_POSTGRES</c>.
    /// </summary>
    public string? Postgres { get; init; } =
        Environment.GetEnvironmentVariable("CLEANWEBHOOKS_BENCH_POSTGRES") is { Length: > 0 } server ? server : null;

    /// <summary>With more than one (<c>--postgres-nodes N</c>), the PostgreSQL end-to-end run is made again with N service processes on one database.</summary>
    public int PostgresNodes { get; init; } = 1;

    /// <summary>Ended deliveries the retention scenario purges while intake runs (<c>--retention-deliveries</c>).</summary>
    public int RetentionDeliveries { get; init; } = 1_000_000;

    public string? OutputPath { get; init; }

    public bool KeepFiles { get; init; }

    /// <summary>
    /// Retention purges run during the end-to-end and latency runs (<c>--purge</c>): a 5 s period and a purge every
    /// 2 s, so that every delivery ended more than 5 s ago is deleted while intake and delivery go on.
    /// </summary>
    public bool Purge { get; init; }

    public static readonly TimeSpan PurgePeriod = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan PurgeInterval = TimeSpan.FromSeconds(2);

    public bool Help { get; init; }

    public static readonly IReadOnlyList<string> AllScenarios = ["read", "intake", "end-to-end", "latency", "isolation", "backlog", "recover", "flow", "tenants", "retention"];

    /// <summary>The scenarios to run (<c>--only</c>), all by default.</summary>
    public IReadOnlyList<string> Scenarios { get; init; } = AllScenarios;

    public bool Runs(string scenario) => Scenarios.Contains(scenario, StringComparer.Ordinal);

    public const string Usage =
        """
        CleanWebhooks.Bench: the service against same-run baselines (see bench/README.md).

          dotnet run -c Release --project bench/CleanWebhooks.Bench -- [options]

          --quick             short phases and 5,000 events (under a minute); noisier figures
          --events N          events of the end-to-end scenario (default 50,000; 5,000 with --quick)
          --concurrency N     connections of each load generator (default 64)
          --paced-seconds N   length of the paced latency run (default 10; 3 with --quick)
          --paced-rate N      events/s of the paced latency run (default 3,000, the target's rate)
          --warmup-events N   events delivered before each delivery measurement (default 10,000; 200 with --quick)
          --backlog N         pending deliveries of the backlog scenario (default 200,000; 20,000 with --quick)
          --batch-size N      events per request of the batch intake load (default 100, at most 1,000)
          --end-to-end-batch N  the SQLite end-to-end run's events in batch requests of N (default 1: one per request)
          --webhooks N        webhooks the tenants scenario spreads its events over (default 10,000; 2,000 with --quick)
          --api PATH          CleanWebhooks.Api.dll to run (default: src/Api/bin/<configuration>/net10.0)
          --postgres CONN     also run end-to-end on this PostgreSQL server (default: $CLEANWEBHOOKS_BENCH_POSTGRES)
          --postgres-nodes N  and again with N service processes on one database of it (default 1: not again)
          --retention-deliveries N  ended deliveries the retention scenario purges (default 1,000,000; 100,000 with --quick)
          --out PATH          the JSON results (default: bench/results/latest.json)
          --only LIST         some of: read,intake,end-to-end,latency,isolation,backlog,recover,flow,tenants,retention (comma-separated; default all)
          --keep              keep the temporary databases and service logs
          --purge             run retention purges (5 s period, every 2 s) during end-to-end and latency
        """;

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var quick = args.Contains("--quick", StringComparer.Ordinal);
        var options = quick
            ? new BenchOptions
            {
                Quick = true,
                Warmup = TimeSpan.FromSeconds(0.5),
                Slice = TimeSpan.FromSeconds(1),
                Rounds = 2,
                Events = 5_000,
                PacedDuration = TimeSpan.FromSeconds(3),
                WarmupEvents = 200,
                BacklogEvents = 20_000,
                TenantWebhooks = 2_000,
                RetentionDeliveries = 100_000,
            }
            : new BenchOptions();

        for (var i = 0; i < args.Count; i++)
        {
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int NextInt(int min) =>
                int.TryParse(Next(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min
                    ? value
                    : throw new ArgumentException($"{args[i - 1]} needs a whole number of at least {min}.");

            options = args[i] switch
            {
                "--quick" => options,
                "--events" => options with { Events = NextInt(100) },
                "--concurrency" => options with { Concurrency = NextInt(1) },
                "--paced-seconds" => options with { PacedDuration = TimeSpan.FromSeconds(NextInt(1)) },
                "--paced-rate" => options with { PacedRate = NextInt(1) },
                "--backlog" => options with { BacklogEvents = NextInt(1000) },
                "--warmup-events" => options with { WarmupEvents = NextInt(1) },
                "--batch-size" => options with { BatchSize = Math.Min(1000, NextInt(1)) },
                "--end-to-end-batch" => options with { EndToEndBatch = Math.Min(1000, NextInt(1)) },
                "--webhooks" => options with { TenantWebhooks = NextInt(1) },
                "--api" => options with { ApiPath = Path.GetFullPath(Next()) },
                "--postgres" => options with { Postgres = Next() },
                "--postgres-nodes" => options with { PostgresNodes = NextInt(1) },
                "--retention-deliveries" => options with { RetentionDeliveries = NextInt(1000) },
                "--out" => options with { OutputPath = Path.GetFullPath(Next()) },
                "--keep" => options with { KeepFiles = true },
                "--purge" => options with { Purge = true },
                "--only" => options with { Scenarios = ParseScenarios(Next()) },
                "--help" or "-h" => options with { Help = true },
                _ => throw new ArgumentException($"Unknown option {args[i]}."),
            };
        }

        return options;
    }

    private static string[] ParseScenarios(string list)
    {
        var names = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = names.Where(n => !AllScenarios.Contains(n, StringComparer.Ordinal)).ToList();
        return unknown.Count == 0 && names.Length > 0
            ? names
            : throw new ArgumentException($"--only takes some of {string.Join(',', AllScenarios)}; unknown: {string.Join(',', unknown)}");
    }
}
