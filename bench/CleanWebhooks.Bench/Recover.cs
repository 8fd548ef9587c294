using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace CleanWebhooks.Bench;

internal sealed record RecoverResult(
    int Failed,
    int Recovered,
    double MakeDueSeconds,
    int Delivered,
    double? DeliveredSeconds,
    int RatePerSecond,
    int Events,
    int HealthyDelivered,
    double? P50Ms,
    double? P99Ms,
    double? MaxMs,
    double? AloneP50Ms,
    double? AloneP99Ms,
    double TargetP99Ms,
    bool Met)
{
    /// <summary>The row of the targets list: the healthy webhook's p99 while the recovery runs.</summary>
    public static TargetResult Target(RecoverResult? result) => new(
        "recover.p99Ms", $"<= {Targets.IsolationP99Ms} at {Isolation.Rate}/s while {result?.Failed ?? 0:N0} failed deliveries are recovered",
        result?.P99Ms?.ToString("0.0", CultureInfo.InvariantCulture), result?.Met ?? false);

    /// <summary>The scenario's rows of the console table.</summary>
    public IEnumerable<string[]> Rows()
    {
        static string Ms(double? ms) => ms is { } v ? v.ToString("0.0", CultureInfo.InvariantCulture) : "—";
        yield return ["recover", $"healthy at {RatePerSecond:N0}/s while {Failed:N0} are recovered, p50 / p99 ms", $"{Ms(P50Ms)} / {Ms(P99Ms)}",
            $"{Ms(AloneP50Ms)} / {Ms(AloneP99Ms)}", "", $"<= {TargetP99Ms:0}", Met ? "met" : "NOT MET"];
        yield return ["", "  made due (202) in s; recovered", $"{MakeDueSeconds:0.00}; {Recovered:N0}", "(alone)", "", "", ""];
        yield return ["", "  recovered delivered; in s", $"{Delivered:N0}; {(DeliveredSeconds is { } s ? s.ToString("0.0", CultureInfo.InvariantCulture) : "—")}", "", "", "", ""];
    }
}

/// <summary>
/// 7. Recovering after an outage (issue 19, contract section 11): a webhook has N deliveries that ended failed over
/// three days (100,000; 10,000 with <c>--quick</c>), written straight into the service's SQLite file as an outage
/// would have left them. Its receiver is back; one <c>POST .../deliveries/recover</c> makes them all due again. The
/// figures: how long that request takes (every delivery due when it answers), how long until the receiver has them
/// all, and, meanwhile, another webhook's event→receiver p99 at 100 events/s (<c>recover.p99Ms</c>), beside the same
/// figure measured alone just before (after 2,000 unmeasured events, so that it is not the JIT's warm-up).
/// </summary>
internal static class Recover
{
    /// <summary>Days the failed deliveries are spread over, as an outage since Friday would leave them.</summary>
    private const int OutageDays = 3;

    /// <summary>Events of the healthy webhook delivered before anything is measured.</summary>
    private const int WarmupEvents = 2_000;

    public static async Task<RecoverResult> RunAsync(BenchContext context)
    {
        var ct = context.CancellationToken;
        var options = context.Options;
        var failed = options.Quick ? 10_000 : 100_000;
        await using var recovering = await Receiver.StartAsync();
        await using var service = await Service.StartAsync(context.ApiDll, context.FolderFor("recover"), dispatcher: true, ct);
        var healthy = await service.CreateIntegratorAsync("recover-healthy", context.Receiver.HookUrl, ct);
        var outage = await service.CreateIntegratorAsync("recover-outage", recovering.HookUrl, ct);
        var delivered = recovering.Expect("recovered", failed);

        DateTimeOffset since;
        await using (Progress.Start($"recover: {failed:N0} failed deliveries written as an outage leaves them", () => ""))
        {
            since = await WriteFailedDeliveriesAsync(service.DatabasePath, outage, failed, delivered, ct);
        }

        using var http = Load.CreateClient(options.Concurrency);
        Load.Send Report(Func<long, Guid> client, Func<long, string> documentId) => Isolation.ReportTo(service, http, client, documentId);

        // Unmeasured, so that the run alone is not the JIT's tier-up of a freshly started service.
        var warmup = context.Receiver.Expect("recover-warmup", WarmupEvents);
        await using (Progress.Start("recover: warm-up", () => $"delivered {warmup.Distinct:N0} / {WarmupEvents:N0}"))
        {
            await Load.RunAsync(options.Concurrency, TimeSpan.FromMinutes(1), WarmupEvents, 0, Report(_ => healthy.ClientId, warmup.DocumentId),
                HttpStatusCode.Accepted, null, ct);
            await warmup.WaitForAsync(WarmupEvents, TimeSpan.FromSeconds(60), ct);
        }

        var alone = await Isolation.PacedAsync(context, "recover: healthy webhook alone", "recover-alone", healthy, Report);

        // The recovery starts a second into the paced run, and the run goes on while the recovered deliveries go out.
        var beside = Isolation.PacedAsync(context, $"recover: healthy webhook while {failed:N0} are recovered", "recover-beside", healthy, Report);
        await Task.Delay(TimeSpan.FromSeconds(1), ct);
        var started = Stopwatch.GetTimestamp();
        var recovered = await RecoverAsync(service, outage, since, ct);
        var makeDue = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var during = await beside;
        Progress.Line($"  recover: {recovered:N0} made due in {makeDue:0.00} s; healthy p99 {during.Latency.P99Ms:0.0} ms beside it");

        double? deliveredSeconds = null;
        await using (Progress.Start("recover: the recovered deliveries reach their receiver", () => $"delivered {delivered.Distinct:N0} / {failed:N0}"))
        {
            if (await delivered.WaitForAsync(failed, TimeSpan.FromMinutes(options.Quick ? 2 : 10), ct))
            {
                deliveredSeconds = Stopwatch.GetElapsedTime(started, delivered.LastArrival).TotalSeconds;
            }
        }

        var met = during.Delivered == during.Events && recovered == failed && during.Latency.P99Ms <= Targets.IsolationP99Ms;
        return new RecoverResult(
            failed, recovered, Math.Round(makeDue, 3), delivered.Distinct, deliveredSeconds is { } d ? Math.Round(d, 2) : null, Isolation.Rate,
            during.Events, during.Delivered, Ms(during.Latency.P50Ms), Ms(during.Latency.P99Ms), Ms(during.Latency.MaxMs), Ms(alone.Latency.P50Ms),
            Ms(alone.Latency.P99Ms), Targets.IsolationP99Ms, met);
    }

    /// <summary>
    /// The outage's leftovers: events and their deliveries, failed after eight attempts, created evenly over the last
    /// <see cref="OutageDays"/> days, in one transaction on the service's own file (its schema, its timestamp text).
    /// The attempts themselves are not written: a recovery reads only the deliveries. Returns the outage's start.
    /// </summary>
    private static async Task<DateTimeOffset> WriteFailedDeliveriesAsync(
        string databasePath, Integrator outage, int count, DeliveryCollector collector, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var since = now.AddDays(-OutageDays);
        await using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False;Default Timeout=30");
        await connection.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var events = connection.CreateCommand();
        events.Transaction = transaction;
        events.CommandText = "INSERT INTO events (id, client_id, document_id, type, data, occurred_at) VALUES ($id, $client, $document, 0, NULL, $at);";
        await using var deliveries = connection.CreateCommand();
        deliveries.Transaction = transaction;
        deliveries.CommandText =
            "INSERT INTO deliveries (id, webhook_id, event_id, status, attempt_count, next_attempt_at, last_attempt_at, last_status_code, created_at) " +
            "VALUES ($id, $webhook, $event, 'failed', 8, NULL, $last, 503, $at);";
        var eventId = events.Parameters.Add("$id", SqliteType.Text);
        events.Parameters.AddWithValue("$client", Text(outage.ClientId));
        var document = events.Parameters.Add("$document", SqliteType.Text);
        var occurredAt = events.Parameters.Add("$at", SqliteType.Text);
        var deliveryId = deliveries.Parameters.Add("$id", SqliteType.Text);
        deliveries.Parameters.AddWithValue("$webhook", Text(outage.WebhookId));
        var deliveryEvent = deliveries.Parameters.Add("$event", SqliteType.Text);
        var lastAttempt = deliveries.Parameters.Add("$last", SqliteType.Text);
        var createdAt = deliveries.Parameters.Add("$at", SqliteType.Text);
        for (var i = 0; i < count; i++)
        {
            var at = since + ((now - since) * i / count);
            var id = Text(Guid.CreateVersion7(at));
            eventId.Value = id;
            document.Value = collector.DocumentId(i);
            occurredAt.Value = Timestamp(at);
            await events.ExecuteNonQueryAsync(cancellationToken);
            deliveryId.Value = Text(Guid.CreateVersion7(at));
            deliveryEvent.Value = id;
            lastAttempt.Value = Timestamp(at.AddHours(27));
            createdAt.Value = Timestamp(at);
            await deliveries.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return since.AddMinutes(-1);
    }

    private static async Task<int> RecoverAsync(Service service, Integrator outage, DateTimeOffset since, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api_document/document_webhooks/{outage.WebhookId}/deliveries/recover")
        {
            Content = JsonContent.Create(new { since }),
        };
        request.Headers.Add("X-API-KEY", outage.ApiKey);
        using var http = new HttpClient { BaseAddress = service.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw new InvalidOperationException($"The recovery answered {(int)response.StatusCode}: {body}");
        }

        return JsonDocument.Parse(body).RootElement.GetProperty("count").GetInt32();
    }

    /// <summary>A uuid as the service's SQLite file holds it (Microsoft.Data.Sqlite writes upper case).</summary>
    internal static string Text(Guid id) => id.ToString().ToUpperInvariant();

    /// <summary>A time as the service's SQLite file holds it: UTC, fixed-width ISO 8601.</summary>
    internal static string Timestamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static double? Ms(double? value) => value is { } v ? Math.Round(v, 3) : null;
}
