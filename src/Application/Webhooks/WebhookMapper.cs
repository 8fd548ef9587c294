using CleanWebhooks.Application.Common.Localization;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Webhooks;
using Riok.Mapperly.Abstractions;

namespace CleanWebhooks.Application.Webhooks;

/// <summary>Entity → answer. Secrets are left behind; the fixed authorization is shown redacted.</summary>
[Mapper]
public static partial class WebhookMapper
{
    [MapProperty(nameof(Webhook.RedactedAuthorization), nameof(WebhookResponse.Authorization))]
    [MapperIgnoreSource(nameof(Webhook.Authorization))]
    [MapperIgnoreSource(nameof(Webhook.AuthorizationBody))]
    [MapperIgnoreSource(nameof(Webhook.SigningSecret))]
    [MapperIgnoreSource(nameof(Webhook.SigningScheme))]
    [MapperIgnoreSource(nameof(Webhook.PreviousSigningSecret))]
    [MapperIgnoreSource(nameof(Webhook.PreviousSigningSecretExpiresAt))]
    [MapperIgnoreSource(nameof(Webhook.DeletedAt))]
    [MapperIgnoreSource(nameof(Webhook.IsDeleted))]
    [MapProperty(nameof(Webhook.Status), nameof(WebhookResponse.Status))]
    [MapProperty($"{nameof(Webhook.Health)}.{nameof(WebhookHealth.DisabledAt)}", nameof(WebhookResponse.DisabledAt))]
    [MapProperty($"{nameof(Webhook.Health)}.{nameof(WebhookHealth.DisabledReason)}", nameof(WebhookResponse.DisabledReason))]
    [MapProperty($"{nameof(Webhook.Limits)}.{nameof(WebhookLimits.MaxInFlight)}", nameof(WebhookResponse.MaxInFlight))]
    [MapProperty($"{nameof(Webhook.Limits)}.{nameof(WebhookLimits.MaxPerSecond)}", nameof(WebhookResponse.MaxPerSecond))]
    private static partial WebhookResponse Map(Webhook webhook, DateTimeOffset? pausedUntil);

    /// <summary>The answer at <paramref name="now"/>: <c>pausedUntil</c> only while the breaker holds it (<see cref="WebhookHealth.PausedUntilAt"/>).</summary>
    public static WebhookResponse ToResponse(this Webhook webhook, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        return Map(webhook, webhook.Health.PausedUntilAt(now));
    }

    private static string ToText(WebhookStatus status) => status.ToText();

    private static string? ToText(DisabledReason? reason) => HealthTexts.Sentence(reason);

    private static Guid ToGuid(WebhookId id) => id.Value;

    private static Guid ToGuid(ClientId id) => id.Value;

    private static int ToInt(WebhookType type) => (int)type;
}
