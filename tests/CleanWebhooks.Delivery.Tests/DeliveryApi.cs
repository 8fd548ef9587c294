using System.Net.Http.Json;
using System.Text.Json;
using CleanWebhooks.Testing;

namespace CleanWebhooks.Delivery.Tests;

/// <summary>The calls delivery tests make, through the real HTTP API.</summary>
internal static class DeliveryApi
{
    public static async Task<JsonElement> CreateWebhookAsync(this Integrator integrator, object body)
    {
        using var response = await integrator.Http.PostAsJsonAsync("/api_document/document_webhooks", body);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, $"Create webhook: {(int)response.StatusCode} {json}");
        return json;
    }

    public static Task<JsonElement> CreateWebhookAsync(this Integrator integrator, string url, string method = "POST", string? authorization = null) =>
        integrator.CreateWebhookAsync(new { name = "Webhook 1", type = 0, method, url, authorization });

    /// <summary>Reports a finished document; returns (eventId, deliveryId).</summary>
    public static async Task<(Guid EventId, Guid? DeliveryId)> ReportAsync(
        this ApiFactory factory, Guid clientId, string documentId, object? data = null, string? idempotencyKey = null)
    {
        using var admin = factory.CreateInternalClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/internal/document_events")
        {
            Content = JsonContent.Create(new { clientId, documentId, type = 0, data }),
        };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        using var response = await admin.SendAsync(request);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Accepted, $"Report: {(int)response.StatusCode} {json}");
        var delivery = json.GetProperty("deliveryId");
        return (json.GetProperty("eventId").GetGuid(), delivery.ValueKind == JsonValueKind.Null ? null : delivery.GetGuid());
    }

    public static async Task<JsonElement> GetDeliveryAsync(this Integrator integrator, Guid webhookId, Guid deliveryId)
    {
        using var response = await integrator.Http.GetAsync($"/api_document/document_webhooks/{webhookId}/deliveries/{deliveryId}");
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, $"Get delivery: {(int)response.StatusCode} {json}");
        return json;
    }

    /// <summary>Polls the delivery until its status is <paramref name="status"/>; fails after <paramref name="timeout"/>.</summary>
    public static async Task<JsonElement> WaitForStatusAsync(
        this Integrator integrator, Guid webhookId, Guid deliveryId, string status, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var delivery = await integrator.GetDeliveryAsync(webhookId, deliveryId);
            if (delivery.GetProperty("status").GetString() == status)
            {
                return delivery;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Delivery never became {status}: {delivery}");
            }

            await Task.Delay(25);
        }
    }

    /// <summary>Sets the webhook's own limits (<c>PUT .../limits</c>); returns the webhook.</summary>
    public static async Task<JsonElement> SetLimitsAsync(this Integrator integrator, Guid webhookId, int? maxInFlight, int? maxPerSecond)
    {
        using var response = await integrator.Http.PutAsJsonAsync($"/api_document/document_webhooks/{webhookId}/limits", new { maxInFlight, maxPerSecond });
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, $"Set limits: {(int)response.StatusCode} {json}");
        return json;
    }

    public static async Task<JsonElement> GetWebhookAsync(this Integrator integrator, Guid webhookId) =>
        await integrator.Http.GetFromJsonAsync<JsonElement>($"/api_document/document_webhooks/{webhookId}");

    /// <summary>Polls the webhook until <paramref name="condition"/> holds; fails after 30 s.</summary>
    public static async Task<JsonElement> WaitForWebhookAsync(this Integrator integrator, Guid webhookId, Func<JsonElement, bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var webhook = await integrator.GetWebhookAsync(webhookId);
            if (condition(webhook))
            {
                return webhook;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The webhook never reached the expected state: {webhook}");
            }

            await Task.Delay(25);
        }
    }

    public static Guid Id(this JsonElement json) => json.GetProperty("id").GetGuid();
}
