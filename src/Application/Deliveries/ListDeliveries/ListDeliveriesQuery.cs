using CleanWebhooks.Application.Common.Localization;
using CleanWebhooks.Application.Webhooks;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Common;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;
using FluentValidation;
using Mediator;

namespace CleanWebhooks.Application.Deliveries.ListDeliveries;

public sealed record ListDeliveriesQuery(ClientId ClientId, WebhookId WebhookId, string? Status, int? Limit, string? Cursor)
    : IQuery<Result<DeliveryPage>>;

public sealed class ListDeliveriesQueryValidator : AbstractValidator<ListDeliveriesQuery>
{
    public const int MaxLimit = 100;

    public ListDeliveriesQueryValidator()
    {
        RuleFor(q => q.Status)
            .Must(s => DeliveryStatuses.TryParse(s, out _)).When(q => !string.IsNullOrEmpty(q.Status))
            .WithMessage(_ => Text.Pick(
                "The status must be one of pending, succeeded, failed, cancelled.",
                "O status deve ser pending, succeeded, failed ou cancelled."));
        RuleFor(q => q.Limit).InclusiveBetween(1, MaxLimit);
        RuleFor(q => q.Cursor)
            .Must(c => DeliveryCursor.TryDecode(c) is not null).When(q => !string.IsNullOrEmpty(q.Cursor))
            .WithMessage(_ => Text.Pick("The cursor is not one this service returned.", "O cursor não é um retornado por este serviço."));
    }
}

public sealed class ListDeliveriesQueryHandler(IWebhookQueries webhooks, IDeliveryQueries deliveries)
    : IQueryHandler<ListDeliveriesQuery, Result<DeliveryPage>>
{
    public const int DefaultLimit = 50;

    public async ValueTask<Result<DeliveryPage>> Handle(ListDeliveriesQuery query, CancellationToken cancellationToken)
    {
        if (await webhooks.GetAsync(query.ClientId, query.WebhookId, cancellationToken) is null)
        {
            return WebhookErrors.NotFound;
        }

        DeliveryStatus? status = DeliveryStatuses.TryParse(query.Status, out var parsed) ? parsed : null;
        return await deliveries.ListAsync(
            query.ClientId, query.WebhookId, status, query.Limit ?? DefaultLimit, DeliveryCursor.TryDecode(query.Cursor), cancellationToken);
    }
}
