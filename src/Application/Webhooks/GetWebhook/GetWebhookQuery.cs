using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Common;
using CleanWebhooks.Domain.Webhooks;
using Mediator;

namespace CleanWebhooks.Application.Webhooks.GetWebhook;

public sealed record GetWebhookQuery(ClientId ClientId, WebhookId WebhookId) : IQuery<Result<WebhookResponse>>;

public sealed class GetWebhookQueryHandler(IWebhookQueries queries) : IQueryHandler<GetWebhookQuery, Result<WebhookResponse>>
{
    public async ValueTask<Result<WebhookResponse>> Handle(GetWebhookQuery query, CancellationToken cancellationToken) =>
        await queries.GetAsync(query.ClientId, query.WebhookId, cancellationToken) is { } webhook
            ? webhook
            : WebhookErrors.NotFound;
}
