using System.Text.Json;
using CleanWebhooks.Application.Common.Abstractions;
using CleanWebhooks.Application.Common.Localization;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Common;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;
using FluentValidation;
using Mediator;

namespace CleanWebhooks.Application.Deliveries.ReportDocumentEvent;

/// <summary>The body of <c>POST /internal/document_events</c>.</summary>
public sealed record ReportDocumentEventRequest(Guid? ClientId, string? DocumentId, int? Type, JsonElement? Data);

/// <summary>The event was recorded; <c>deliveryId</c> is null when the client has no webhook of that type.</summary>
public sealed record DocumentEventAccepted(Guid EventId, Guid? DeliveryId);

public sealed record ReportDocumentEventCommand(
    Guid? ClientId, string? DocumentId, int? Type, JsonElement? Data, string? IdempotencyKey, string Caller)
    : ICommand<Result<DocumentEventAccepted>>;

public sealed class ReportDocumentEventCommandValidator : AbstractValidator<ReportDocumentEventCommand>
{
    public const int IdempotencyKeyMaxLength = 200;

    public ReportDocumentEventCommandValidator()
    {
        RuleFor(c => c.ClientId).NotEmpty();
        RuleFor(c => c.DocumentId).NotEmpty().MaximumLength(DocumentEvent.DocumentIdMaxLength);
        RuleFor(c => c.Type).NotNull()
            .Must(t => t is null || WebhookTypes.IsKnown(t.Value))
            .WithMessage(_ => Text.Pick(
                "The type is not a known webhook type (0 = document finished).",
                "O tipo não é um tipo de webhook conhecido (0 = documento finalizado)."));
        RuleFor(c => c.IdempotencyKey).MaximumLength(IdempotencyKeyMaxLength).OverridePropertyName("Idempotency-Key");
    }
}

public sealed class ReportDocumentEventCommandHandler(
    IClientRepository clients, IWebhookRepository webhooks, IDeliveryRepository deliveries, IDeliveryNotifier notifier, TimeProvider clock)
    : ICommandHandler<ReportDocumentEventCommand, Result<DocumentEventAccepted>>
{
    public async ValueTask<Result<DocumentEventAccepted>> Handle(ReportDocumentEventCommand command, CancellationToken cancellationToken)
    {
        var clientId = new ClientId(command.ClientId!.Value);
        var now = clock.GetUtcNow().TruncatedToMicroseconds();
        var key = string.IsNullOrEmpty(command.IdempotencyKey) ? null : new IdempotencyKey(command.Caller, command.IdempotencyKey);

        if (key is not null && await deliveries.FindReceiptAsync(clientId, key, now - IdempotencyKey.Window, cancellationToken) is { } earlier)
        {
            return Accepted(earlier);
        }

        if (await clients.GetByIdAsync(clientId, cancellationToken) is null)
        {
            return ClientErrors.NotFound;
        }

        var data = command.Data is { ValueKind: not JsonValueKind.Undefined and not JsonValueKind.Null } d ? d.GetRawText() : null;
        var created = DocumentEvent.Create(clientId, command.DocumentId, command.Type!.Value, data, now);
        if (!created.IsSuccess)
        {
            return created.Error;
        }

        var webhookId = await webhooks.GetActiveIdOfTypeAsync(clientId, created.Value.Type, cancellationToken);
        var delivery = webhookId is { } id ? new NewDelivery(DeliveryId.New(), id, now) : null;
        var (receipt, stored) = await deliveries.AddEventAsync(created.Value, delivery, key, cancellationToken);
        if (stored && receipt.DeliveryId is not null)
        {
            notifier.DeliveryDue();
        }

        return Accepted(receipt);
    }

    private static DocumentEventAccepted Accepted(IntakeReceipt receipt) => new(receipt.EventId.Value, receipt.DeliveryId?.Value);
}
