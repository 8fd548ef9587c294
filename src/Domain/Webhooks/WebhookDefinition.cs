namespace CleanWebhooks.Domain.Webhooks;

/// <summary>What an integrator asks for when creating a webhook (the seed page's payload).</summary>
public sealed record WebhookDefinition(
    string Name,
    int Type,
    string Method,
    IReadOnlyDictionary<string, string>? Headers,
    string? HeaderAuth,
    string Url,
    string? Authorization,
    string? AuthorizationUrl,
    string? AuthorizationMethod,
    IReadOnlyDictionary<string, string>? AuthorizationHeaders,
    string? AuthorizationBody,
    string? AuthorizationResponseTokenAttr);
