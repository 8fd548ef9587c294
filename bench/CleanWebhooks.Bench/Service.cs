using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;

namespace CleanWebhooks.Bench;

/// <summary>
/// The real service, run from its built <c>CleanWebhooks.Api.dll</c> in its own process on a fresh SQLite file,
/// configured by environment variables as an operator would, with private networks allowed so that it can deliver
/// to the bench's receiver on 127.0.0.1.
/// </summary>
internal sealed class Service : IAsyncDisposable
{
    private readonly ChildProcess _process;
    private int _disposed;

    private Service(ChildProcess process, string databasePath, string internalKey, HttpClient admin)
    {
        _process = process;
        DatabasePath = databasePath;
        InternalKey = internalKey;
        Admin = admin;
    }

    public Uri BaseAddress => _process.BaseAddress;

    public string DatabasePath { get; }

    public string InternalKey { get; }

    /// <summary>A client for setup calls (not the load generator's).</summary>
    public HttpClient Admin { get; }

    public ChildProcess Process => _process;

    /// <summary>
    /// Starts the service with <paramref name="settings"/> added to its environment; on a fresh SQLite file, or on
    /// <paramref name="postgres"/> (an Npgsql connection string) when given.
    /// </summary>
    public static async Task<Service> StartAsync(
        string apiDll, string folder, bool dispatcher, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? settings = null,
        string? postgres = null)
    {
        Directory.CreateDirectory(folder);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var port = ChildProcess.FreePort();
        var databasePath = Path.Combine(folder, "bench.db");
        var internalKey = "bench-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Urls"] = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
            ["Database__Provider"] = postgres is null ? "Sqlite" : "PostgreSql",
            ["ConnectionStrings__CleanWebhooks"] = postgres ?? $"Data Source={databasePath}",
            ["Secrets__KeyDirectory"] = Path.Combine(folder, "keys"),
            ["Internal__ApiKeys__0"] = internalKey,
            ["Delivery__AllowPrivateNetworks"] = "true",
            ["Delivery__DispatcherEnabled"] = dispatcher ? "true" : "false",
            ["Logging__LogLevel__Default"] = "Warning",

            // The read scenario drives one key at thousands of requests a second: it measures the service, not the limiter.
            ["RateLimiting__PermitsPerSecond"] = "0",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        var process = ChildProcess.Start("service", apiDll, [], environment, port, Path.Combine(folder, "service.log"));
        var admin = new HttpClient { BaseAddress = process.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var service = new Service(process, databasePath, internalKey, admin);
        try
        {
            await process.WaitReadyAsync(admin, "/health/ready", TimeSpan.FromSeconds(60), cancellationToken);
            Progress.Line($"  service ({(postgres is null ? "SQLite" : "PostgreSQL")}, dispatcher {(dispatcher ? "on" : "off")}) ready in {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s, pid {process.Id}");
            return service;
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates a client through the internal API and a POST webhook of type 0 for it to <paramref name="url"/>.</summary>
    public async Task<Integrator> CreateIntegratorAsync(string name, string url, CancellationToken cancellationToken)
    {
        using var createClient = new HttpRequestMessage(HttpMethod.Post, "/internal/clients") { Content = JsonContent.Create(new { name }) };
        createClient.Headers.Add("X-INTERNAL-KEY", InternalKey);
        using var clientResponse = await Admin.SendAsync(createClient, cancellationToken);
        var client = await ReadAsync(clientResponse, HttpStatusCode.Created, "create client", cancellationToken);

        var apiKey = client.GetProperty("apiKey").GetString()!;
        using var createWebhook = new HttpRequestMessage(HttpMethod.Post, "/api_document/document_webhooks")
        {
            Content = JsonContent.Create(new { name = "Bench receiver", type = 0, method = "POST", url }),
        };
        createWebhook.Headers.Add("X-API-KEY", apiKey);
        using var webhookResponse = await Admin.SendAsync(createWebhook, cancellationToken);
        var webhook = await ReadAsync(webhookResponse, HttpStatusCode.OK, "create webhook", cancellationToken);

        return new Integrator(client.GetProperty("id").GetGuid(), apiKey, webhook.GetProperty("id").GetGuid());
    }

    /// <summary>
    /// Creates <paramref name="count"/> clients, each with one webhook to <paramref name="url"/>(its number), named
    /// <paramref name="prefix"/>-number, through the real APIs, 16 at a time; in the order of their numbers.
    /// </summary>
    public async Task<List<Integrator>> CreateIntegratorsAsync(int count, Func<int, string> url, string prefix, CancellationToken cancellationToken)
    {
        var created = new Integrator[count];
        var done = 0;
        await using (Progress.Start($"{prefix}: {count:N0} clients and webhooks through the APIs", () => $"created {Volatile.Read(ref done):N0}"))
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken },
                async (i, token) =>
                {
                    created[i] = await CreateIntegratorAsync($"{prefix}-{i.ToString(CultureInfo.InvariantCulture)}", url(i), token);
                    Interlocked.Increment(ref done);
                });
        }

        return [.. created];
    }

    /// <summary>Stops the service; a second call (a scenario that stopped it early) does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        Admin.Dispose();
        await _process.DisposeAsync();
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpStatusCode expected, string what, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode != expected)
        {
            throw new InvalidOperationException($"Setup call '{what}' answered {(int)response.StatusCode}: {body}");
        }

        return JsonDocument.Parse(body).RootElement.Clone();
    }
}

/// <summary>The service's flow-control settings at their defaults (README, "Flow control"): the bench never sets them.</summary>
internal static class DeliveryDefaults
{
    /// <summary><c>Delivery:InitialWindow</c>: what a webhook is sent at once before its receiver answered <c>2xx</c>.</summary>
    public const int InitialWindow = 4;

    /// <summary><c>Delivery:MaxPerWebhook</c>: the largest send window of a webhook on one node.</summary>
    public const int MaxPerWebhook = 64;
}

/// <summary>A client of the service with its API key and its one webhook.</summary>
internal sealed record Integrator(Guid ClientId, string ApiKey, Guid WebhookId);

/// <summary>The baseline server (<see cref="BaselineServer"/>) in its own process.</summary>
internal sealed class Baseline : IAsyncDisposable
{
    private Baseline(ChildProcess process) => Process = process;

    public ChildProcess Process { get; }

    public Uri BaseAddress => Process.BaseAddress;

    public static async Task<Baseline> StartAsync(string readDatabase, string folder, CancellationToken cancellationToken, Uri? forwardTo = null)
    {
        Directory.CreateDirectory(folder);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var port = ChildProcess.FreePort();
        var self = typeof(Baseline).Assembly.Location;
        string[] arguments =
        [
            BaselineServer.Flag,
            "--urls", $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
            "--read-db", readDatabase,
            "--write-db", Path.Combine(folder, "baseline.db"),
            .. forwardTo is null ? Array.Empty<string>() : ["--forward-to", forwardTo.ToString()],
        ];
        var environment = new Dictionary<string, string> { ["Logging__LogLevel__Default"] = "Warning" };
        var process = ChildProcess.Start("baseline", self, arguments, environment, port, Path.Combine(folder, "baseline.log"));
        var baseline = new Baseline(process);
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            await process.WaitReadyAsync(http, BaselineServer.ReadyPath, TimeSpan.FromSeconds(60), cancellationToken);
            Progress.Line($"  baseline server ready in {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s, pid {process.Id}");
            return baseline;
        }
        catch
        {
            await baseline.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
