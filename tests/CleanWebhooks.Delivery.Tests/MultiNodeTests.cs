using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CleanWebhooks.Delivery.Tests;

/// <summary>
/// Scale-out for real (contract section 9): three processes of the built service on one PostgreSQL database, started at
/// the same moment (they race to migrate), events posted to them in turn, one killed with SIGKILL mid-run. Every event
/// must arrive, and no delivery may be attempted twice at once. It runs alone (<see cref="RunsAlone"/>):
/// three service processes starve the other tests of this assembly on a small machine.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class MultiNodeTests : IAsyncLifetime
{
    private const int Events = 3000;
    private const int KillAfter = 800;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "cleanwebhooks-multinode", Guid.NewGuid().ToString("N"));
    private readonly string _internalKey = "multinode-" + Guid.NewGuid().ToString("N");
    private readonly List<Node> _nodes = [];
    private readonly ConcurrentBag<Attempt> _attempts = [];
    private string? _connectionString;
    private WebApplication? _receiver;
    private int _received;

    private sealed record Attempt(string WebhookId, string DocumentId, int RemotePort, long Arrived, long Finished);

    private sealed record Node(string Name, Process Process, Uri BaseAddress);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _connectionString = await TestPostgres.CreateDatabaseAsync("multinode");

        // The nodes share one key ring, as the README asks; made before they start, so that none makes its own.
        DataProtectionProvider.Create(new DirectoryInfo(Path.Combine(_folder, "keys")), b => b.SetApplicationName("CleanWebhooks"))
            .CreateProtector("warm-up").Protect("key ring");

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        _receiver = builder.Build();
        _receiver.Run(async context =>
        {
            var arrived = Stopwatch.GetTimestamp();

            // Long enough that two senders of one delivery would overlap, short enough for 3,000 of them.
            await Task.Delay(15);
            _attempts.Add(new Attempt(
                context.Request.Headers["webhook-id"].ToString(), context.Request.Path.Value!.Split('/')[^1],
                context.Connection.RemotePort, arrived, Stopwatch.GetTimestamp()));
            Interlocked.Increment(ref _received);
            context.Response.StatusCode = 200;
        });
        await _receiver.StartAsync();
    }

    [Fact]
    public async Task Deliver_ThreeNodesOnePostgresOneKilledMidRun_EveryEventArrivesAndNoDeliveryOverlapsItself()
    {
        var started = Stopwatch.StartNew();
        _nodes.AddRange(Enumerable.Range(0, 3).Select(i => StartNode($"node-{i}")));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        await Task.WhenAll(_nodes.Select(n => WaitReadyAsync(http, n)));
        var ready = started.Elapsed;

        var (clientId, _) = await CreateIntegratorAsync(http, _nodes[0]);
        var victim = _nodes[2];
        var accepted = new ConcurrentDictionary<string, bool>();
        var posting = Parallel.ForEachAsync(Enumerable.Range(0, Events), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
        {
            // Round-robin; a post to the killed node goes to the next live one, as a load balancer would send it.
            for (var attempt = 0; ; attempt++)
            {
                var node = _nodes[(i + attempt) % _nodes.Count];
                if (node == victim && victim.Process.HasExited)
                {
                    continue;
                }

                try
                {
                    using var report = new HttpRequestMessage(HttpMethod.Post, new Uri(node.BaseAddress, "/internal/document_events"))
                    {
                        Content = JsonContent.Create(new { clientId, documentId = $"doc-{i}", type = 0, data = new { i } }),
                    };
                    report.Headers.Add("X-INTERNAL-KEY", _internalKey);
                    report.Headers.Add("Idempotency-Key", $"event-{i}");
                    using var response = await http.SendAsync(report, ct);
                    Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                    accepted[$"doc-{i}"] = true;
                    return;
                }
                catch (HttpRequestException) when (node == victim && attempt < 3)
                {
                    // Killed while this post was on its way: its idempotency key makes the repeat safe.
                }
            }
        });

        await WaitUntilAsync(() => Volatile.Read(ref _received) >= KillAfter, TimeSpan.FromSeconds(60), "deliveries before the kill");
        victim.Process.Kill(); // SIGKILL: no shutdown, its leases stay behind until they expire
        await victim.Process.WaitForExitAsync();
        var receivedAtKill = Volatile.Read(ref _received);
        var killed = started.Elapsed;
        await posting;
        var posted = started.Elapsed;

        await WaitUntilAsync(() => _attempts.Select(a => a.DocumentId).Distinct().Count() >= Events, TimeSpan.FromSeconds(90), "every event delivered");
        var delivered = started.Elapsed;
        while (await CountSucceededAsync() < Events)
        {
            Assert.True(started.Elapsed < delivered + TimeSpan.FromSeconds(30), "Not every delivery was recorded as succeeded within 30 s.");
            await Task.Delay(100);
        }

        Assert.True(receivedAtKill < Events, "The run ended before a node could be killed mid-run.");
        Assert.Equal(Events, accepted.Count);
        var documents = _attempts.Select(a => a.DocumentId).ToHashSet();
        Assert.Equal(Enumerable.Range(0, Events).Select(i => $"doc-{i}").Order(), documents.Order());

        // At most once at a time: two attempts of one delivery never overlap (a repeat is allowed only after the
        // first ended, e.g. a lease that expired after the killed node's attempt).
        var overlapping = _attempts.GroupBy(a => a.WebhookId)
            .Where(g => g.Count() > 1)
            .SelectMany(g => g.SelectMany(a => g.Where(b => b != a && b.Arrived < a.Finished && a.Arrived < b.Finished).Select(b => (a, b))))
            .ToList();
        Assert.True(overlapping.Count == 0,
            $"{overlapping.Count / 2} overlapping attempt pairs, e.g. {overlapping.FirstOrDefault().a} and {overlapping.FirstOrDefault().b}");
        Assert.True(_nodes.Where(n => n != victim).All(n => !n.Process.HasExited), "A node that was not killed exited.");
        Console.WriteLine(
            $"multi-node: {Events} events, {_attempts.Count} attempts, {_attempts.Count - Events} repeats, killed after {receivedAtKill} " +
            $"(s: ready {ready.TotalSeconds:0.0}, kill {killed.TotalSeconds:0.0}, posted {posted.TotalSeconds:0.0}, delivered {delivered.TotalSeconds:0.0}, " +
            $"recorded {started.Elapsed.TotalSeconds:0.0})");
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            if (!node.Process.HasExited)
            {
                node.Process.Kill(entireProcessTree: true);
                await node.Process.WaitForExitAsync();
            }

            node.Process.Dispose();
        }

        if (_receiver is not null)
        {
            await _receiver.DisposeAsync();
        }

        if (_connectionString is not null)
        {
            await TestPostgres.DropDatabaseAsync(_connectionString);
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Left to the OS temp cleaner.
        }
    }

    private Node StartNode(string name)
    {
        var port = ServiceProcess.FreePort();
        var log = new StreamWriter(Path.Combine(_folder, name + ".log")) { AutoFlush = true };
        var process = ServiceProcess.Start(port,
            [
                ("Database__Provider", "PostgreSql"),
                ("ConnectionStrings__CleanWebhooks", _connectionString!),
                ("Secrets__KeyDirectory", Path.Combine(_folder, "keys")),
                ("Internal__ApiKeys__0", _internalKey),
                ("Delivery__PollInterval", "00:00:00.200"),
                ("Delivery__Timeout", "00:00:02"),
                ("Delivery__LeaseDuration", "00:00:05"),
                ("Delivery__MaxConcurrency", "16"),
            ],
            line =>
            {
                lock (log)
                {
                    log.WriteLine(line);
                }
            });
        return new Node(name, process, ServiceProcess.AddressOf(port));
    }

    private Task WaitReadyAsync(HttpClient http, Node node) =>
        ServiceProcess.WaitReadyAsync(http, node.BaseAddress, node.Process, () => $"{node.Name}: {LogOf(node)}");

    private string LogOf(Node node)
    {
        using var stream = new FileStream(Path.Combine(_folder, node.Name + ".log"), FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }

    private async Task<(Guid ClientId, Guid WebhookId)> CreateIntegratorAsync(HttpClient http, Node node)
    {
        using var createClient = new HttpRequestMessage(HttpMethod.Post, new Uri(node.BaseAddress, "/internal/clients"))
        {
            Content = JsonContent.Create(new { name = "Multi-node" }),
        };
        createClient.Headers.Add("X-INTERNAL-KEY", _internalKey);
        using var clientResponse = await http.SendAsync(createClient);
        Assert.Equal(HttpStatusCode.Created, clientResponse.StatusCode);
        var client = JsonDocument.Parse(await clientResponse.Content.ReadAsStringAsync()).RootElement;

        var url = new Uri(_receiver!.Urls.First()) + "hook/:id";
        using var createWebhook = new HttpRequestMessage(HttpMethod.Post, new Uri(node.BaseAddress, "/api_document/document_webhooks"))
        {
            Content = JsonContent.Create(new { name = "Receiver", type = 0, method = "POST", url }),
        };
        createWebhook.Headers.Add("X-API-KEY", client.GetProperty("apiKey").GetString());
        using var webhookResponse = await http.SendAsync(createWebhook);
        Assert.Equal(HttpStatusCode.OK, webhookResponse.StatusCode);
        var webhook = JsonDocument.Parse(await webhookResponse.Content.ReadAsStringAsync()).RootElement;
        return (client.GetProperty("id").GetGuid(), webhook.GetProperty("id").GetGuid());
    }

    private async Task<long> CountSucceededAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT COUNT(*) FROM deliveries WHERE status = 'succeeded';", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!condition())
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                Assert.Fail($"Timed out after {timeout.TotalSeconds:0} s waiting for {what}.");
            }

            await Task.Delay(100);
        }
    }
}

/// <summary>Runs after the parallel tests of the assembly, with nothing beside it.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "Multi-node (runs alone)";
}
