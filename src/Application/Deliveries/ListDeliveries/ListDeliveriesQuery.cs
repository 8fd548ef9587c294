using CleanWebhooks.Application.Common.Localization;
using CleanWebhooks.Application.Webhooks;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Common;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;
using FluentValidation;
using Mediator;

namespace CleanWebhooks.Application.Deliveries.ListDeliveries;

/// <summary>A webhook's deliveries, newest first, filtered by status, by document (exact id), or both; an empty filter filters nothing.</summary>
public sealed record ListDeliveriesQuery(ClientId ClientId, WebhookId WebhookId, string? Status, int? Limit, string? Cursor, string? DocumentId = null)
    : IQuery<Result<DeliveryPage>>;

public sealed class ListDeliveriesQueryValidator : AbstractValidator<ListDeliveriesQuery>
{
    public ListDeliveriesQueryValidator()
    {
        RuleFor(q => q.Status)
            .Must(s => DeliveryStatuses.TryParse(s, out _)).When(q => !string.IsNullOrEmpty(q.Status))
            .WithMessage(_ => Text.Pick(
                "The status must be one of pending, succeeded, failed, cancelled.",
                "O status deve ser pending, succeeded, failed ou cancelled."));
        RuleFor(q => q.Limit).ValidLimit();
        RuleFor(q => q.Cursor).ValidCursor();
        RuleFor(q => q.DocumentId).ValidDocumentId().When(q => !string.IsNullOrEmpty(q.DocumentId));
    }
}

public sealed class ListDeliveriesQueryHandler(IWebhookQueries webhooks, IDeliveryQueries deliveries)
    : IQueryHandler<ListDeliveriesQuery, Result<DeliveryPage>>
{
    public async ValueTask<Result<DeliveryPage>> Handle(ListDeliveriesQuery query, CancellationToken cancellationToken)
    {
        if (await webhooks.GetAsync(query.ClientId, query.WebhookId, cancellationToken) is null)
        {
            return WebhookErrors.NotFound;
        }

        DeliveryStatus? status = DeliveryStatuses.TryParse(query.Status, out var parsed) ? parsed : null;
        return await deliveries.ListAsync(
            query.ClientId, query.WebhookId, new DeliveryFilter(status, string.IsNullOrEmpty(query.DocumentId) ? null : query.DocumentId), query.Limit ?? DeliveryListRules.DefaultLimit,
            DeliveryCursor.TryDecode(query.Cursor), cancellationToken);
    }
}
