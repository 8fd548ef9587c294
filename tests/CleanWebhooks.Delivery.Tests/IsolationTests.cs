using System.Collections.Concurrent;
using CleanWebhooks.Delivery.Tests.Operations;
using CleanWebhooks.Testing;
using Microsoft.Data.Sqlite;

namespace CleanWebhooks.Delivery.Tests;

/// <summary>One integrator's hanging receiver must not delay another integrator's deliveries (contract section 5, fair share).</summary>
public sealed class IsolationTests : DeliveryFixture
{
    private LoopbackReceiver _hanging = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _hanging = await LoopbackReceiver.StartAsync();
        _hanging.Respond = (_, _) => new ReceiverAnswer(200, Delay: TimeSpan.FromMinutes(10)); // accepts, never answers
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _hanging.DisposeAsync();
    }

    [Fact]
    public async Task HangingReceiverWithHundredsDue_OtherClientsDeliveries_ArriveWhileItIsStuck()
    {
        // Attempts to the hanging receiver stay stuck for the whole test: no timeout, so no breaker either.
        Factory.Settings["Delivery:Timeout"] = "00:03:00";
        Factory.Settings["Delivery:MaxConcurrency"] = "16";
        using var stuck = await Factory.CreateIntegratorAsync("Hanging");
        using var healthy = await Factory.CreateIntegratorAsync("Healthy");
        await stuck.CreateWebhookAsync(_hanging.Url("/hook/:id"));
        await healthy.CreateWebhookAsync(Receiver.Url("/hook/:id"));

        await ReportManyAsync(stuck.ClientId, "stuck", 300);
        await _hanging.WaitForAsync(4, TimeSpan.FromSeconds(30));
        var healthyIds = await ReportManyAsync(healthy.ClientId, "fine", 50);

        await Receiver.WaitForAsync(50, TimeSpan.FromSeconds(60));
        Assert.Equal(healthyIds.Select(id => id.ToString()).Order(), Receiver.Requests.Select(r => r.Header("webhook-id")!).Order());

        // Meanwhile the hanging webhook never held more than its share of 4 attempts, and all of them are still stuck.
        var attempts = await CountAsync(
            "SELECT COUNT(*) FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id JOIN events e ON e.id = d.event_id WHERE e.document_id LIKE 'stuck-%'");
        Assert.True(_hanging.Requests.Count == 4, $"The hanging receiver got {_hanging.Requests.Count} requests; {attempts} of its attempts ended.");
        Assert.Equal(300, await CountAsync(
            "SELECT COUNT(*) FROM deliveries d JOIN events e ON e.id = d.event_id WHERE e.document_id LIKE 'stuck-%' AND d.status = 'pending' AND d.attempt_count = 0"));
    }

    [Fact]
    public async Task MaxPerWebhookTwo_HangingReceiver_GetsTwoAttemptsAtOnce()
    {
        Factory.Settings["Delivery:Timeout"] = "00:03:00";
        Factory.Settings["Delivery:MaxPerWebhook"] = "2";
        using var stuck = await Factory.CreateIntegratorAsync("Hanging");
        using var healthy = await Factory.CreateIntegratorAsync("Healthy");
        await stuck.CreateWebhookAsync(_hanging.Url("/hook/:id"));
        await healthy.CreateWebhookAsync(Receiver.Url("/hook/:id"));

        await ReportManyAsync(stuck.ClientId, "stuck", 20);
        await _hanging.WaitForAsync(2, TimeSpan.FromSeconds(30));

        // A delivery of another webhook reported after them went out: the claim had looked past the hanging ones.
        await ReportManyAsync(healthy.ClientId, "fine", 1);
        await Receiver.WaitForAsync(1, TimeSpan.FromSeconds(30));
        Assert.Equal(2, _hanging.Requests.Count);
    }

    [Fact]
    public async Task ShareFullWhenReported_BacklogOfOneWebhook_GoesOutAsSlotsFreeWithoutWaitingForThePoll()
    {
        Factory.Settings["Delivery:MaxPerWebhook"] = "1";
        Factory.Settings["Delivery:PollInterval"] = "00:05:00";
        Receiver.Respond = (_, _) => new ReceiverAnswer(200, Delay: TimeSpan.FromMilliseconds(20));
        using var integrator = await Factory.CreateIntegratorAsync();
        await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"));

        // Reported at once, they find the webhook's one slot taken; each recorded outcome frees it for the next.
        await ReportManyAsync(integrator.ClientId, "d", 30);

        await Receiver.WaitForAsync(30, TimeSpan.FromSeconds(30));
    }

    private async Task<List<Guid>> ReportManyAsync(Guid clientId, string prefix, int count)
    {
        var ids = new ConcurrentBag<Guid>();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            var (_, deliveryId) = await Factory.ReportAsync(clientId, $"{prefix}-{i}");
            ids.Add(deliveryId!.Value);
        });
        return [.. ids];
    }

    private Task<long> CountAsync(string sql) => new StoredRows(Factory.DatabasePath).CountAsync(sql);
}
