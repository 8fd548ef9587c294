using System.Diagnostics;
using CleanWebhooks.Application.Deliveries.AttemptDelivery;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;
using CleanWebhooks.Infrastructure.Delivery;
using CleanWebhooks.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace CleanWebhooks.Delivery.Tests;

/// <summary>
/// The integrator's own limits hold across nodes (contract section 5): two nodes of the service on one PostgreSQL
/// database both dispatch the same webhooks, and the receiver still never gets more than <c>maxInFlight</c> at once nor
/// more than <c>maxPerSecond</c> started in any one second. The database coordinates it: each claim of a webhook
/// locks it and counts the leases every node committed before.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class FlowControlAcrossNodesTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly ApiFactory _first = new();
    private ApiFactory _second = null!;
    private LoopbackReceiver _receiver = null!;
    private string _connectionString = null!;
    private readonly int[] _sent = new int[2];

    public async Task InitializeAsync()
    {
        _connectionString = await TestPostgres.CreateDatabaseAsync("flow");
        _first.Settings["Database:Provider"] = "PostgreSql";
        _first.Settings["ConnectionStrings:CleanWebhooks"] = _connectionString;
        _first.Settings["Delivery:PollInterval"] = "00:00:00.200";
        _second = ApiFactory.SharingDatabaseWith(_first);
        CountSends(_first, 0);
        CountSends(_second, 1);
        _receiver = await LoopbackReceiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _second.DisposeAsync();
        await _first.DisposeAsync();
        await _receiver.DisposeAsync();
        await TestPostgres.DropDatabaseAsync(_connectionString);
    }

    [Fact]
    public async Task MaxInFlightFour_TwoNodesOnePostgres_ReceiverNeverGetsMoreAtOnce()
    {
        _receiver.Respond = (_, _) => new ReceiverAnswer(204, Delay: TimeSpan.FromMilliseconds(100));
        using var integrator = await _first.CreateIntegratorAsync("Careful");
        var webhook = await integrator.CreateWebhookAsync(_receiver.Url("/hook/:id"));
        await integrator.SetLimitsAsync(webhook.Id(), maxInFlight: 4, maxPerSecond: null);
        _ = _second.Services; // the second node's dispatcher starts

        await ReportAsync(integrator.ClientId, 120);
        await _receiver.WaitForAsync(120, TimeSpan.FromSeconds(60));

        output.WriteLine($"At most {_receiver.MaxInFlight} at once; node sends {_sent[0]} + {_sent[1]}.");
        Assert.Equal(4, _receiver.MaxInFlight);
        Assert.All(_sent, sent => Assert.True(sent > 0, $"One node sent nothing ({_sent[0]} + {_sent[1]}): this proves nothing across nodes."));
    }

    [Fact]
    public async Task MaxPerSecondTwentyFive_TwoNodesOnePostgres_NoSecondHoldsMoreStarts()
    {
        using var integrator = await _first.CreateIntegratorAsync("Paced");
        var webhook = await integrator.CreateWebhookAsync(_receiver.Url("/hook/:id"));
        await integrator.SetLimitsAsync(webhook.Id(), maxInFlight: null, maxPerSecond: 25);
        _ = _second.Services;

        await FlowControlTests.WarmUpAsync(_receiver);

        await ReportAsync(integrator.ClientId, 100);
        var arrivals = (await _receiver.WaitForAsync(101, TimeSpan.FromSeconds(60))).Where(r => r.Path.StartsWith("/hook/", StringComparison.Ordinal))
            .Select(r => r.Arrived).Order().ToList();

        // Started, as the service recorded each attempt's start (what the limit counts), and arrived, as the receiver
        // saw them: each a steady time after its recorded start, so that the starts recorded are when requests went out.
        var starts = await FlowControlTests.WaitForStartsAsync(arrivals.Count, StartsAsync);
        var busiest = FlowControlTests.BusiestSecond(starts);
        var spread = FlowControlTests.TransitSpread(starts, arrivals);
        output.WriteLine($"At most {busiest} started in any one second over {Stopwatch.GetElapsedTime(arrivals[0], arrivals[^1]).TotalSeconds:F2} s, " +
            $"transit times within {spread.TotalMilliseconds:F0} ms; node sends {_sent[0]} + {_sent[1]}.");
        Assert.InRange(busiest, 18, 25);
        Assert.True(spread < FlowControlTests.MaxTransitSpread, $"Transit times spread over {spread.TotalMilliseconds:F0} ms: the recorded starts are not when the requests went out.");
        Assert.All(_sent, sent => Assert.True(sent > 0, $"One node sent nothing ({_sent[0]} + {_sent[1]}): this proves nothing across nodes."));
    }

    /// <summary>The recorded start of every attempt, as <see cref="Stopwatch"/> ticks from the first.</summary>
    private async Task<List<long>> StartsAsync()
    {
        await using var connection = new Npgsql.NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT started_at FROM delivery_attempts ORDER BY started_at;", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var starts = new List<long>();
        DateTime? first = null;
        while (await reader.ReadAsync())
        {
            var started = reader.GetDateTime(0);
            first ??= started;
            starts.Add((long)((started - first.Value).TotalSeconds * Stopwatch.Frequency));
        }

        return starts;
    }

    /// <summary>Half the events through each node's intake.</summary>
    private async Task ReportAsync(Guid clientId, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await (i % 2 == 0 ? _first : _second).ReportAsync(clientId, $"doc-{i}");
        }
    }

    /// <summary>Counts the attempts one node sends, around its real sender.</summary>
    private void CountSends(ApiFactory node, int index) =>
        node.TestServices.Add(services => services.AddSingleton<IDeliverySender>(sp => new CountingSender(sp.GetRequiredService<WebhookSender>(), () => Interlocked.Increment(ref _sent[index]))));

    private sealed class CountingSender(IDeliverySender inner, Action sent) : IDeliverySender
    {
        public Task<DeliveryAttempt?> SendAsync(
            Webhook webhook, DeliveryId deliveryId, DeliveryMessage message, int attemptNumber, DateTimeOffset? startBy, CancellationToken cancellationToken)
        {
            sent();
            return inner.SendAsync(webhook, deliveryId, message, attemptNumber, startBy, cancellationToken);
        }
    }
}
