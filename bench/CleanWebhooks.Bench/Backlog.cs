using System.Globalization;
using System.Net;

namespace CleanWebhooks.Bench;

/// <summary>The resident set when a share of the backlog had been taken in.</summary>
internal sealed record BacklogStep(long Accepted, double RssMb);

internal sealed record BacklogResult(
    int Events,
    long Accepted,
    long PendingDeliveries,
    double Seconds,
    double PeakWorkingSetMb,
    double SampledPeakRssMb,
    IReadOnlyList<BacklogStep> Steps,
    double? GrowthMb,
    long AttemptsStarted,
    double TargetMb,
    bool Met);

/// <summary>
/// 6. Memory with a backlog (issue 13): a service at default settings whose 16 webhooks point at a receiver that is
/// down (nothing listens on its port, so every attempt is refused) takes N events (200,000; 20,000 with
/// <c>--quick</c>) through batch intake, then keeps its dispatcher running over them. Its peak working set
/// (<c>backlog.peakWorkingSetMb</c>) and its resident set after each quarter of the intake show whether memory grows
/// with the number of pending deliveries; it should not, since the dispatcher only ever holds what it has claimed.
/// </summary>
internal static class Backlog
{
    private const int BatchSize = 1_000;

    /// <summary>Few connections: the intake only has to fill the queue, not to be measured.</summary>
    private const int Concurrency = 4;

    public static async Task<BacklogResult> RunAsync(BenchContext context)
    {
        var ct = context.CancellationToken;
        await using var service = await Service.StartAsync(context.ApiDll, context.FolderFor("backlog"), dispatcher: true, ct);

        // A port nothing listens on: every attempt is refused at once, as from a receiver that is down.
        var down = $"http://127.0.0.1:{ChildProcess.FreePort().ToString(CultureInfo.InvariantCulture)}/hook/:id";
        var integrators = await service.CreateIntegratorsAsync(context.Options.Clients, _ => down, "backlog", ct);
        return await FillAsync(context, service, [.. integrators.Select(i => i.ClientId)], "backlog");
    }

    /// <summary>
    /// The backlog's events (<c>--backlog</c>) spread over <paramref name="clients"/> in turn, taken in through batch
    /// intake in quarters while the service's receivers are down, then the dispatcher left running over them; the
    /// service's peak working set (<c>VmHWM</c>: since it started) and its resident set after each quarter.
    /// </summary>
    internal static async Task<BacklogResult> FillAsync(BenchContext context, Service service, IReadOnlyList<Guid> clients, string phase)
    {
        var ct = context.CancellationToken;
        var options = context.Options;
        var events = options.BacklogEvents;
        var (_, attemptsBefore) = await CountAsync(service);
        using var http = Load.CreateClient(Concurrency);
        var requests = (events + BatchSize - 1) / BatchSize;
        var accepted = 0L;
        Load.Send Batch() => async (index, token) =>
        {
            var count = (int)Math.Min(BatchSize, events - (index * BatchSize));
            using var request = Scenarios.BatchRequest(service, index * BatchSize, count, n => clients[(int)(n % clients.Count)],
                n => "backlog-" + n.ToString(CultureInfo.InvariantCulture));
            using var response = await http.SendAsync(request, token);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                Interlocked.Add(ref accepted, count);
            }

            return response.StatusCode;
        };

        var steps = new List<BacklogStep>();
        var sender = new Recorder(phase, requests);
        using var sampler = new MemorySampler(service.Process);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await using (Progress.Start($"{phase}: {events:N0} events over {clients.Count:N0} webhooks whose receivers are down", () =>
            $"accepted {Interlocked.Read(ref accepted),9:N0}   rss {service.Process.MemoryMb("VmRSS") ?? 0:N0} MB"))
        {
            // In quarters, so that the resident set can be read at each size of the backlog.
            for (var quarter = 0; quarter < 4; quarter++)
            {
                var from = requests * quarter / 4;
                var to = requests * (quarter + 1) / 4;
                await Load.RunAsync(Concurrency, TimeSpan.FromMinutes(10), to - from, from, Batch(), HttpStatusCode.OK, sender, ct);
                steps.Add(new BacklogStep(Interlocked.Read(ref accepted), Math.Round(service.Process.MemoryMb("VmRSS") ?? 0, 1)));
            }

            // The dispatcher goes on over the whole backlog for a while: attempts refused, retries scheduled, breakers open.
            await Task.Delay(options.Quick ? TimeSpan.FromSeconds(3) : TimeSpan.FromSeconds(15), ct);
        }

        var seconds = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
        var peak = service.Process.MemoryMb("VmHWM") ?? await sampler.StopAsync();
        var sampled = await sampler.StopAsync();
        if (sender.Errors > 0)
        {
            Progress.Line($"  {phase}: {sender.Errors:N0} batch requests failed, first: {sender.FirstError}");
        }

        var (pending, attempts) = await CountAsync(service);
        var growth = steps.Count == 4 ? Math.Round(steps[3].RssMb - steps[0].RssMb, 1) : (double?)null;
        return new BacklogResult(
            events, Interlocked.Read(ref accepted), pending, Math.Round(seconds, 1), Math.Round(peak, 2), Math.Round(sampled, 2), steps, growth, attempts - attemptsBefore,
            Targets.MemoryMb, peak <= Targets.MemoryMb && Interlocked.Read(ref accepted) == events);
    }

    /// <summary>Pending deliveries and attempts made, read from the service's database file.</summary>
    private static async Task<(long Pending, long Attempts)> CountAsync(Service service)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={service.DatabasePath};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT (SELECT COUNT(*) FROM deliveries WHERE status = 'pending'), (SELECT COUNT(*) FROM delivery_attempts);";
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}
