using CleanWebhooks.Application.Common.Abstractions;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Common;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;
using FluentValidation;
using Mediator;

namespace CleanWebhooks.Application.Deliveries.RecoverDeliveries;

/// <summary>The body of <c>POST .../{id}/deliveries/recover</c>: <c>since</c> required, <c>until</c> now by default, <c>dryRun</c> false by default.</summary>
public sealed record RecoverDeliveriesRequest(DateTimeOffset? Since, DateTimeOffset? Until, bool? DryRun);

/// <summary>
/// Recovers a webhook after an outage (contract section 11): its deliveries that ended failed and were created in
/// [since, until) are pending again and due at once, their attempts kept (<see cref="Delivery.Recover"/>). A dry run
/// only counts them. The work goes in small batches, each its own short transaction, so that a recovery of a hundred
/// thousand deliveries never holds up intake or the other webhooks; recovered deliveries are no manual retries, so the
/// dispatcher sends them within the webhook's window and limits, and not while its breaker holds it.
/// </summary>
public sealed record RecoverDeliveriesCommand(ClientId ClientId, WebhookId WebhookId, DateTimeOffset? Since, DateTimeOffset? Until, bool DryRun)
    : ICommand<Result<RecoveredDeliveries>>
{
    public static RecoverDeliveriesCommand From(ClientId clientId, WebhookId webhookId, RecoverDeliveriesRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new(clientId, webhookId, request.Since, request.Until, request.DryRun ?? false);
    }
}

/// <summary>How many deliveries a recovery made due (or, for a dry run, would make due).</summary>
public sealed record RecoveredDeliveries(int Count);

public sealed class RecoverDeliveriesCommandValidator : AbstractValidator<RecoverDeliveriesCommand>
{
    public RecoverDeliveriesCommandValidator() => RuleFor(c => c.Since).NotNull();
}

public sealed class RecoverDeliveriesCommandHandler(
    IWebhookRepository webhooks, IDeliveryRepository deliveries, IDeliveryNotifier notifier, TimeProvider clock)
    : ICommandHandler<RecoverDeliveriesCommand, Result<RecoveredDeliveries>>
{
    /// <summary>Deliveries recovered per statement: each batch is one short transaction, well under SQL Server's lock escalation.</summary>
    public const int BatchSize = 500;

    public async ValueTask<Result<RecoveredDeliveries>> Handle(RecoverDeliveriesCommand command, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().TruncatedToMicroseconds();
        var window = RecoveryWindow.Create(command.Since!.Value, command.Until ?? now);
        if (!window.IsSuccess)
        {
            return window.Error;
        }

        if (await webhooks.GetHealthAsync(command.ClientId, command.WebhookId, cancellationToken) is not { } health)
        {
            return WebhookErrors.NotFound;
        }

        if (health.IsDisabled)
        {
            return WebhookErrors.Disabled;
        }

        if (command.DryRun)
        {
            return new RecoveredDeliveries(await deliveries.CountRecoverableAsync(command.WebhookId, window.Value, cancellationToken));
        }

        var count = 0;
        RecoveredDelivery? after = null;
        while (true)
        {
            var batch = await deliveries.RecoverAsync(command.WebhookId, window.Value, after, BatchSize, now, cancellationToken);
            if (batch.Count == 0)
            {
                break;
            }

            count += batch.Count;
            after = batch[^1];

            // The dispatcher starts on the first batch while the next ones are made due.
            notifier.DeliveryDue();
        }

        return new RecoveredDeliveries(count);
    }
}
