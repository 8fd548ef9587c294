namespace CleanWebhooks.Bench;

/// <summary>The targets, reported as met or not met by every run.</summary>
internal static class Targets
{
    public const double Read = 0.8;
    public const double Intake = 0.6;
    public const double EndToEnd = 0.5;
    /// <summary>At 3,000 events/s (issue 21; 2,000 in issue 13; it was p50 ≤ 10 ms and p99 ≤ 50 ms at 1,000 events/s).</summary>
    public const int LatencyRatePerSecond = 3_000;

    public const double LatencyP50Ms = 5;
    public const double LatencyP99Ms = 20;

    /// <summary>Peak working set of the 50,000-event run, and with the backlog (issue 13; it was 300 MB).</summary>
    public const double MemoryMb = 200;
    public const double IsolationP99Ms = 100;

    /// <summary>Intake against the HTTP ceiling (the same JSON bound, 202, no database): issue 13.</summary>
    public const double IntakeCeiling = 0.5;

    /// <summary>End to end against the bare forwarder (202, then posted from an in-memory queue): issue 13.</summary>
    public const double EndToEndForwarder = 0.5;

    /// <summary>Batch intake events/s against single-event intake events/s: issue 13.</summary>
    public const double BatchIntake = 4;

    /// <summary>A lone webhook's steady deliveries/s against its window's ceiling (MaxPerWebhook ÷ the receiver's 0.1 s): issue 18.</summary>
    public const double FlowLone = 0.8;

    /// <summary>End-to-end deliveries/s over 10,000 webhooks against the same run over 16: issue 22.</summary>
    public const double Tenants = 0.8;

    /// <summary>PostgreSQL end to end against the same run's SQLite end to end: issue 21.</summary>
    public const double PostgresSqliteRatio = 0.5;

    /// <summary>Intake p99 while the retention purge deletes a million ended deliveries ÷ intake p99 without it: issue 21.</summary>
    public const double RetentionP99Ratio = 2;
}

/// <summary>A load generator's figures for one target: rate over the measured time, failures, latency percentiles.</summary>
internal sealed record Throughput(
    double PerSecond, long Requests, long Errors, string? FirstError, double Seconds, double? P50Ms, double? P90Ms, double? P99Ms, double? MaxMs)
{
    /// <summary>Only for the intake baseline: the SQLite settings its inserts ran with.</summary>
    public BaselineServer.SqliteSettings? Sqlite { get; init; }

    public static Throughput Of(Recorder recorder)
    {
        var latency = recorder.Latency();
        return new Throughput(
            Math.Round(recorder.PerSecond, 1), recorder.Ok, recorder.Errors, recorder.FirstError, Math.Round(recorder.Elapsed.TotalSeconds, 2),
            R(latency.P50Ms), R(latency.P90Ms), R(latency.P99Ms), R(latency.MaxMs));
    }

    private static double? R(double? ms) => ms is { } v ? Math.Round(v, 3) : null;
}

internal sealed record ReadResult(
    double? Ratio, double RequestsPerSecond, double? P50Ms, double? P99Ms, Throughput Service, Throughput Baseline, double Target, bool Met);

/// <summary>
/// Scenario 2. <c>ratio</c> is against one durable insert per request (kept for continuity); <c>ceilingRatio</c> against
/// the HTTP ceiling, the bare endpoint that binds the same JSON and answers 202 without a database.
/// </summary>
internal sealed record IntakeResult(
    double? Ratio, double EventsPerSecond, double? P50Ms, double? P99Ms, Throughput Service, Throughput Baseline, int Clients, double Target, bool Met)
{
    public double? CeilingRatio { get; init; }

    public Throughput? Ceiling { get; init; }

    public double CeilingTarget { get; init; }

    public bool CeilingMet { get; init; }

    /// <summary>Written as the top-level <c>batchIntake</c>, not here.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public BatchIntakeResult? BatchIntake { get; init; }
}

/// <summary>Batch intake, measured in the same alternating slices as scenario 2: events/s (requests/s × batch size) ÷ single-event events/s.</summary>
internal sealed record BatchIntakeResult(double? Ratio, double EventsPerSecond, int BatchSize, Throughput Requests, double Target, bool Met);

/// <summary>
/// What one delivery of a measured end-to-end run cost, for the capacity model (docs/capacity.md): the service's CPU,
/// the bytes written for it (SQLite: the service's writes to storage; PostgreSQL: the cluster's WAL), the bytes stored
/// for it, and where the machine's CPU went meanwhile. How each engine's figure is read: bench/README.md.
/// </summary>
internal abstract record DeliveryCosts
{
    /// <summary>
    /// CPU time (user + system) of the service process (every node's, on PostgreSQL) over the measured run ÷ deliveries,
    /// in µs: intake, claim, send and record of one delivery. Barely moved by other load on the machine, unlike deliveries/s.
    /// </summary>
    public double? CpuMicrosPerDelivery { get; init; }

    /// <summary>
    /// Bytes written per delivery over the measured run. SQLite: what the service process caused to be written to storage
    /// (<c>write_bytes</c> less <c>cancelled_write_bytes</c> of <c>/proc/&lt;pid&gt;/io</c>), its WAL frames and the checkpoints
    /// that copy them into the database file. PostgreSQL: <c>pg_current_wal_lsn()</c> at the end minus at the start, the
    /// whole cluster's WAL.
    /// </summary>
    public double? WalBytesPerDelivery { get; init; }

    /// <summary>Events, deliveries and attempts with their indexes after the run ÷ delivery rows (<see cref="Storage"/>).</summary>
    public double? StoredBytesPerDelivery { get; init; }

    public StorageResult? Storage { get; init; }

    /// <summary>Where the CPU went during the measured run.</summary>
    public CpuShare? Cpu { get; init; }
}

internal sealed record DirectResult(double DeliveriesPerSecond, int Delivered, double Seconds, double? P50Ms, double? P99Ms, double? MaxMs);

internal sealed record EndToEndResult(
    double? Ratio,
    double DeliveriesPerSecond,
    int Events,
    int Delivered,
    int Duplicates,
    bool Complete,
    double Seconds,
    double? P50Ms,
    double? P99Ms,
    double? MaxMs,
    Throughput Intake,
    DirectResult Baseline,
    double Target,
    bool Met,
    long DeliveryRowsLeft) : DeliveryCosts
{
    /// <summary>Against the bare forwarder (<c>endToEnd.forwarderRatio</c>); <c>ratio</c> stays against plain HttpClient posts.</summary>
    public double? ForwarderRatio { get; init; }

    public DirectResult? Forwarder { get; init; }

    public double ForwarderTarget { get; init; }

    public bool ForwarderMet { get; init; }

    /// <summary>
    /// The same as <see cref="DeliveryCosts.CpuMicrosPerDelivery"/> for the bare forwarder's process over its run: what
    /// binding, answering and posting cost without a database.
    /// </summary>
    public double? ForwarderCpuMicrosPerDelivery { get; init; }

    /// <summary>The same run with the service on PostgreSQL (<c>endToEnd.postgres.deliveriesPerSecond</c>), when a server was given.</summary>
    public PostgresEndToEndResult? Postgres { get; init; }
}

/// <summary>End to end with the service on a fresh PostgreSQL database; the ratio is against the same run's direct baseline.</summary>
internal sealed record PostgresEndToEndResult(
    double? Ratio, double DeliveriesPerSecond, int Events, int Delivered, int Duplicates, bool Complete, double Seconds, double? P50Ms,
    double? P99Ms, Throughput Intake, string Server) : DeliveryCosts
{
    /// <summary>Service processes on the one database, the intake load split evenly between them.</summary>
    public int Nodes { get; init; } = 1;

    /// <summary>Deliveries/s ÷ the same run's SQLite end-to-end deliveries/s.</summary>
    public double? SqliteRatio { get; init; }

    /// <summary>Intake requests of the measured run not answered <c>202</c>; <see cref="IntakeErrorStatuses"/> by what they got.</summary>
    public long IntakeErrors { get; init; }

    public IReadOnlyDictionary<string, long>? IntakeErrorStatuses { get; init; }

    public long WarmupIntakeErrors { get; init; }

    /// <summary>CPU µs of the PostgreSQL cluster's processes per delivery over the measured run (<see cref="DatabaseProcesses"/>).</summary>
    public double? DatabaseCpuMicrosPerDelivery { get; init; }

    /// <summary>How the server's processes were found, or why their CPU is not measured.</summary>
    public string? DatabaseProcesses { get; init; }

    /// <summary>Stored bytes per delivery after <c>VACUUM FULL</c>: rows and indexes alone, no dead row versions.</summary>
    public double? CompactStoredBytesPerDelivery { get; init; }

    public StorageResult? CompactStorage { get; init; }

    /// <summary>The bench database's busy backends during the measured run: mean count per wait event (or state).</summary>
    public IReadOnlyDictionary<string, double>? WaitEvents { get; init; }

    /// <summary>The costliest statements of the measured run, when the server preloads <c>pg_stat_statements</c>.</summary>
    public IReadOnlyList<StatementCost>? Statements { get; init; }

    /// <summary>The same run with <c>--postgres-nodes</c> N &gt; 1 nodes on a database of its own.</summary>
    public PostgresEndToEndResult? MultiNode { get; init; }

    /// <summary>Issue 21: at least half the SQLite run's deliveries/s, every event delivered, no intake request refused.</summary>
    public static TargetResult Target(PostgresEndToEndResult? result) => new(
        "endToEnd.postgres.sqliteRatio", $">= {Targets.PostgresSqliteRatio} with 0 intake errors",
        result is null ? null : FormattableString.Invariant($"{result.SqliteRatio:0.00}, {result.IntakeErrors} errors"),
        result is { Complete: true, IntakeErrors: 0, SqliteRatio: >= Targets.PostgresSqliteRatio });
}

internal sealed record LatencyResult(
    int RatePerSecond,
    double Seconds,
    int Events,
    long Accepted,
    int Delivered,
    int Duplicates,
    double AchievedRatePerSecond,
    double? P50Ms,
    double? P90Ms,
    double? P99Ms,
    double? MaxMs,
    Throughput Intake,
    double TargetP50Ms,
    double TargetP99Ms,
    bool Met);

internal sealed record MemoryResult(
    double PeakWorkingSetMb, double SampledPeakRssMb, int Events, string Source, double TargetMb, bool Met, string? Note);

internal sealed record MachineInfo(int Cores, double MemoryMb, string? Cpu, string Os, string Dotnet, string Architecture);

internal sealed record SettingsInfo(
    int Concurrency, double WarmupSeconds, double SliceSeconds, int Rounds, int Events, int WarmupEvents, int PacedRatePerSecond,
    double PacedSeconds, int Clients, IReadOnlyList<string> Scenarios, bool Purge, int EndToEndBatch);

internal sealed record TargetResult(string Name, string Target, string? Actual, bool Met);

/// <summary>bench/results/latest.json: nested objects, so <c>read.ratio</c> is <c>.read.ratio</c> to jq.</summary>
internal sealed record Report(
    int SchemaVersion,
    DateTimeOffset StartedAt,
    double DurationSeconds,
    bool Quick,
    string? Commit,
    bool? Dirty,
    MachineInfo Machine,
    SettingsInfo Settings,
    ReadResult? Read,
    IntakeResult? Intake,
    BatchIntakeResult? BatchIntake,
    EndToEndResult? EndToEnd,
    LatencyResult? Latency,
    MemoryResult? Memory,
    IsolationResult? Isolation,
    BacklogResult? Backlog,
    IReadOnlyList<TargetResult> Targets,
    IReadOnlyList<string> Failures)
{
    /// <summary>Scenario 7 (<see cref="CleanWebhooks.Bench.Recover"/>).</summary>
    public RecoverResult? Recover { get; init; }

    /// <summary>Scenario 8 (<see cref="CleanWebhooks.Bench.Flow"/>).</summary>
    public FlowResult? Flow { get; init; }

    /// <summary>Scenario 9 (<see cref="CleanWebhooks.Bench.Tenants"/>).</summary>
    public TenantsResult? Tenants { get; init; }

    /// <summary>Scenario 10 (<see cref="Scenarios.RetentionAsync"/>).</summary>
    public RetentionResult? Retention { get; init; }

    /// <summary>Each wait, after a warm-up, for the processes of the next measured phase to be idle (<see cref="Idle"/>).</summary>
    public IReadOnlyList<IdleWait> Settles { get; init; } = [];
}
