using System.Text.Json;
using CleanWebhooks.Application.Common.Abstractions;
using CleanWebhooks.Application.Deliveries.AttemptDelivery;
using CleanWebhooks.Application.Common.Localization;
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

    /// <summary>The header that carries the key of a single event.</summary>
    public const string IdempotencyKeyField = "Idempotency-Key";

    public ReportDocumentEventCommandValidator()
    {
        RuleFor(c => c.ClientId).NotEmpty();
        RuleFor(c => c.DocumentId).Must(DocumentEvent.IsValidDocumentId).WithMessage(_ => Text.Of(DeliveryErrors.InvalidDocumentId));
        RuleFor(c => c.Type).NotNull()
            .Must(t => t is null || WebhookTypes.IsKnown(t.Value))
            .WithMessage(_ => Text.Pick(
                "The type is not a known webhook type (0 = document finished).",
                "O tipo não é um tipo de webhook conhecido (0 = documento finalizado)."));
        RuleFor(c => c.IdempotencyKey).MaximumLength(IdempotencyKeyMaxLength).OverridePropertyName(IdempotencyKeyField);
    }
}

public sealed class ReportDocumentEventCommandHandler(
    IWebhookRepository webhooks, IEventOutbox outbox, IDeliveryHandOff handOff, DeliveryPolicy policy,
    IDeliveryNotifier notifier, TimeProvider clock)
    : ICommandHandler<ReportDocumentEventCommand, Result<DocumentEventAccepted>>
{
    public async ValueTask<Result<DocumentEventAccepted>> Handle(ReportDocumentEventCommand command, CancellationToken cancellationToken)
    {
        var intake = new DocumentEventIntake(webhooks, outbox, handOff, policy);
        var submitted = await intake.SubmitAsync(command, clock.GetUtcNow().TruncatedToMicroseconds(), cancellationToken);
        if (!submitted.IsSuccess)
        {
            return submitted.Error;
        }

        var result = await submitted.Value;
        if (result.ForTheClaim)
        {
            notifier.DeliveryDue();
        }

        return Accepted(result.Receipt);
    }

    internal static DocumentEventAccepted Accepted(IntakeReceipt receipt) => new(receipt.EventId.Value, receipt.DeliveryId?.Value);
}
