using System.Diagnostics;

namespace CleanWebhooks.Bench;

/// <summary>
/// Where the machine's CPU went over a measured run, in cores (CPU seconds ÷ wall seconds): the service's processes,
/// the database server's (PostgreSQL only: SQLite runs inside the service), the bench itself (load generator and
/// receiver), and the whole machine busy (<c>/proc/stat</c>, everything that ran, other people's work included) out
/// of <c>machineCores</c>. A machine busy near all its cores is bound by CPU; one with cores to spare waits on something.
/// </summary>
internal sealed record CpuShare(double Seconds, double? ServiceCores, double? DatabaseCores, double BenchCores, double? MachineBusyCores, int MachineCores);

/// <summary>A run's costs per delivery and the CPU share behind them.</summary>
internal sealed record RunCosts(double? CpuMicrosPerDelivery, double? DatabaseCpuMicrosPerDelivery, double? WrittenBytesPerDelivery, CpuShare Cpu);

/// <summary>Readings of CPU and written bytes at the start of a run, to be differenced at its end (<see cref="Stop"/>).</summary>
internal sealed class RunMeter
{
    private readonly IReadOnlyList<ChildProcess> _services;
    private readonly PostgresMeter? _database;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly double? _serviceCpu;
    private readonly double? _databaseCpu;
    private readonly long? _written;
    private readonly TimeSpan _benchCpu;
    private readonly (long Busy, long Total)? _machine;

    private RunMeter(IReadOnlyList<ChildProcess> services, PostgresMeter? database)
    {
        _services = services;
        _database = database;
        _serviceCpu = Sum(services.Select(s => s.CpuSeconds()));
        _databaseCpu = database?.CpuSeconds();
        _written = Sum(services.Select(s => ProcFs.WrittenBytes(s.Id)));
        _benchCpu = Process.GetCurrentProcess().TotalProcessorTime;
        _machine = ProcFs.MachineTicks();
    }

    public static RunMeter Start(IReadOnlyList<ChildProcess> services, PostgresMeter? database = null) => new(services, database);

    /// <summary>The costs since the start, per delivery of <paramref name="deliveries"/>.</summary>
    public RunCosts Stop(int deliveries)
    {
        var seconds = Stopwatch.GetElapsedTime(_started).TotalSeconds;
        var service = Sum(_services.Select(s => s.CpuSeconds())) - _serviceCpu;
        var database = _database?.CpuSeconds() - _databaseCpu;
        var written = Sum(_services.Select(s => ProcFs.WrittenBytes(s.Id))) - _written;
        var bench = (Process.GetCurrentProcess().TotalProcessorTime - _benchCpu).TotalSeconds;
        double? machine = ProcFs.MachineTicks() is { } end && _machine is { } start && end.Total > start.Total
            ? (end.Busy - start.Busy) / (double)(end.Total - start.Total) * Environment.ProcessorCount
            : null;

        double? Per(double? total, double scale) => total is { } t && deliveries > 0 ? Math.Round(t * scale / deliveries, 1) : null;
        double? Cores(double? cpu) => cpu is { } c && seconds > 0 ? Math.Round(c / seconds, 2) : null;
        return new RunCosts(
            Per(service, 1_000_000), Per(database, 1_000_000), Per(written, 1),
            new CpuShare(Math.Round(seconds, 2), Cores(service), Cores(database), Cores(bench) ?? 0, machine is { } m ? Math.Round(m, 2) : null,
                Environment.ProcessorCount));
    }

    private static double? Sum(IEnumerable<double?> values) => values.Aggregate((double?)0, (sum, v) => sum + v);

    private static long? Sum(IEnumerable<long?> values) => values.Aggregate((long?)0, (sum, v) => sum + v);
}
