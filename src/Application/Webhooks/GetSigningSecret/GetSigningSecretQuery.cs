using CleanWebhooks.Application.Common.Abstractions;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Common;
using CleanWebhooks.Domain.Webhooks;
using Mediator;

namespace CleanWebhooks.Application.Webhooks.GetSigningSecret;

public sealed record GetSigningSecretQuery(ClientId ClientId, WebhookId WebhookId) : IQuery<Result<SigningSecretResponse>>;

public sealed class GetSigningSecretQueryHandler(IWebhookRepository webhooks, ISigningPublicKeys publicKeys)
    : IQueryHandler<GetSigningSecretQuery, Result<SigningSecretResponse>>
{
    public async ValueTask<Result<SigningSecretResponse>> Handle(GetSigningSecretQuery query, CancellationToken cancellationToken) =>
        await webhooks.GetAsync(query.ClientId, query.WebhookId, cancellationToken) is { } webhook
            ? SigningSecretResponse.Of(webhook, publicKeys)
            : WebhookErrors.NotFound;
}
