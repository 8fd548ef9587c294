using CleanWebhooks.Application.Common.Abstractions;
using CleanWebhooks.Application.Webhooks;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Common;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;
using Mediator;

namespace CleanWebhooks.Application.Deliveries.SendTestEvent;

/// <summary>
/// Sends a test event to a webhook (contract section 11): a delivery like any other (method, url, headers, token flow,
/// signature; retried; listed with its attempts) of an event of its own, announced as <c>webhook.test</c> with no data.
/// Like a manual retry it goes at once, even while the breaker holds the webhook (it is the probe). Refused while the
/// webhook is disabled.
/// </summary>
public sealed record SendTestEventCommand(ClientId ClientId, WebhookId WebhookId) : ICommand<Result<TestEventAccepted>>;

/// <summary>The test delivery: follow it like any other delivery.</summary>
public sealed record TestEventAccepted(Guid DeliveryId);

public sealed class SendTestEventCommandHandler(
    IWebhookQueries webhooks, IDeliveryRepository deliveries, IDeliveryNotifier notifier, TimeProvider clock)
    : ICommandHandler<SendTestEventCommand, Result<TestEventAccepted>>
{
    public async ValueTask<Result<TestEventAccepted>> Handle(SendTestEventCommand command, CancellationToken cancellationToken)
    {
        if (await webhooks.GetAsync(command.ClientId, command.WebhookId, cancellationToken) is not { } webhook)
        {
            return WebhookErrors.NotFound;
        }

        if (webhook.DisabledAt is not null)
        {
            return WebhookErrors.Disabled;
        }

        var now = clock.GetUtcNow().TruncatedToMicroseconds();
        var testEvent = DocumentEvent.Test(command.ClientId, (WebhookType)webhook.Type, now);
        var delivery = new NewDelivery(DeliveryId.New(), command.WebhookId, now);
        await deliveries.AddTestEventAsync(testEvent, delivery, cancellationToken);
        notifier.DeliveryDue();
        return new TestEventAccepted(delivery.Id.Value);
    }
}
