using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CleanWebhooks.Delivery.Tests.Operations;
using CleanWebhooks.Testing;
using Microsoft.Data.Sqlite;

namespace CleanWebhooks.Delivery.Tests;

/// <summary>
/// <c>POST /internal/document_events/batch</c> (contract section 10) through the real service, with a receiver on
/// 127.0.0.1: one result per event in order, refused events beside stored ones, idempotency keys, the limits.
/// </summary>
public sealed class BatchIntakeTests : DeliveryFixture
{
    [Fact]
    public async Task ReportBatch_MixedEvents_OneResultPerEventInOrderAndOnlyStoredOnesDelivered()
    {
        using var integrator = await Factory.CreateIntegratorAsync();
        using var withoutWebhook = await Factory.CreateIntegratorAsync("Without webhook");
        var webhookId = (await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"))).Id();
        var unknownClient = Guid.NewGuid();

        var (status, json) = await PostBatchAsync(new
        {
            events = new object[]
            {
                new { clientId = integrator.ClientId, documentId = "doc-1", type = 0, data = new { pages = 3 } },
                new { clientId = unknownClient, documentId = "doc-unknown-client", type = 0 },
                new { clientId = integrator.ClientId, documentId = "", type = 0 },
                new { clientId = integrator.ClientId, documentId = "doc-bad-type", type = 7 },
                new { clientId = withoutWebhook.ClientId, documentId = "doc-no-webhook", type = 0 },
                new { clientId = integrator.ClientId, documentId = "doc-2", type = 0 },
            },
        });

        Assert.True(status == HttpStatusCode.OK, $"{(int)status} {json}");
        var results = json.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(6, results.Count);
        var first = Stored(results[0]);
        Assert.NotNull(first.DeliveryId);
        var notFound = Refused(results[1], 404);
        Assert.Equal("client.not_found", notFound.GetProperty("code").GetString());
        Assert.True(Refused(results[2], 400).GetProperty("errors").TryGetProperty("documentId", out _), results[2].ToString());
        Assert.True(Refused(results[3], 400).GetProperty("errors").TryGetProperty("type", out _), results[3].ToString());
        Assert.Null(Stored(results[4]).DeliveryId);
        var last = Stored(results[5]);
        Assert.NotNull(last.DeliveryId);

        var received = await Receiver.WaitForAsync(2);
        Assert.Equal(["/hook/doc-1", "/hook/doc-2"], received.Select(r => r.Path).Order());
        Assert.Contains(received, r => r.Header("webhook-id") == first.DeliveryId.ToString() && r.Body.Contains("\"pages\":3", StringComparison.Ordinal));
        var delivered = await integrator.WaitForStatusAsync(webhookId, last.DeliveryId!.Value, "succeeded");
        Assert.Equal(last.EventId, delivered.GetProperty("eventId").GetGuid());
        await using var rows = new SqliteConnection($"Data Source={Factory.DatabasePath}");
        await rows.OpenAsync();
        await using var count = rows.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM events";
        Assert.Equal(3L, await count.ExecuteScalarAsync());
    }

    [Fact]
    public async Task ReportBatch_IdempotencyKeys_RepeatsInTheBatchAndOfSingleReportsGetTheFirstAnswer()
    {
        using var integrator = await Factory.CreateIntegratorAsync();
        await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"));
        var single = await Factory.ReportAsync(integrator.ClientId, "doc-single", idempotencyKey: "key-single");

        var (status, json) = await PostBatchAsync(new
        {
            events = new object[]
            {
                new { clientId = integrator.ClientId, documentId = "doc-a", type = 0, idempotencyKey = "key-a" },
                new { clientId = integrator.ClientId, documentId = "doc-a", type = 0, idempotencyKey = "key-a" },
                new { clientId = integrator.ClientId, documentId = "doc-single", type = 0, idempotencyKey = "key-single" },
                new { clientId = integrator.ClientId, documentId = "doc-b", type = 0, idempotencyKey = new string('k', 201) },
            },
        });

        Assert.True(status == HttpStatusCode.OK, $"{(int)status} {json}");
        var results = json.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(Stored(results[0]), Stored(results[1]));
        Assert.Equal(single, Stored(results[2]));
        Assert.True(Refused(results[3], 400).GetProperty("errors").TryGetProperty("idempotencyKey", out _), results[3].ToString());

        // A single report with a key a batch used answers the batch's receipt.
        Assert.Equal(Stored(results[0]), await Factory.ReportAsync(integrator.ClientId, "doc-a", idempotencyKey: "key-a"));

        await Receiver.WaitForAsync(2);
        await StoredRows.WaitUntilAsync(async () => await CountAsync("SELECT COUNT(*) FROM deliveries WHERE status = 'succeeded'") == 2, "both delivered");
        Assert.Equal(2L, await CountAsync("SELECT COUNT(*) FROM events"));
        Assert.Equal(2, Receiver.Requests.Count);
    }

    [Fact]
    public async Task ReportBatch_ThousandEvents_AllStoredAndDelivered()
    {
        using var integrator = await Factory.CreateIntegratorAsync();
        await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"));
        var events = Enumerable.Range(0, 1000)
            .Select(i => new { clientId = integrator.ClientId, documentId = $"doc-{i:D4}", type = 0, data = new { text = new string('x', 100) } })
            .ToArray();

        var (status, json) = await PostBatchAsync(new { events });

        Assert.True(status == HttpStatusCode.OK, $"{(int)status} {json}");
        var results = json.GetProperty("results").EnumerateArray().Select(Stored).ToList();
        Assert.Equal(1000, results.Count);
        Assert.Equal(1000, results.Select(r => r.DeliveryId).Distinct().Count());
        Assert.Equal(1000L, await CountAsync("SELECT COUNT(*) FROM events"));
        var received = await Receiver.WaitForAsync(1000, TimeSpan.FromSeconds(120));
        Assert.Equal(1000, received.Select(r => r.Path).Distinct().Count());

        // In order: the n-th result is the n-th event's (its delivery carries that document).
        var paths = received.ToDictionary(r => r.Header("webhook-id")!, r => r.Path);
        for (var i = 0; i < 1000; i += 97)
        {
            Assert.Equal($"/hook/doc-{i:D4}", paths[results[i].DeliveryId!.Value.ToString()]);
        }
    }

    [Fact]
    public async Task ReportBatch_BodyOver64KB_Accepted()
    {
        using var integrator = await Factory.CreateIntegratorAsync();
        var events = Enumerable.Range(0, 20)
            .Select(i => new { clientId = integrator.ClientId, documentId = $"doc-{i}", type = 0, data = new { text = new string('x', 10_000) } })
            .ToArray();
        var body = JsonSerializer.Serialize(new { events });
        Assert.True(body.Length > 64 * 1024);

        var (status, json) = await PostBatchAsync(body);

        Assert.True(status == HttpStatusCode.OK, $"{(int)status} {json}");
        Assert.Equal(20, json.GetProperty("results").EnumerateArray().Select(Stored).Count());
    }

    [Fact]
    public async Task ReportSingle_BodyOver64KB_StillRefused413()
    {
        using var integrator = await Factory.CreateIntegratorAsync();
        var (status, json) = await PostAsync("/internal/document_events", JsonSerializer.Serialize(
            new { clientId = integrator.ClientId, documentId = "doc", type = 0, data = new string('x', 70_000) }));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("64 KB", json.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReportBatch_BodyOver8MB_Refused413()
    {
        var (status, json) = await PostBatchAsync("{\"events\": [{\"clientId\": \"" + Guid.NewGuid() + "\", \"documentId\": \"d\", \"type\": 0, \"data\": \""
            + new string('x', 8 * 1024 * 1024) + "\"}]}");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("8192 KB", json.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1001)]
    public async Task ReportBatch_EmptyOrOverThousandEvents_400AndNothingStored(int count)
    {
        using var integrator = await Factory.CreateIntegratorAsync();
        var events = Enumerable.Range(0, count).Select(i => new { clientId = integrator.ClientId, documentId = $"doc-{i}", type = 0 }).ToArray();

        var (status, json) = await PostBatchAsync(new { events });

        Assert.True(status == HttpStatusCode.BadRequest, $"{(int)status} {json}");
        Assert.True(json.GetProperty("errors").TryGetProperty("events", out _), json.ToString());
        Assert.Equal(0L, await CountAsync("SELECT COUNT(*) FROM events"));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("{\"events\": {}}")]
    [InlineData("{\"events\": null}")]
    [InlineData("{\"items\": []}")]
    [InlineData("null")]
    [InlineData("{\"events\": [{\"clientId\": \"113d37ed-6b47-46b6-bc50-bf5d64ad3a94\", \"documentId\": \"d\", \"type\": \"0\"}]}")]
    [InlineData("{\"events\": [{\"clientId\": \"113d37ed-6b47-46b6-bc50-bf5d64ad3a94\", \"documentId\": \"d\", \"type\": 0, \"extra\": 1}]}")]
    public async Task ReportBatch_BodyNotABatch_400(string body)
    {
        var (status, json) = await PostBatchAsync(body);

        Assert.True(status == HttpStatusCode.BadRequest, $"{body}: {(int)status} {json}");
        Assert.Equal(400, json.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task ReportBatch_WithoutInternalKey_401()
    {
        using var http = Factory.CreateClient();
        using var response = await http.PostAsJsonAsync("/internal/document_events/batch", new { events = Array.Empty<object>() });
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task ReportBatch_DatabaseLocked_503AndNoResultClaimed()
    {
        Factory.Settings["Database:BusyTimeout"] = "00:00:01";
        using var integrator = await Factory.CreateIntegratorAsync();
        await integrator.CreateWebhookAsync(Receiver.Url("/hook/:id"));
        await using var holder = new SqliteConnection($"Data Source={Factory.DatabasePath};Pooling=False");
        await holder.OpenAsync();
        await using (var begin = holder.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE;";
            await begin.ExecuteNonQueryAsync();
        }

        using var admin = Factory.CreateInternalClient();
        using var response = await admin.PostAsJsonAsync("/internal/document_events/batch", new
        {
            events = Enumerable.Range(0, 10).Select(i => new { clientId = integrator.ClientId, documentId = $"doc-{i}", type = 0 }).ToArray(),
        });
        (await Answer.ReadAsync(response)).AssertStorageUnavailable("batch intake under a held lock");

        await using var rollback = holder.CreateCommand();
        rollback.CommandText = "ROLLBACK;";
        await rollback.ExecuteNonQueryAsync();
        Assert.Equal(0L, await CountAsync("SELECT COUNT(*) FROM events"));
    }

    private static (Guid EventId, Guid? DeliveryId) Stored(JsonElement result)
    {
        Assert.False(result.TryGetProperty("error", out _), $"refused: {result}");
        var delivery = result.GetProperty("deliveryId");
        return (result.GetProperty("eventId").GetGuid(), delivery.ValueKind == JsonValueKind.Null ? null : delivery.GetGuid());
    }

    private static JsonElement Refused(JsonElement result, int status)
    {
        Assert.False(result.TryGetProperty("eventId", out _), $"stored: {result}");
        Assert.False(result.TryGetProperty("deliveryId", out _), $"a refused event has only its error: {result}");
        var problem = result.GetProperty("error");
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        return problem;
    }

    private Task<(HttpStatusCode Status, JsonElement Json)> PostBatchAsync(object body) =>
        PostBatchAsync(JsonSerializer.Serialize(body));

    private Task<(HttpStatusCode Status, JsonElement Json)> PostBatchAsync(string body) => PostAsync("/internal/document_events/batch", body);

    private async Task<(HttpStatusCode Status, JsonElement Json)> PostAsync(string path, string body)
    {
        using var admin = Factory.CreateInternalClient();
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await admin.PostAsync(new Uri(path, UriKind.Relative), content);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonSerializer.Deserialize<JsonElement>(text));
    }

    private Task<long> CountAsync(string sql) => new StoredRows(Factory.DatabasePath).CountAsync(sql);
}
