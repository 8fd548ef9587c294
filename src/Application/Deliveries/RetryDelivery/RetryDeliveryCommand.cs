using CleanWebhooks.Application.Common.Abstractions;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Common;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;
using Mediator;

namespace CleanWebhooks.Application.Deliveries.RetryDelivery;

/// <summary>Sends a delivery again now, whatever its state (a failed one too), unless it is being attempted.</summary>
public sealed record RetryDeliveryCommand(ClientId ClientId, WebhookId WebhookId, DeliveryId DeliveryId) : ICommand<Result<DeliveryDetailsResponse>>;

public sealed class RetryDeliveryCommandHandler(
    IDeliveryQueries queries, IDeliveryRepository deliveries, IDeliveryNotifier notifier, TimeProvider clock)
    : ICommandHandler<RetryDeliveryCommand, Result<DeliveryDetailsResponse>>
{
    public async ValueTask<Result<DeliveryDetailsResponse>> Handle(RetryDeliveryCommand command, CancellationToken cancellationToken)
    {
        // Reading through the client's webhook first keeps other clients' deliveries invisible.
        if (await queries.GetAsync(command.ClientId, command.WebhookId, command.DeliveryId, cancellationToken) is null)
        {
            return DeliveryErrors.NotFound;
        }

        var made = await deliveries.MakeDueNowAsync(command.WebhookId, command.DeliveryId, clock.GetUtcNow().TruncatedToMicroseconds(), cancellationToken);
        if (made is null)
        {
            return DeliveryErrors.InFlight;
        }

        if (made is false)
        {
            return DeliveryErrors.NotFound;
        }

        notifier.DeliveryDue();
        return await queries.GetAsync(command.ClientId, command.WebhookId, command.DeliveryId, cancellationToken) is { } delivery
            ? delivery
            : DeliveryErrors.NotFound;
    }
}
