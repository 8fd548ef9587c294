using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Common;
using FluentValidation;
using Mediator;

namespace CleanWebhooks.Application.Deliveries.FindDocumentDeliveries;

/// <summary>
/// For the platform's support staff (contract section 11): a document's deliveries across all of a client's webhooks,
/// newest first, a page at a time.
/// </summary>
public sealed record FindDocumentDeliveriesQuery(ClientId ClientId, string? DocumentId, int? Limit, string? Cursor) : IQuery<Result<DeliveryPage>>;

public sealed class FindDocumentDeliveriesQueryValidator : AbstractValidator<FindDocumentDeliveriesQuery>
{
    public FindDocumentDeliveriesQueryValidator()
    {
        RuleFor(q => q.DocumentId).ValidDocumentId();
        RuleFor(q => q.Limit).ValidLimit();
        RuleFor(q => q.Cursor).ValidCursor();
    }
}

public sealed class FindDocumentDeliveriesQueryHandler(IClientRepository clients, IDeliveryQueries deliveries)
    : IQueryHandler<FindDocumentDeliveriesQuery, Result<DeliveryPage>>
{
    public async ValueTask<Result<DeliveryPage>> Handle(FindDocumentDeliveriesQuery query, CancellationToken cancellationToken)
    {
        if (await clients.GetByIdAsync(query.ClientId, cancellationToken) is null)
        {
            return ClientErrors.NotFound;
        }

        return await deliveries.ListOfDocumentAsync(
            query.ClientId, query.DocumentId!, query.Limit ?? DeliveryListRules.DefaultLimit, DeliveryCursor.TryDecode(query.Cursor), cancellationToken);
    }
}
