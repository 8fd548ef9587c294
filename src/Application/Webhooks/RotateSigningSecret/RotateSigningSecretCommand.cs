using CleanWebhooks.Application.Common.Abstractions;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Common;
using CleanWebhooks.Domain.Webhooks;
using Mediator;

namespace CleanWebhooks.Application.Webhooks.RotateSigningSecret;

/// <summary>Makes a new signing key of the webhook's scheme; the old one keeps signing beside it for 24 h so receivers can switch.</summary>
public sealed record RotateSigningSecretCommand(ClientId ClientId, WebhookId WebhookId) : ICommand<Result<SigningSecretResponse>>;

public sealed class RotateSigningSecretCommandHandler(IWebhookRepository webhooks, ISigningPublicKeys publicKeys, TimeProvider clock)
    : ICommandHandler<RotateSigningSecretCommand, Result<SigningSecretResponse>>
{
    public async ValueTask<Result<SigningSecretResponse>> Handle(RotateSigningSecretCommand command, CancellationToken cancellationToken)
    {
        var rotated = await SigningKeyChange.ApplyAsync(
            webhooks, command.ClientId, command.WebhookId, (webhook, now) => { webhook.RotateSecret(now); return true; }, clock, cancellationToken);
        return rotated.IsSuccess ? SigningSecretResponse.Of(rotated.Value, publicKeys) : rotated.Error;
    }
}
