using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Common;
using CleanWebhooks.Domain.Webhooks;
using Mediator;

namespace CleanWebhooks.Application.Webhooks.RotateSigningSecret;

/// <summary>Makes a new signing secret; the old one keeps signing beside it for 24 h so receivers can switch.</summary>
public sealed record RotateSigningSecretCommand(ClientId ClientId, WebhookId WebhookId) : ICommand<Result<SigningSecretResponse>>;

public sealed class RotateSigningSecretCommandHandler(IWebhookRepository webhooks, TimeProvider clock)
    : ICommandHandler<RotateSigningSecretCommand, Result<SigningSecretResponse>>
{
    private const int MaxAttempts = 3;

    public async ValueTask<Result<SigningSecretResponse>> Handle(RotateSigningSecretCommand command, CancellationToken cancellationToken)
    {
        // Two rotations at once must not both keep the same previous secret: the loser reads again and rotates
        // what the winner wrote, so every secret handed out signs for at least a day.
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var webhook = await webhooks.GetAsync(command.ClientId, command.WebhookId, cancellationToken);
            if (webhook is null)
            {
                return WebhookErrors.NotFound;
            }

            var readUpdatedAt = webhook.UpdatedAt;
            webhook.RotateSecret(clock.GetUtcNow().TruncatedToMicroseconds());
            if (await webhooks.UpdateSecretsAsync(webhook, readUpdatedAt, cancellationToken))
            {
                return new SigningSecretResponse(webhook.SigningSecret);
            }
        }

        return WebhookErrors.ConcurrentChange;
    }
}
