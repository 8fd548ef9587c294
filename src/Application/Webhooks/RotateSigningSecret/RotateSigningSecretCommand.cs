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
    public async ValueTask<Result<SigningSecretResponse>> Handle(RotateSigningSecretCommand command, CancellationToken cancellationToken)
    {
        var webhook = await webhooks.GetAsync(command.ClientId, command.WebhookId, cancellationToken);
        if (webhook is null)
        {
            return WebhookErrors.NotFound;
        }

        webhook.RotateSecret(clock.GetUtcNow().TruncatedToMicroseconds());
        await webhooks.UpdateSecretsAsync(webhook, cancellationToken);
        return new SigningSecretResponse(webhook.SigningSecret);
    }
}
