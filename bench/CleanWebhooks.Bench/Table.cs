using System.Globalization;
using System.Text;

namespace CleanWebhooks.Bench;

/// <summary>The console summary: one row per figure, the service beside its baseline, the ratio and the target.</summary>
internal static class Table
{
    private static readonly string[] Header = ["scenario", "figure", "service", "baseline", "ratio", "target", "result"];

    public static void Print(Report report)
    {
        var rows = new List<string[]> { Header };
        string Met(bool met) => met ? "met" : "NOT MET";

        if (report.Read is { } read)
        {
            rows.Add(["read", "GET webhook, requests/s", N(read.RequestsPerSecond), N(read.Baseline.PerSecond), R(read.Ratio), $">= {Targets.Read:0.0#}x", Met(read.Met)]);
            rows.Add(["", "  latency p50 / p99 ms", Pair(read.P50Ms, read.P99Ms), Pair(read.Baseline.P50Ms, read.Baseline.P99Ms), "", "", ""]);
        }

        if (report.Intake is { } intake)
        {
            rows.Add(["intake", "POST event, events/s", N(intake.EventsPerSecond), N(intake.Baseline.PerSecond), R(intake.Ratio), $">= {Targets.Intake:0.0#}x", Met(intake.Met)]);
            rows.Add(["", "  latency p50 / p99 ms", Pair(intake.P50Ms, intake.P99Ms), Pair(intake.Baseline.P50Ms, intake.Baseline.P99Ms), "", "", ""]);
            if (intake.Ceiling is { } ceiling)
            {
                rows.Add(["", "  vs HTTP ceiling (202, no database)", N(intake.EventsPerSecond), N(ceiling.PerSecond), R(intake.CeilingRatio),
                    $">= {Targets.IntakeCeiling:0.0#}x", Met(intake.CeilingMet)]);
            }
        }

        if (report.BatchIntake is { } batch)
        {
            rows.Add(["batch intake", $"{batch.BatchSize:N0} per request, events/s", N(batch.EventsPerSecond), N(report.Intake?.EventsPerSecond ?? 0), R(batch.Ratio),
                $">= {Targets.BatchIntake:0.0#}x", Met(batch.Met)]);
            rows.Add(["", "  request latency p50 / p99 ms", Pair(batch.Requests.P50Ms, batch.Requests.P99Ms), "", "", "", ""]);
        }

        if (report.EndToEnd is { } e2e)
        {
            var perRequest = report.Settings.EndToEndBatch;
            var sent = perRequest == 1 ? "" : $" in requests of {perRequest}";
            rows.Add(["end-to-end", $"{e2e.Events:N0} events{sent}, deliveries/s", N(e2e.DeliveriesPerSecond), N(e2e.Baseline.DeliveriesPerSecond), R(e2e.Ratio), $">= {Targets.EndToEnd:0.0#}x", Met(e2e.Met)]);
            rows.Add(["", "  event->receiver p50 / p99 ms", Pair(e2e.P50Ms, e2e.P99Ms), Pair(e2e.Baseline.P50Ms, e2e.Baseline.P99Ms), "", "", ""]);
            if (e2e.Forwarder is { } forwarder)
            {
                rows.Add(["", "  vs bare forwarder, deliveries/s", N(e2e.DeliveriesPerSecond), N(forwarder.DeliveriesPerSecond), R(e2e.ForwarderRatio),
                    $">= {Targets.EndToEndForwarder:0.0#}x", Met(e2e.ForwarderMet)]);
                rows.Add(["", "    forwarder event->receiver p50 / p99 ms", "", Pair(forwarder.P50Ms, forwarder.P99Ms), "", "", ""]);
            }
            rows.Add(["", "  CPU µs per delivery (service / forwarder process)", F(e2e.CpuMicrosPerDelivery), F(e2e.ForwarderCpuMicrosPerDelivery), "", "", ""]);
            var intakeLabel = (perRequest == 1 ? "  intake events/s, p99 ms" : $"  intake requests/s ({perRequest} events each), p99 ms") +
                (report.Settings.Purge ? " (purging)" : "");
            rows.Add(["", intakeLabel, $"{N(e2e.Intake.PerSecond)}, {F(e2e.Intake.P99Ms)}", "", "", "", ""]);
            rows.Add(["", "  delivery rows left in the database", $"{e2e.DeliveryRowsLeft:N0}", "", "", "", ""]);
            rows.Add(["", "  delivered / duplicates", $"{e2e.Delivered:N0} / {e2e.Duplicates:N0}", $"{e2e.Baseline.Delivered:N0}", "", "", ""]);
            if (e2e.Postgres is { } pg)
            {
                rows.Add(["", "  on PostgreSQL: deliveries/s", N(pg.DeliveriesPerSecond), N(e2e.Baseline.DeliveriesPerSecond), R(pg.Ratio), "", ""]);
                rows.Add(["", "    p50 / p99 ms, delivered / duplicates", $"{Pair(pg.P50Ms, pg.P99Ms)}, {pg.Delivered:N0} / {pg.Duplicates:N0}", "", "", "", ""]);
            }

            rows.AddRange(CapacityRows.Of(e2e));
        }

        if (report.Latency is { } latency)
        {
            rows.Add(["latency", $"at {latency.RatePerSecond:N0} events/s, p50 / p99 ms", Pair(latency.P50Ms, latency.P99Ms), "", "",
                $"<= {Targets.LatencyP50Ms:0} / {Targets.LatencyP99Ms:0}", Met(latency.Met)]);
            rows.Add(["", "  accepted/s (planned rate)", $"{N(latency.AchievedRatePerSecond)} ({latency.RatePerSecond:N0})", "", "", "", ""]);
            rows.Add(["", "  planned / accepted / delivered", $"{latency.Events:N0} / {latency.Accepted:N0} / {latency.Delivered:N0}", "", "", "", ""]);
        }

        if (report.Isolation is { } isolation)
        {
            rows.Add(["isolation", $"healthy at {isolation.RatePerSecond:N0}/s beside {isolation.HangingWebhooks + isolation.OneInThreeWebhooks} broken, p50 / p99 ms",
                Pair(isolation.P50Ms, isolation.P99Ms), Pair(isolation.AloneP50Ms, isolation.AloneP99Ms), "", $"<= {Targets.IsolationP99Ms:0}", Met(isolation.Met)]);
            rows.Add(["", "  delivered / events; hanging attempts started", $"{isolation.Delivered:N0} / {isolation.Events:N0}; {isolation.HangingAttemptsStarted:N0}", "(alone)", "", "", ""]);
            rows.Add(["", "  one-in-three attempts started / answered", $"{isolation.OneInThreeAttemptsStarted:N0} / {isolation.OneInThreeAnswered:N0}", "", "", "", ""]);
            rows.Add(["", "  held when measured; most held by one hanging / one-in-three webhook",
                $"{isolation.HeldWhenMeasured:N0}; {isolation.HangingMaxHeldByOneWebhook:N0} / {isolation.OneInThreeMaxHeldByOneWebhook:N0}", "", "", "", ""]);
        }

        if (report.Memory is { } memory)
        {
            rows.Add(["memory", "peak working set MB (VmHWM)", N(memory.PeakWorkingSetMb), "", "", $"<= {Targets.MemoryMb:0}",
                Met(memory.Met) + (memory.Note is null ? "" : " (quick)")]);
        }

        if (report.Backlog is { } backlog)
        {
            rows.Add(["backlog", $"{backlog.PendingDeliveries:N0} pending, receiver down: peak working set MB", N(backlog.PeakWorkingSetMb), "", "",
                $"<= {Targets.MemoryMb:0}", Met(backlog.Met)]);
            rows.Add(["", "  resident MB at each quarter of the intake", string.Join(" / ", backlog.Steps.Select(s => N(s.RssMb))), "", "", "", ""]);
            rows.Add(["", "  accepted; attempts made", $"{backlog.Accepted:N0}; {backlog.AttemptsStarted:N0}", "", "", "", ""]);
        }

        rows.AddRange(report.Recover?.Rows() ?? []);
        rows.AddRange(report.Flow?.Rows() ?? []);
        rows.AddRange(report.Tenants?.Rows() ?? []);
        rows.AddRange(report.Retention?.Rows() ?? []);

        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        text.AppendLine();
        foreach (var (row, i) in rows.Select((r, i) => (r, i)))
        {
            for (var c = 0; c < row.Length; c++)
            {
                var right = c is >= 2 and <= 4;
                text.Append(right ? row[c].PadLeft(widths[c]) : row[c].PadRight(widths[c])).Append("  ");
            }

            text.AppendLine();
            if (i == 0)
            {
                text.AppendLine(new string('-', widths.Sum() + (2 * widths.Length)));
            }
        }

        if (report.Quick)
        {
            text.AppendLine("A --quick run: short phases and 5,000 events, noisy; compare full runs. The memory target is for 50,000 events.");
        }

        foreach (var failure in report.Failures)
        {
            text.AppendLine($"FAILED {failure}");
        }

        Console.Write(text.ToString());
    }

    internal static string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);

    internal static string F(double? value) => value?.ToString("0.0", CultureInfo.InvariantCulture) ?? "-";

    internal static string R(double? value) => value is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) + "x" : "-";

    private static string Pair(double? a, double? b) => $"{F(a)} / {F(b)}";
}
