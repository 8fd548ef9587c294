using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CleanWebhooks.Testing;

namespace CleanWebhooks.Delivery.Tests.Operations;

/// <summary>An answer as a storage-fault test checks it: status, <c>Retry-After</c>, content type and body.</summary>
internal sealed record Answer(HttpStatusCode Status, string? RetryAfter, string? ContentType, string Body)
{
    public static async Task<Answer> ReadAsync(HttpResponseMessage response) => new(
        response.StatusCode,
        response.Headers.RetryAfter?.Delta is { } delta ? ((int)delta.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture) : null,
        response.Content.Headers.ContentType?.MediaType,
        await response.Content.ReadAsStringAsync());

    /// <summary>A storage fault's answer: 503 problem+json with Retry-After and the code <c>storage_unavailable</c>.</summary>
    public void AssertStorageUnavailable(string what)
    {
        Assert.True(Status == HttpStatusCode.ServiceUnavailable, $"{what}: {(int)Status} {Body}");
        Assert.True(RetryAfter is not null, $"{what}: no Retry-After");
        Assert.Equal("application/problem+json", ContentType);
        using var problem = JsonDocument.Parse(Body);
        Assert.Equal(503, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("storage_unavailable", problem.RootElement.GetProperty("code").GetString());
    }
}

/// <summary>The calls a storage-fault test makes, answering whatever the service answers (no assertion on success).</summary>
internal static class FaultProbe
{
    public static async Task<Answer> TryReportAsync(this ApiFactory factory, Guid clientId, string documentId, string? language = null)
    {
        using var admin = factory.CreateInternalClient();
        if (language is not null)
        {
            admin.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);
        }

        using var response = await admin.PostAsJsonAsync("/internal/document_events", new { clientId, documentId, type = 0 });
        return await Answer.ReadAsync(response);
    }

    public static async Task<Answer> CreateClientAsync(this ApiFactory factory, string name)
    {
        using var admin = factory.CreateInternalClient();
        using var response = await admin.PostAsJsonAsync("/internal/clients", new { name });
        return await Answer.ReadAsync(response);
    }

    public static async Task<Answer> TryCreateWebhookAsync(this Integrator integrator, string url)
    {
        using var response = await integrator.Http.PostAsJsonAsync("/api_document/document_webhooks", new { name = "Webhook", type = 0, method = "POST", url });
        return await Answer.ReadAsync(response);
    }

    public static async Task<HttpStatusCode> ReadyAsync(this ApiFactory factory)
    {
        using var http = factory.CreateClient();
        using var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
        return response.StatusCode;
    }
}
