using CleanWebhooks.Application.Common.Abstractions;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Common;
using CleanWebhooks.Domain.Webhooks;
using Mediator;

namespace CleanWebhooks.Application.Webhooks.SetWebhookLimits;

/// <summary>The payload of <c>PUT .../{id}/limits</c>: both limits, a field left out (or null) removes that limit.</summary>
public sealed record SetWebhookLimitsRequest(int? MaxInFlight, int? MaxPerSecond);

/// <summary>Replaces a webhook's limits on what its receiver gets (contract section 5, "The integrator's own limits").</summary>
public sealed record SetWebhookLimitsCommand(ClientId ClientId, WebhookId WebhookId, int? MaxInFlight, int? MaxPerSecond)
    : ICommand<Result<WebhookResponse>>
{
    public static SetWebhookLimitsCommand From(ClientId clientId, WebhookId webhookId, SetWebhookLimitsRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new(clientId, webhookId, request.MaxInFlight, request.MaxPerSecond);
    }
}

public sealed class SetWebhookLimitsCommandHandler(IWebhookRepository webhooks, IWebhookQueries queries, IDeliveryNotifier notifier, TimeProvider clock)
    : ICommandHandler<SetWebhookLimitsCommand, Result<WebhookResponse>>
{
    public async ValueTask<Result<WebhookResponse>> Handle(SetWebhookLimitsCommand command, CancellationToken cancellationToken)
    {
        var limits = WebhookLimits.Create(command.MaxInFlight, command.MaxPerSecond);
        if (!limits.IsSuccess)
        {
            return limits.Error;
        }

        if (!await webhooks.SetLimitsAsync(command.ClientId, command.WebhookId, limits.Value, clock.GetUtcNow().TruncatedToMicroseconds(), cancellationToken))
        {
            return WebhookErrors.NotFound;
        }

        // Raised limits may free room for deliveries that were waiting.
        notifier.DeliveryDue();
        return await queries.GetAsync(command.ClientId, command.WebhookId, cancellationToken) is { } webhook
            ? webhook
            : WebhookErrors.NotFound;
    }
}
