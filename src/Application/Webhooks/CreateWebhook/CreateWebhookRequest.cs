using System.Text.Json;

namespace CleanWebhooks.Application.Webhooks.CreateWebhook;

/// <summary>The payload of <c>POST /api_document/document_webhooks</c>, exactly the seed page's table.</summary>
public sealed record CreateWebhookRequest(
    string? Name,
    int? Type,
    string? Method,
    Dictionary<string, string>? Headers,
    string? HeaderAuth,
    string? Url,
    string? Authorization,
    string? AuthorizationUrl,
    string? AuthorizationMethod,
    Dictionary<string, string>? AuthorizationHeaders,
    JsonElement? AuthorizationBody,
    string? AuthorizationResponseTokenAttr);
