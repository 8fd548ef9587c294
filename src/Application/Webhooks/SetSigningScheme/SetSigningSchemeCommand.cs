using CleanWebhooks.Application.Common.Abstractions;
using CleanWebhooks.Application.Common.Localization;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Common;
using CleanWebhooks.Domain.Webhooks;
using FluentValidation;
using Mediator;

namespace CleanWebhooks.Application.Webhooks.SetSigningScheme;

/// <summary>The body of <c>PUT /api_document/document_webhooks/{id}/signing</c>.</summary>
public sealed record SetSigningSchemeRequest(string? Scheme);

/// <summary>The webhook's signing scheme now, and the public key receivers verify with (null under <c>hmac-sha256</c>).</summary>
public sealed record SigningSchemeResponse(string Scheme, string? PublicKey);

/// <summary>
/// Signs the webhook's deliveries with <paramref name="Scheme"/> from now on. A change of scheme is a rotation: for 24 h
/// the old key signs beside the new one. The scheme the webhook already has changes nothing (no rotation).
/// </summary>
public sealed record SetSigningSchemeCommand(ClientId ClientId, WebhookId WebhookId, string? Scheme) : ICommand<Result<SigningSchemeResponse>>
{
    public static SetSigningSchemeCommand From(ClientId clientId, WebhookId webhookId, SetSigningSchemeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new(clientId, webhookId, request.Scheme);
    }
}

public sealed class SetSigningSchemeCommandValidator : AbstractValidator<SetSigningSchemeCommand>
{
    public SetSigningSchemeCommandValidator() =>
        RuleFor(c => c.Scheme).NotEmpty()
            .Must(s => SigningSchemes.TryParse(s, out _)).When(c => !string.IsNullOrEmpty(c.Scheme), ApplyConditionTo.CurrentValidator)
            .WithMessage(_ => Text.Of(WebhookErrors.InvalidSigningScheme));
}

public sealed class SetSigningSchemeCommandHandler(IWebhookRepository webhooks, ISigningPublicKeys publicKeys, TimeProvider clock)
    : ICommandHandler<SetSigningSchemeCommand, Result<SigningSchemeResponse>>
{
    public async ValueTask<Result<SigningSchemeResponse>> Handle(SetSigningSchemeCommand command, CancellationToken cancellationToken)
    {
        if (!SigningSchemes.TryParse(command.Scheme, out var scheme))
        {
            return WebhookErrors.InvalidSigningScheme;
        }

        var changed = await SigningKeyChange.ApplyAsync(
            webhooks, command.ClientId, command.WebhookId, (webhook, now) => webhook.ChangeSigningScheme(scheme, now), clock, cancellationToken);
        return changed.IsSuccess
            ? new SigningSchemeResponse(changed.Value.SigningScheme.ToText(), publicKeys.PublicKeyOf(changed.Value.SigningSecret))
            : changed.Error;
    }
}
