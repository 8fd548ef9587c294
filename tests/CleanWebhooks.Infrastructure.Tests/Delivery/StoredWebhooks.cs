using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Webhooks;

namespace CleanWebhooks.Infrastructure.Tests.Delivery;

/// <summary>Webhooks as a repository would restore them: no rule is re-checked on the way in.</summary>
internal static class StoredWebhooks
{
    /// <summary>A POST webhook to a local url with <paramref name="headers"/>, created and updated at <paramref name="at"/>.</summary>
    public static Webhook Post(IReadOnlyDictionary<string, string> headers, DateTimeOffset at) => Webhook.Restore(new Webhook.Snapshot(
        WebhookId.New(), new ClientId(Guid.NewGuid()), "w", WebhookType.DocumentFinished, "POST", headers, null,
        "http://127.0.0.1:9/hook/:id", null, null, null, null, null, null, SigningSecret.Generate(), null, null, at, at, null));
}
