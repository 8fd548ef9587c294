using System.Text.Json;
using CleanWebhooks.Application.Common.Abstractions;
using CleanWebhooks.Application.Deliveries.AttemptDelivery;
using CleanWebhooks.Application.Common.Behaviors;
using CleanWebhooks.Application.Common.Localization;
using CleanWebhooks.Application.Deliveries.ReportDocumentEvent;
using CleanWebhooks.Domain.Common;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;
using FluentValidation;
using Mediator;

namespace CleanWebhooks.Application.Deliveries.ReportDocumentEventBatch;

/// <summary>One event of a batch: the single intake's body, with its idempotency key inside (the header's meaning).</summary>
public sealed record DocumentEventBatchItem(Guid? ClientId, string? DocumentId, int? Type, JsonElement? Data, string? IdempotencyKey);

/// <summary>The body of <c>POST /internal/document_events/batch</c>.</summary>
public sealed record ReportDocumentEventBatchRequest(IReadOnlyList<DocumentEventBatchItem>? Events);

/// <summary>
/// Takes in up to <see cref="MaxEvents"/> events at once. The answer holds one result per event, in order: its
/// receipt once it is committed, or why it was refused. A storage fault fails the whole command (an exception), so
/// that no event is ever answered as stored when it was not.
/// </summary>
public sealed record ReportDocumentEventBatchCommand(IReadOnlyList<DocumentEventBatchItem>? Events, string Caller)
    : ICommand<Result<IReadOnlyList<Result<DocumentEventAccepted>>>>
{
    public const int MaxEvents = 1000;
}

public sealed class ReportDocumentEventBatchCommandValidator : AbstractValidator<ReportDocumentEventBatchCommand>
{
    public ReportDocumentEventBatchCommandValidator() =>
        RuleFor(c => c.Events).NotNull()
            .Must(e => e is null || e.Count is > 0 and <= ReportDocumentEventBatchCommand.MaxEvents)
            .WithMessage(_ => Text.Pick(
                $"A batch holds 1 to {ReportDocumentEventBatchCommand.MaxEvents:N0} events.",
                $"Um lote tem de 1 a {ReportDocumentEventBatchCommand.MaxEvents:N0} eventos."));
}

public sealed class ReportDocumentEventBatchCommandHandler(
    IValidator<ReportDocumentEventCommand> eventValidator,
    IWebhookRepository webhooks,
    IEventOutbox outbox,
    IDeliveryHandOff handOff,
    DeliveryPolicy policy,
    IDeliveryNotifier notifier,
    TimeProvider clock)
    : ICommandHandler<ReportDocumentEventBatchCommand, Result<IReadOnlyList<Result<DocumentEventAccepted>>>>
{
    public async ValueTask<Result<IReadOnlyList<Result<DocumentEventAccepted>>>> Handle(
        ReportDocumentEventBatchCommand command, CancellationToken cancellationToken)
    {
        var events = command.Events!;
        var now = clock.GetUtcNow().TruncatedToMicroseconds();
        var intake = new DocumentEventIntake(webhooks, outbox, handOff, policy);
        var refused = new Error?[events.Count];
        var writes = new Task<IntakeResult>?[events.Count];

        // Every valid event is queued before any is awaited, so the intake writer commits them in as few
        // transactions as its batch size allows (group commit), together with whatever other requests bring.
        for (var i = 0; i < events.Count; i++)
        {
            var item = events[i];
            var single = new ReportDocumentEventCommand(item.ClientId, item.DocumentId, item.Type, item.Data, item.IdempotencyKey, command.Caller);
            var validation = eventValidator.Validate(single);
            if (!validation.IsValid)
            {
                refused[i] = InBatchTerms(ValidationErrors.From(validation.Errors));
                continue;
            }

            var submitted = await intake.SubmitAsync(single, now, cancellationToken);
            if (submitted.IsSuccess)
            {
                writes[i] = submitted.Value;
            }
            else
            {
                refused[i] = submitted.Error;
            }
        }

        // A storage fault in any write throws here: the whole request fails (503), never a 200 naming an event that
        // was not committed.
        await Task.WhenAll(writes.OfType<Task<IntakeResult>>());

        var results = new Result<DocumentEventAccepted>[events.Count];
        var due = false;
        for (var i = 0; i < events.Count; i++)
        {
            if (writes[i] is { } write)
            {
                due |= write.Result.ForTheClaim;
                results[i] = ReportDocumentEventCommandHandler.Accepted(write.Result.Receipt);
            }
            else
            {
                results[i] = refused[i]!;
            }
        }

        if (due)
        {
            notifier.DeliveryDue();
        }

        return results;
    }

    /// <summary>In a batch the idempotency key is the event's <c>idempotencyKey</c> property, not a header.</summary>
    private static ValidationError InBatchTerms(ValidationError error) =>
        new(error.Errors.ToDictionary(
            e => e.Key == ReportDocumentEventCommandValidator.IdempotencyKeyField ? "idempotencyKey" : e.Key, e => e.Value, StringComparer.Ordinal));
}
