using CleanWebhooks.Domain.Clients;
using Mediator;

namespace CleanWebhooks.Application.Webhooks.ListWebhooks;

public sealed record ListWebhooksQuery(ClientId ClientId) : IQuery<IReadOnlyList<WebhookResponse>>;

public sealed class ListWebhooksQueryHandler(IWebhookQueries queries) : IQueryHandler<ListWebhooksQuery, IReadOnlyList<WebhookResponse>>
{
    public async ValueTask<IReadOnlyList<WebhookResponse>> Handle(ListWebhooksQuery query, CancellationToken cancellationToken) =>
        await queries.ListAsync(query.ClientId, cancellationToken);
}
