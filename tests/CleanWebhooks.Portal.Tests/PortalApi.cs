using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace CleanWebhooks.Portal.Tests;

/// <summary>What the portal tests do through the real HTTP API: the platform's side and the integrator's.</summary>
internal static class PortalApi
{
    public sealed record Session(string Url, DateTimeOffset ExpiresAt);

    /// <summary>Opens a portal session for a client through the internal API.</summary>
    public static async Task<Session> OpenPortalSessionAsync(this ApiFactory factory, Guid clientId)
    {
        using var admin = factory.CreateInternalClient();
        using var response = await admin.PostAsync(new Uri($"/internal/clients/{clientId}/portal_sessions", UriKind.Relative), null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"Open portal session: {(int)response.StatusCode} {body}");
        return JsonSerializer.Deserialize<Session>(body, JsonSerializerOptions.Web)!;
    }

    /// <summary>Ends every portal session of a client through the internal API; the answer's status is returned.</summary>
    public static async Task<HttpStatusCode> EndPortalSessionsAsync(this ApiFactory factory, Guid clientId)
    {
        using var admin = factory.CreateInternalClient();
        using var response = await admin.DeleteAsync(new Uri($"/internal/clients/{clientId}/portal_sessions", UriKind.Relative));
        return response.StatusCode;
    }

    public static async Task<Guid> CreateWebhookAsync(this Integrator integrator, string name, string url)
    {
        using var response = await integrator.Http.PostAsJsonAsync(
            "/api_document/document_webhooks", new { name, type = 0, method = "POST", url, authorization = "Bearer receiver-token" });
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, $"Create webhook: {(int)response.StatusCode} {json}");
        return json.GetProperty("id").GetGuid();
    }

    public static async Task<string> GetSecretAsync(this Integrator integrator, Guid webhookId)
    {
        var json = await integrator.Http.GetFromJsonAsync<JsonElement>($"/api_document/document_webhooks/{webhookId}/secret");
        return json.GetProperty("key").GetString()!;
    }

    /// <summary>Reports a finished document as the platform does; returns the delivery's id.</summary>
    public static async Task<Guid> ReportAsync(this ApiFactory factory, Guid clientId, string documentId)
    {
        using var admin = factory.CreateInternalClient();
        using var response = await admin.PostAsJsonAsync("/internal/document_events", new { clientId, documentId, type = 0 });
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"Report: {(int)response.StatusCode} {json}");
        return json.GetProperty("deliveryId").GetGuid();
    }

    public static async Task<JsonElement> GetDeliveryAsync(this Integrator integrator, Guid webhookId, Guid deliveryId) =>
        await integrator.Http.GetFromJsonAsync<JsonElement>($"/api_document/document_webhooks/{webhookId}/deliveries/{deliveryId}");

    /// <summary>Polls until the delivery has made <paramref name="attempts"/> attempts; fails after 20 s.</summary>
    public static async Task<JsonElement> WaitForAttemptsAsync(this Integrator integrator, Guid webhookId, Guid deliveryId, int attempts)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var delivery = await integrator.GetDeliveryAsync(webhookId, deliveryId);
            if (delivery.GetProperty("attemptCount").GetInt32() >= attempts)
            {
                return delivery;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The delivery never made {attempts} attempts: {delivery}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Polls until exactly <paramref name="count"/> deliveries of the webhook are pending; fails after 20 s.</summary>
    public static async Task WaitForPendingAsync(this Integrator integrator, Guid webhookId, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var page = await integrator.Http.GetFromJsonAsync<JsonElement>($"/api_document/document_webhooks/{webhookId}/deliveries?status=pending&limit=100");
            var pending = page.GetProperty("items").GetArrayLength();
            if (pending == count)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{pending} deliveries stayed pending, not {count}.");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Polls the webhook through the API until <paramref name="condition"/> holds; fails after 30 s.</summary>
    public static async Task<JsonElement> WaitForWebhookAsync(this Integrator integrator, Guid webhookId, Func<JsonElement, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var webhook = await integrator.Http.GetFromJsonAsync<JsonElement>($"/api_document/document_webhooks/{webhookId}");
            if (condition(webhook))
            {
                return webhook;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The webhook never reached the expected state: {webhook}");
            }

            await Task.Delay(100);
        }
    }
}
