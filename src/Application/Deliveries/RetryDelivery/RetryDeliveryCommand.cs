using CleanWebhooks.Application.Common.Abstractions;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Common;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;
using Mediator;

namespace CleanWebhooks.Application.Deliveries.RetryDelivery;

/// <summary>
/// Sends a delivery again now, whatever its state (a failed one too), even while its webhook's breaker holds it (the
/// attempt is the probe); refused while it is being attempted and while its webhook is disabled.
/// </summary>
public sealed record RetryDeliveryCommand(ClientId ClientId, WebhookId WebhookId, DeliveryId DeliveryId) : ICommand<Result<DeliveryDetailsResponse>>;

public sealed class RetryDeliveryCommandHandler(
    IDeliveryQueries queries, IDeliveryRepository deliveries, IWebhookRepository webhooks, IDeliveryNotifier notifier, TimeProvider clock)
    : ICommandHandler<RetryDeliveryCommand, Result<DeliveryDetailsResponse>>
{
    public async ValueTask<Result<DeliveryDetailsResponse>> Handle(RetryDeliveryCommand command, CancellationToken cancellationToken)
    {
        // The client's own webhook first: other clients' deliveries stay invisible.
        if (await webhooks.GetHealthAsync(command.ClientId, command.WebhookId, cancellationToken) is not { } health
            || await deliveries.GetAsync(command.WebhookId, command.DeliveryId, cancellationToken) is not { } delivery)
        {
            return DeliveryErrors.NotFound;
        }

        var now = clock.GetUtcNow().TruncatedToMicroseconds();
        if (delivery.RetryNow(health, now) is { IsSuccess: false } refused)
        {
            return refused.Error;
        }

        var made = await deliveries.MakeDueNowAsync(command.WebhookId, command.DeliveryId, now, cancellationToken);
        if (made is null)
        {
            return DeliveryErrors.InFlight;
        }

        if (made is false)
        {
            return DeliveryErrors.NotFound;
        }

        notifier.DeliveryDue();
        return await queries.GetAsync(command.ClientId, command.WebhookId, command.DeliveryId, cancellationToken) is { } answer
            ? answer
            : DeliveryErrors.NotFound;
    }
}
