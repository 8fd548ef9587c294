using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CleanWebhooks.Bench;

/// <summary>Runs the scenarios in order, then prints the table and writes the JSON results.</summary>
internal static class BenchRunner
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static async Task<int> RunAsync(string[] args)
    {
        BenchOptions options;
        try
        {
            options = BenchOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync(e.Message + Environment.NewLine + BenchOptions.Usage);
            return 2;
        }

        if (options.Help)
        {
            Console.WriteLine(BenchOptions.Usage);
            return 0;
        }

        var root = RepositoryRoot();
        var apiDll = options.ApiPath ?? DefaultApiPath(root);
        if (!File.Exists(apiDll))
        {
            await Console.Error.WriteLineAsync($"The service is not built at {apiDll}: build it (dotnet build -c Release) or pass --api.");
            return 2;
        }

        var output = options.OutputPath ?? Path.Combine(root, "bench", "results", "latest.json");
        var folder = Path.Combine(Path.GetTempPath(), "cleanwebhooks-bench", $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}");
        Directory.CreateDirectory(folder);

        // Every phase is bounded on its own; this is the last resort, and Ctrl+C ends the run the same way.
        using var cancellation = new CancellationTokenSource(options.Quick ? TimeSpan.FromMinutes(5) : TimeSpan.FromMinutes(40));
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };

        var startedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var machine = Machine();
        var (commit, dirty) = await GitAsync(root);
        Console.WriteLine($"CleanWebhooks bench{(options.Quick ? " (--quick)" : "")}: commit {commit?[..Math.Min(12, commit.Length)] ?? "?"}{(dirty == true ? " (dirty)" : "")}, " +
            $"{machine.Cores} cores, {machine.MemoryMb / 1024:0.#} GiB, {machine.Dotnet}");
        Console.WriteLine($"  service: {apiDll}");
        if (options.Purge)
        {
            Console.WriteLine($"  retention purges during end-to-end and latency: period {BenchOptions.PurgePeriod}, every {BenchOptions.PurgeInterval}");
        }

        Console.WriteLine($"  temporary files: {folder}");

        var failures = new List<string>();
        ReadResult? read = null;
        IntakeResult? intake = null;
        EndToEndResult? endToEnd = null;
        MemoryResult? memory = null;
        LatencyResult? latency = null;
        IsolationResult? isolation = null;
        BacklogResult? backlog = null;
        RecoverResult? recover = null;
        FlowResult? flow = null;
        TenantsResult? tenants = null;
        RetentionResult? retention = null;
        IReadOnlyList<IdleWait> settles;
        await using (var receiver = await Receiver.StartAsync())
        {
            var context = new BenchContext(options, apiDll, folder, receiver, cancellation.Token);
            if (options.Runs("read") || options.Runs("intake"))
            {
                await AttemptAsync("read and intake", () => Scenarios.RequestsAsync(context, r => read = r, i => intake = i), failures, folder);
            }

            if (options.Runs("end-to-end") || options.Runs("latency"))
            {
                await AttemptAsync(
                    "end-to-end and latency", () => Scenarios.DeliveriesAsync(context, e => endToEnd = e, m => memory = m, l => latency = l), failures, folder);
            }

            if (options.Runs("isolation"))
            {
                await AttemptAsync("isolation", async () => isolation = await Isolation.RunAsync(context), failures, folder);
            }

            if (options.Runs("backlog"))
            {
                await AttemptAsync("backlog", async () => backlog = await Backlog.RunAsync(context), failures, folder);
            }

            if (options.Runs("recover"))
            {
                await AttemptAsync("recover", async () => recover = await Recover.RunAsync(context), failures, folder);
            }

            if (options.Runs("flow"))
            {
                await AttemptAsync("flow", async () => flow = await Flow.RunAsync(context), failures, folder);
            }

            if (options.Runs("tenants"))
            {
                await AttemptAsync("tenants", async () => tenants = await Tenants.RunAsync(context), failures, folder);
            }

            if (options.Runs("retention"))
            {
                await AttemptAsync("retention", async () => retention = await Scenarios.RetentionAsync(context), failures, folder);
            }

            settles = [.. context.Settles];
        }

        var report = new Report(
            1, startedAt, Math.Round(clock.Elapsed.TotalSeconds, 1), options.Quick, commit, dirty, machine,
            new SettingsInfo(options.Concurrency, options.Warmup.TotalSeconds, options.Slice.TotalSeconds, options.Rounds, options.Events,
                options.WarmupEvents, options.PacedRate, options.PacedDuration.TotalSeconds, options.Clients, options.Scenarios, options.Purge,
                options.EndToEndBatch),
            read, intake, intake?.BatchIntake, endToEnd, latency, memory, isolation, backlog,
            [.. TargetsOf(read, intake, endToEnd, latency, memory, isolation, backlog), RecoverResult.Target(recover), FlowResult.TargetOf(flow),
                .. TenantsResult.TargetsOf(tenants, options), RetentionResult.Target(retention), PostgresEndToEndResult.Target(endToEnd?.Postgres)], failures)
        {
            Recover = recover,
            Flow = flow,
            Tenants = tenants,
            Retention = retention,
            Settles = settles,
        };

        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        await File.WriteAllTextAsync(output, JsonSerializer.Serialize(report, Json) + Environment.NewLine);
        Table.Print(report);
        Console.WriteLine($"Results: {output}");

        if (!options.KeepFiles && failures.Count == 0)
        {
            TryDelete(folder);
        }
        else
        {
            Console.WriteLine($"Temporary files and service logs kept in {folder}");
        }

        return failures.Count == 0 ? 0 : 1;
    }

    private static async Task AttemptAsync(string scenario, Func<Task> run, List<string> failures, string folder)
    {
        Progress.Line($"[{scenario}]");
        try
        {
            await run();
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or TimeoutException or IOException or OperationCanceledException)
        {
            failures.Add($"{scenario}: {e.Message}");
            Progress.Line($"  {scenario} failed: {e.Message}");
            Progress.Line($"  (logs under {folder})");
        }
    }

    private static List<TargetResult> TargetsOf(
        ReadResult? read, IntakeResult? intake, EndToEndResult? endToEnd, LatencyResult? latency, MemoryResult? memory, IsolationResult? isolation,
        BacklogResult? backlog)
    {
        static string? F(double? value, string format) => value?.ToString(format, CultureInfo.InvariantCulture);
        return
        [
            new("read.ratio", $">= {Targets.Read}", F(read?.Ratio, "0.00"), read?.Met ?? false),
            new("intake.ratio", $">= {Targets.Intake}", F(intake?.Ratio, "0.00"), intake?.Met ?? false),
            new("intake.ceilingRatio", $">= {Targets.IntakeCeiling}", F(intake?.CeilingRatio, "0.00"), intake?.CeilingMet ?? false),
            new("batchIntake.ratio", $">= {Targets.BatchIntake}", F(intake?.BatchIntake?.Ratio, "0.00"), intake?.BatchIntake?.Met ?? false),
            new("endToEnd.ratio", $">= {Targets.EndToEnd}", F(endToEnd?.Ratio, "0.00"), endToEnd?.Met ?? false),
            new("endToEnd.forwarderRatio", $">= {Targets.EndToEndForwarder}", F(endToEnd?.ForwarderRatio, "0.00"), endToEnd?.ForwarderMet ?? false),
            new("latency.p50Ms", $"<= {Targets.LatencyP50Ms} at {latency?.RatePerSecond ?? Targets.LatencyRatePerSecond}/s", F(latency?.P50Ms, "0.0"),
                latency is { Delivered: var d, Events: var n, P50Ms: <= Targets.LatencyP50Ms } && d == n),
            new("latency.p99Ms", $"<= {Targets.LatencyP99Ms} at {latency?.RatePerSecond ?? Targets.LatencyRatePerSecond}/s", F(latency?.P99Ms, "0.0"),
                latency is { Delivered: var d2, Events: var n2, P99Ms: <= Targets.LatencyP99Ms } && d2 == n2),
            new("memory.peakWorkingSetMb", $"<= {Targets.MemoryMb}", F(memory?.PeakWorkingSetMb, "0"), memory?.Met ?? false),
            new("isolation.p99Ms", $"<= {Targets.IsolationP99Ms} at {Isolation.Rate}/s beside {Isolation.BrokenWebhooks} broken webhooks with {Isolation.DueEach} due each", F(isolation?.P99Ms, "0.0"),
                isolation?.Met ?? false),
            new("backlog.peakWorkingSetMb", $"<= {Targets.MemoryMb} with {backlog?.PendingDeliveries ?? 0:N0} pending", F(backlog?.PeakWorkingSetMb, "0"),
                backlog?.Met ?? false),
        ];
    }

    /// <summary>The folder of CleanWebhooks.sln above this program (bench/CleanWebhooks.Bench/bin/...), else above the working directory.</summary>
    private static string RepositoryRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "CleanWebhooks.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        return Environment.CurrentDirectory;
    }

    /// <summary>The service built with this program's configuration and framework (bin/&lt;configuration&gt;/&lt;tfm&gt;).</summary>
    private static string DefaultApiPath(string root)
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = output.Name;
        var configuration = output.Parent?.Name ?? "Release";
        return Path.Combine(root, "src", "Api", "bin", configuration, framework, "CleanWebhooks.Api.dll");
    }

    private static MachineInfo Machine()
    {
        double memoryMb = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1024.0 / 1024.0;
        string? cpu = null;
        try
        {
            var total = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            if (total is not null)
            {
                memoryMb = long.Parse(total["MemTotal:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
            }

            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim();
        }
        catch (IOException)
        {
            // Not Linux: the GC's figure stands.
        }

        return new MachineInfo(
            Environment.ProcessorCount, Math.Round(memoryMb), cpu, RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription,
            RuntimeInformation.ProcessArchitecture.ToString());
    }

    private static async Task<(string? Commit, bool? Dirty)> GitAsync(string root)
    {
        var commit = await RunGitAsync(root, "rev-parse", "HEAD");
        var status = await RunGitAsync(root, "status", "--porcelain", "--untracked-files=no");
        return (commit?.Trim(), status is null ? null : status.Trim().Length > 0);
    }

    private static async Task<string?> RunGitAsync(string root, params string[] arguments)
    {
        try
        {
            var start = new ProcessStartInfo("git") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using var git = Process.Start(start)!;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var text = await git.StandardOutput.ReadToEndAsync(timeout.Token);
            await git.WaitForExitAsync(timeout.Token);
            return git.ExitCode == 0 ? text : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or OperationCanceledException or InvalidOperationException)
        {
            return null;
        }
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // Left to the OS's temp cleaner.
        }
    }
}
