using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using CleanWebhooks.Testing;
using CleanWebhooks.Delivery.Tests.Operations;
using Microsoft.Data.Sqlite;

namespace CleanWebhooks.Delivery.Tests;

/// <summary>Several dispatchers on one database, and one killed mid-batch: nothing is sent twice while leased, nothing is lost.</summary>
public sealed class DispatcherConcurrencyTests : DeliveryFixture
{
    [Fact]
    public async Task TwoDispatchersOneDatabase_ThousandDeliveries_EachReceivedExactlyOnce()
    {
        const int count = 1000;
        Factory.Settings["Delivery:MaxConcurrency"] = "8";

        // A timed-out attempt is retried, and a receiver then rightly sees it twice (at least once). On a loaded machine
        // the fixture's 1 s timeout can pass, so give attempts all the time they need: only a double claim sends twice.
        Factory.Settings["Delivery:Timeout"] = "00:00:30";
        await using var second = ApiFactory.SharingDatabaseWith(Factory);

        Receiver.Respond = (_, _) => new ReceiverAnswer(200, Delay: TimeSpan.FromMilliseconds(2));
        using var integrator = await Factory.CreateIntegratorAsync();
        await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"));
        _ = second.Services; // starts the second node and its dispatcher

        var deliveryIds = await ReportManyAsync(integrator.ClientId, count);

        await Receiver.WaitForAsync(count, TimeSpan.FromSeconds(60));
        await Task.Delay(500);
        var received = Receiver.Requests.GroupBy(r => r.Header("webhook-id")).ToDictionary(g => g.Key!, g => g.Count());
        Assert.Equal(count, received.Count);
        Assert.All(received, pair => Assert.Equal(1, pair.Value));
        Assert.Equal(deliveryIds.Select(id => id.ToString()).Order(), received.Keys.Order());
    }

    [Fact]
    public async Task DispatcherKilledMidBatch_AfterRestart_EveryDeliveryArrives()
    {
        const int count = 200;
        Factory.Settings["Delivery:DispatcherEnabled"] = "false";
        Receiver.Respond = (_, _) => new ReceiverAnswer(200, Delay: TimeSpan.FromMilliseconds(100));
        using var integrator = await Factory.CreateIntegratorAsync();
        await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"));
        var deliveryIds = await ReportManyAsync(integrator.ClientId, count);

        using (var doomed = StartDispatcherProcess())
        {
            await Receiver.WaitForAsync(20, TimeSpan.FromSeconds(60));
            doomed.Kill(entireProcessTree: true); // SIGKILL: no shutdown, leases left behind
            await doomed.WaitForExitAsync();
        }

        var receivedBeforeRestart = Receiver.Requests.Count;
        Assert.True(receivedBeforeRestart < count, "The dispatcher finished before it could be killed mid-batch.");

        using var restarted = StartDispatcherProcess();
        try
        {
            const string succeeded = "SELECT COUNT(*) FROM deliveries WHERE status = 'succeeded'";
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while ((Delivered().Count < count || await CountAsync(succeeded) < count) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }

            Assert.Equal(deliveryIds.Select(id => id.ToString()).Order(), Delivered().Order());
            Assert.Equal(count, await CountAsync(succeeded));
        }
        finally
        {
            restarted.Kill(entireProcessTree: true);
            await restarted.WaitForExitAsync();
        }

        HashSet<string> Delivered() => [.. Receiver.Requests.Select(r => r.Header("webhook-id")!)];
    }

    [Fact]
    public async Task DispatcherStopsMidAttempt_LeasesHandedBack_AnotherNodeDeliversWithoutWaitingForThem()
    {
        Factory.Settings["Delivery:DispatcherEnabled"] = "false"; // this node only takes events in
        Factory.Settings["Delivery:InitialWindow"] = "5"; // all five in flight at once, though they share a webhook
        Receiver.Respond = (_, before) => before < 5 ? new ReceiverAnswer(200, Delay: TimeSpan.FromSeconds(5)) : ReceiverAnswer.Ok;
        using var integrator = await Factory.CreateIntegratorAsync();
        await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"));
        var first = DispatcherNode();
        _ = first.Services;
        var deliveryIds = await ReportManyAsync(integrator.ClientId, 5);
        await Receiver.WaitForAsync(5);

        await first.DisposeAsync(); // stops its dispatcher while all five attempts are in flight
        await using var second = DispatcherNode();
        _ = second.Services;

        // The leases last a minute; handed back, the deliveries go out at once.
        await Receiver.WaitForAsync(10, TimeSpan.FromSeconds(10));
        Assert.Equal(deliveryIds.Select(id => id.ToString()).Order(), Receiver.Requests.Skip(5).Select(r => r.Header("webhook-id")!).Order());

        ApiFactory DispatcherNode()
        {
            var node = ApiFactory.SharingDatabaseWith(Factory);
            node.Settings["Delivery:DispatcherEnabled"] = "true";
            node.Settings["Delivery:Timeout"] = "00:00:10";
            node.Settings["Delivery:LeaseDuration"] = "00:01:00";
            return node;
        }
    }

    [Fact]
    public async Task IntakeNodeKilledWithHandedOffDeliveriesInFlight_OthersSendThemWhenTheirLeasesEnd()
    {
        // This node's dispatcher runs all along: it must not touch the dead node's deliveries while they are leased.
        Receiver.Respond = (_, before) => before < 4 ? new ReceiverAnswer(200, Delay: TimeSpan.FromMinutes(1)) : ReceiverAnswer.Ok;
        using var integrator = await Factory.CreateIntegratorAsync();
        await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"));

        // The node that takes the events in: each new delivery is handed to its own sender, leased in the intake's write.
        var port = ServiceProcess.FreePort();
        var deliveryIds = new List<string>();
        var reportedAt = new Dictionary<string, long>();
        var lease = TimeSpan.FromSeconds(5);
        using (var doomed = StartDispatcherProcess(port, ("Delivery__Timeout", "00:00:04"), ("Delivery__LeaseDuration", $"{lease:c}")))
        {
            using var http = new HttpClient { BaseAddress = ServiceProcess.AddressOf(port), Timeout = TimeSpan.FromSeconds(10) };
            http.DefaultRequestHeaders.Add("X-INTERNAL-KEY", ApiFactory.InternalKey);
            await ServiceProcess.WaitReadyAsync(http, http.BaseAddress, doomed, () => "the intake node");
            for (var i = 0; i < 4; i++)
            {
                var reporting = Stopwatch.GetTimestamp();
                using var response = await http.PostAsJsonAsync("/internal/document_events", new { clientId = integrator.ClientId, documentId = $"doc-{i}", type = 0 });
                Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
                deliveryIds.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("deliveryId").GetString()!);
                reportedAt[deliveryIds[^1]] = reporting;
            }

            await Receiver.WaitForAsync(4, TimeSpan.FromSeconds(20));
            doomed.Kill(entireProcessTree: true); // SIGKILL: four attempts cut off mid-way, their leases left behind
            await doomed.WaitForExitAsync();
        }

        const string leasedUnattempted = "SELECT COUNT(*) FROM deliveries WHERE status = 'pending' AND attempt_count = 0 AND locked_by IS NOT NULL";
        Assert.Equal(4, await CountAsync(leasedUnattempted));

        // The child's leases last 5 s from its intake; then this node's claim takes each delivery, once.
        var received = await Receiver.WaitForAsync(8, TimeSpan.FromSeconds(30));
        Assert.Equal(deliveryIds.Order(), received.Take(4).Select(r => r.Header("webhook-id")!).Order());
        Assert.Equal(deliveryIds.Order(), received.Skip(4).Select(r => r.Header("webhook-id")!).Order());
        // Each lease ran from its intake's write, which came after the test sent the event: a second send before the
        // lease's length had passed since then was sent while the lease still held. (Measured from the first send, as
        // before, a busy machine's slow first send shortened the gap without any lease being broken.) The margin is the
        // service's wall clock against this test's monotonic one.
        Assert.All(received.Skip(4), r => Assert.True(
            Stopwatch.GetElapsedTime(reportedAt[r.Header("webhook-id")!], r.Arrived) > lease - TimeSpan.FromMilliseconds(50),
            $"A delivery was sent again {Stopwatch.GetElapsedTime(reportedAt[r.Header("webhook-id")!], r.Arrived).TotalMilliseconds:F0} ms after it was reported, while the dead node's lease of {lease.TotalSeconds} s still held it."));
        const string succeeded = "SELECT COUNT(*) FROM deliveries WHERE status = 'succeeded'";
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (await CountAsync(succeeded) < 4 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal(4, await CountAsync(succeeded));
        await Task.Delay(300);
        Assert.Equal(8, Receiver.Requests.Count);
    }

    private async Task<List<Guid>> ReportManyAsync(Guid clientId, int count)
    {
        var ids = new ConcurrentBag<Guid>();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            var (_, deliveryId) = await Factory.ReportAsync(clientId, $"doc-{i}");
            ids.Add(deliveryId!.Value);
        });
        return [.. ids];
    }

    /// <summary>
    /// The real service binary as another node on the same database (short leases, so a dead one's work returns fast),
    /// listening on <paramref name="port"/> when given.
    /// </summary>
    private Process StartDispatcherProcess(int port = 0, params (string Key, string Value)[] settings) =>
        ServiceProcess.Start(port,
        [
            ("Internal__ApiKeys__0", ApiFactory.InternalKey),
            ("ConnectionStrings__CleanWebhooks", $"Data Source={Factory.DatabasePath}"),
            ("Secrets__KeyDirectory", Factory.KeyDirectory),
            ("Delivery__PollInterval", "00:00:00.050"),
            ("Delivery__Timeout", "00:00:01"),
            ("Delivery__LeaseDuration", "00:00:02"),
            ("Delivery__MaxConcurrency", "8"),
            .. settings,
        ]);

    private Task<long> CountAsync(string sql) => new StoredRows(Factory.DatabasePath).CountAsync(sql);
}
