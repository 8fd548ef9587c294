using System.Collections.Concurrent;
using System.Diagnostics;
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

    /// <summary>The real service binary as a dispatcher-only node on the same database (short leases, so a dead one's work returns fast).</summary>
    private Process StartDispatcherProcess()
    {
        var api = typeof(Program).Assembly.Location;
        var start = new ProcessStartInfo("dotnet", [api])
        {
            WorkingDirectory = Path.GetDirectoryName(api)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Urls"] = "http://127.0.0.1:0";
        start.Environment["ConnectionStrings__CleanWebhooks"] = $"Data Source={Factory.DatabasePath}";
        start.Environment["Secrets__KeyDirectory"] = Factory.KeyDirectory;
        start.Environment["Delivery__AllowPrivateNetworks"] = "true";
        start.Environment["Delivery__PollInterval"] = "00:00:00.050";
        start.Environment["Delivery__Timeout"] = "00:00:01";
        start.Environment["Delivery__LeaseDuration"] = "00:00:02";
        start.Environment["Delivery__MaxConcurrency"] = "8";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private Task<long> CountAsync(string sql) => new StoredRows(Factory.DatabasePath).CountAsync(sql);
}
