using CleanWebhooks.Application.Common.Abstractions;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Common;
using CleanWebhooks.Domain.Webhooks;
using Mediator;

namespace CleanWebhooks.Application.Webhooks.EnableWebhook;

/// <summary>Makes a webhook active again (a disabled one, or one held by its breaker): its held deliveries go out at once.</summary>
public sealed record EnableWebhookCommand(ClientId ClientId, WebhookId WebhookId) : ICommand<Result<WebhookResponse>>;

public sealed class EnableWebhookCommandHandler(
    IWebhookRepository webhooks, IWebhookQueries queries, IDeliveryNotifier notifier, IWebhookHealthEvents healthEvents, TimeProvider clock)
    : ICommandHandler<EnableWebhookCommand, Result<WebhookResponse>>
{
    public async ValueTask<Result<WebhookResponse>> Handle(EnableWebhookCommand command, CancellationToken cancellationToken)
    {
        if (!await webhooks.EnableAsync(command.ClientId, command.WebhookId, clock.GetUtcNow().TruncatedToMicroseconds(), cancellationToken))
        {
            return WebhookErrors.NotFound;
        }

        healthEvents.Enabled(command.ClientId, command.WebhookId);
        notifier.DeliveryDue();
        return await queries.GetAsync(command.ClientId, command.WebhookId, cancellationToken) is { } webhook
            ? webhook
            : WebhookErrors.NotFound;
    }
}
