using System.Text.Json;
using CleanWebhooks.Application.Deliveries.AttemptDelivery;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Common;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;

namespace CleanWebhooks.Application.Deliveries.ReportDocumentEvent;

/// <summary>An event taken in: its receipt, and whether it stored a delivery that waits for the claim (one not handed off).</summary>
internal sealed record IntakeResult(IntakeReceipt Receipt, bool ForTheClaim);

/// <summary>
/// The steps of taking in one valid event, shared by the single and the batch intake: the idempotency look-up, the
/// client and its webhook of the event's type (one read), the event, its delivery (handed off to this node's sender
/// when its webhook has room here), and the queued write. One instance serves one request: a batch reads each
/// (client, type) once.
/// </summary>
internal sealed class DocumentEventIntake(IWebhookRepository webhooks, IEventOutbox outbox, IDeliveryHandOff handOff, DeliveryPolicy policy)
{
    private readonly Dictionary<(ClientId, WebhookType), ClientWebhookOfType?> _recipients = [];

    /// <summary>
    /// The event's write, queued on the intake writer (its task ends at the commit), or the first receipt of a
    /// repeated idempotency key, or why the event is refused. The command must have passed its validator.
    /// </summary>
    public async ValueTask<Result<Task<IntakeResult>>> SubmitAsync(
        ReportDocumentEventCommand command, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var clientId = new ClientId(command.ClientId!.Value);
        var key = string.IsNullOrEmpty(command.IdempotencyKey) ? null : new IdempotencyKey(command.Caller, command.IdempotencyKey);

        if (key is not null && await outbox.FindReceiptAsync(clientId, key, now - IdempotencyKey.Window, cancellationToken) is { } earlier)
        {
            return Task.FromResult(new IntakeResult(earlier, ForTheClaim: false));
        }

        // The validator has checked what Create checks, so an unknown client is still the first refusal.
        var data = command.Data is { ValueKind: not JsonValueKind.Undefined and not JsonValueKind.Null } d ? d.GetRawText() : null;
        var created = DocumentEvent.Create(clientId, command.DocumentId, command.Type!.Value, data, now);
        if (!created.IsSuccess)
        {
            return created.Error;
        }

        var scope = (clientId, created.Value.Type);
        if (!_recipients.TryGetValue(scope, out var recipient))
        {
            _recipients[scope] = recipient = await webhooks.GetClientWebhookOfTypeAsync(clientId, created.Value.Type, cancellationToken);
        }

        if (recipient is null)
        {
            return ClientErrors.NotFound;
        }

        if (recipient.Webhook is not { } webhook)
        {
            return WithoutHandOffAsync(outbox.AddEventAsync(created.Value, null, key, cancellationToken));
        }

        var reserved = ClaimRule.HandsOff(webhook.Health, webhook.Limits, now, policy) ? handOff.Reserve(webhook, now) : null;
        var delivery = new NewDelivery(DeliveryId.New(), webhook.Id, now, reserved?.Lease);
        var write = outbox.AddEventAsync(created.Value, delivery, key, cancellationToken);
        return reserved is null ? WithoutHandOffAsync(write) : StartWhenCommittedAsync(write, reserved, created.Value, delivery);
    }

    /// <summary>A delivery written due (none when the event has no webhook) is the claim's to send.</summary>
    private static async Task<IntakeResult> WithoutHandOffAsync(Task<(IntakeReceipt Receipt, bool Created)> write)
    {
        var (receipt, created) = await write;
        return new IntakeResult(receipt, ForTheClaim: created && receipt.DeliveryId is not null);
    }

    /// <summary>Once the write is committed the delivery goes to the sender; a repeat or a failure gives the place back.</summary>
    private async Task<IntakeResult> StartWhenCommittedAsync(
        Task<(IntakeReceipt Receipt, bool Created)> write, HandOff reserved, DocumentEvent documentEvent, NewDelivery delivery)
    {
        try
        {
            var written = await write;
            if (written.Created)
            {
                handOff.Start(reserved, new ClaimedDelivery(
                    Delivery.Create(delivery),
                    reserved.Lease.Claim,
                    new DeliveryMessage(documentEvent.Id, documentEvent.ClientId, documentEvent.DocumentId, (int)documentEvent.Type, documentEvent.Data,
                        documentEvent.OccurredAt)));
            }
            else
            {
                handOff.Release(reserved);
            }

            return new IntakeResult(written.Receipt, ForTheClaim: false);
        }
        catch
        {
            handOff.Release(reserved);
            throw;
        }
    }
}
