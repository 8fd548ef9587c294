using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Common;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;
using Mediator;

namespace CleanWebhooks.Application.Deliveries.GetDelivery;

public sealed record GetDeliveryQuery(ClientId ClientId, WebhookId WebhookId, DeliveryId DeliveryId) : IQuery<Result<DeliveryDetailsResponse>>;

public sealed class GetDeliveryQueryHandler(IDeliveryQueries deliveries) : IQueryHandler<GetDeliveryQuery, Result<DeliveryDetailsResponse>>
{
    public async ValueTask<Result<DeliveryDetailsResponse>> Handle(GetDeliveryQuery query, CancellationToken cancellationToken) =>
        await deliveries.GetAsync(query.ClientId, query.WebhookId, query.DeliveryId, cancellationToken) is { } delivery
            ? delivery
            : DeliveryErrors.NotFound;
}
