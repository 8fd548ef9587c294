using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Common;
using CleanWebhooks.Domain.Webhooks;

namespace CleanWebhooks.Application.Webhooks;

/// <summary>
/// A change of a webhook's signing key (a rotation, a new scheme), stored only if nobody changed the webhook since it
/// was read. Two changes at once must not both keep the same previous key: the loser reads again and changes what the
/// winner wrote, so every key handed out signs for at least a day.
/// </summary>
internal static class SigningKeyChange
{
    private const int MaxAttempts = 3;

    /// <summary>
    /// Applies <paramref name="change"/> (which says whether it changed anything) and stores it; the webhook as it
    /// then is, or not found, or a conflict when it kept changing under us.
    /// </summary>
    public static async ValueTask<Result<Webhook>> ApplyAsync(
        IWebhookRepository webhooks, ClientId clientId, WebhookId id, Func<Webhook, DateTimeOffset, bool> change, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var webhook = await webhooks.GetAsync(clientId, id, cancellationToken);
            if (webhook is null)
            {
                return WebhookErrors.NotFound;
            }

            var readUpdatedAt = webhook.UpdatedAt;
            if (!change(webhook, clock.GetUtcNow().TruncatedToMicroseconds())
                || await webhooks.UpdateSecretsAsync(webhook, readUpdatedAt, cancellationToken))
            {
                return webhook;
            }
        }

        return WebhookErrors.ConcurrentChange;
    }
}
