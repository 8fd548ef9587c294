using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace CleanWebhooks.Delivery.Tests;

public sealed class RetryTests : DeliveryFixture
{
    [Fact]
    public async Task TwoFailuresThenSuccess_SucceedsOnThirdAttemptWithThreeRows()
    {
        Receiver.Respond = (_, before) => before < 2 ? new ReceiverAnswer(500, "boom") : ReceiverAnswer.Ok;
        using var integrator = await Factory.CreateIntegratorAsync();
        var webhook = await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"));

        var (_, deliveryId) = await Factory.ReportAsync(integrator.ClientId, "d1");

        var delivery = await integrator.WaitForStatusAsync(webhook.Id(), deliveryId!.Value, "succeeded");
        Assert.Equal(3, delivery.GetProperty("attemptCount").GetInt32());
        var attempts = delivery.GetProperty("attempts").EnumerateArray().ToList();
        Assert.Equal([1, 2, 3], attempts.Select(a => a.GetProperty("number").GetInt32()));
        Assert.Equal([500, 500, 200], attempts.Select(a => a.GetProperty("statusCode").GetInt32()));
        Assert.Equal("boom", attempts[0].GetProperty("responseExcerpt").GetString());
        Assert.All(Receiver.Requests, r => Assert.Equal(deliveryId.ToString(), r.Header("webhook-id")));
    }

    [Fact]
    public async Task Gone_StopsAtOnce()
    {
        Receiver.Respond = (_, _) => new ReceiverAnswer(410);
        using var integrator = await Factory.CreateIntegratorAsync();
        var webhook = await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"));

        var (_, deliveryId) = await Factory.ReportAsync(integrator.ClientId, "d1");

        var delivery = await integrator.WaitForStatusAsync(webhook.Id(), deliveryId!.Value, "failed");
        Assert.Equal(1, delivery.GetProperty("attemptCount").GetInt32());
        await Task.Delay(300);
        Assert.Single(Receiver.Requests);
    }

    [Fact]
    public async Task ScheduleEnds_Failed()
    {
        Receiver.Respond = (_, _) => new ReceiverAnswer(503);
        using var integrator = await Factory.CreateIntegratorAsync();
        var webhook = await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"));

        var (_, deliveryId) = await Factory.ReportAsync(integrator.ClientId, "d1");

        var delivery = await integrator.WaitForStatusAsync(webhook.Id(), deliveryId!.Value, "failed");
        Assert.Equal(3, delivery.GetProperty("attemptCount").GetInt32());
        Assert.Equal(JsonValueKind.Null, delivery.GetProperty("nextAttemptAt").ValueKind);
        Assert.Equal(503, delivery.GetProperty("lastStatusCode").GetInt32());
    }

    [Fact]
    public async Task Timeout_RecordedAsFailure()
    {
        Receiver.Respond = (_, before) => before == 0 ? new ReceiverAnswer(200, Delay: TimeSpan.FromSeconds(3)) : ReceiverAnswer.Ok;
        using var integrator = await Factory.CreateIntegratorAsync();
        var webhook = await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"));

        var (_, deliveryId) = await Factory.ReportAsync(integrator.ClientId, "d1");

        var delivery = await integrator.WaitForStatusAsync(webhook.Id(), deliveryId!.Value, "succeeded");
        var first = delivery.GetProperty("attempts")[0];
        Assert.Equal("timeout", first.GetProperty("error").GetString());
        Assert.Equal(JsonValueKind.Null, first.GetProperty("statusCode").ValueKind);
    }

    [Fact]
    public async Task Redirect_NotFollowedAndFailed()
    {
        Receiver.Respond = (request, _) => request.Path.StartsWith("/elsewhere", StringComparison.Ordinal)
            ? ReceiverAnswer.Ok
            : new ReceiverAnswer(302, Headers: new Dictionary<string, string> { ["Location"] = Receiver.Url("/elsewhere") });
        using var integrator = await Factory.CreateIntegratorAsync();
        var webhook = await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"));

        var (_, deliveryId) = await Factory.ReportAsync(integrator.ClientId, "d1");

        var delivery = await integrator.WaitForStatusAsync(webhook.Id(), deliveryId!.Value, "failed");
        Assert.Equal(302, delivery.GetProperty("lastStatusCode").GetInt32());
        Assert.DoesNotContain(Receiver.Requests, r => r.Path.StartsWith("/elsewhere", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ManualRetry_OfFailedDelivery_Delivers()
    {
        var down = true;
        Receiver.Respond = (_, _) => Volatile.Read(ref down) ? new ReceiverAnswer(500) : ReceiverAnswer.Ok;
        using var integrator = await Factory.CreateIntegratorAsync();
        var webhook = await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"));
        var (_, deliveryId) = await Factory.ReportAsync(integrator.ClientId, "d1");
        await integrator.WaitForStatusAsync(webhook.Id(), deliveryId!.Value, "failed");
        Volatile.Write(ref down, false);

        using var retry = await integrator.Http.PostAsync($"/api_document/document_webhooks/{webhook.Id()}/deliveries/{deliveryId}/retry", null);

        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        var delivery = await integrator.WaitForStatusAsync(webhook.Id(), deliveryId.Value, "succeeded");
        Assert.Equal(4, delivery.GetProperty("attemptCount").GetInt32());
    }

    [Fact]
    public async Task RetryAfter_On429_Honoured()
    {
        Receiver.Respond = (_, before) => before == 0
            ? new ReceiverAnswer(429, Headers: new Dictionary<string, string> { ["Retry-After"] = "1" })
            : ReceiverAnswer.Ok;
        using var integrator = await Factory.CreateIntegratorAsync();
        var webhook = await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"));

        var (_, deliveryId) = await Factory.ReportAsync(integrator.ClientId, "d1");

        var delivery = await integrator.WaitForStatusAsync(webhook.Id(), deliveryId!.Value, "succeeded");
        var attempts = delivery.GetProperty("attempts");
        var gap = attempts[1].GetProperty("startedAt").GetDateTimeOffset() - attempts[0].GetProperty("startedAt").GetDateTimeOffset();
        Assert.True(gap >= TimeSpan.FromSeconds(0.95), $"Retried after {gap}, before the receiver's Retry-After of 1 s.");
    }

    [Fact]
    public async Task DeleteWebhook_CancelsPendingDeliveries_NothingSentAfter()
    {
        Factory.Settings["Delivery:RetrySchedule:0"] = "00:00:00.500";
        Receiver.Respond = (_, _) => new ReceiverAnswer(500);
        using var integrator = await Factory.CreateIntegratorAsync();
        var webhook = await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"));
        var (_, deliveryId) = await Factory.ReportAsync(integrator.ClientId, "d1");
        await Receiver.WaitForAsync(1);

        using var deleted = await integrator.Http.DeleteAsync($"/api_document/document_webhooks/{webhook.Id()}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await Task.Delay(1000);
        Assert.Single(Receiver.Requests);
        await using var connection = new SqliteConnection($"Data Source={Factory.DatabasePath}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT status FROM deliveries WHERE id = $id";
        command.Parameters.AddWithValue("$id", deliveryId!.Value);
        Assert.Equal("cancelled", await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task IdempotencyKey_SameKeyTwice_SameAnswerOneDelivery()
    {
        using var integrator = await Factory.CreateIntegratorAsync();
        await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"));

        var first = await Factory.ReportAsync(integrator.ClientId, "d1", idempotencyKey: "k-1");
        var second = await Factory.ReportAsync(integrator.ClientId, "d1", idempotencyKey: "k-1");
        var other = await Factory.ReportAsync(integrator.ClientId, "d1", idempotencyKey: "k-2");

        Assert.Equal(first, second);
        Assert.NotEqual(first.DeliveryId, other.DeliveryId);
        await Receiver.WaitForAsync(2);
        await Task.Delay(300);
        Assert.Equal(2, Receiver.Requests.Count);
    }

    [Fact]
    public async Task IdempotencyKey_TwentyConcurrentReports_OneEventOneDelivery()
    {
        using var integrator = await Factory.CreateIntegratorAsync();
        await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"));

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Factory.ReportAsync(integrator.ClientId, "d1", idempotencyKey: "same")));

        Assert.Single(answers.Distinct());
        await Receiver.WaitForAsync(1);
        await Task.Delay(300);
        Assert.Single(Receiver.Requests);
        await using var connection = new SqliteConnection($"Data Source={Factory.DatabasePath}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM events";
        Assert.Equal(1L, await command.ExecuteScalarAsync());
    }
}
