using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Common;
using CleanWebhooks.Domain.Webhooks;

namespace CleanWebhooks.Domain.Deliveries;

/// <summary>A document of a client finished processing: what the platform reports and webhooks announce.</summary>
public sealed class DocumentEvent
{
    public const int DocumentIdMaxLength = 200;

    private DocumentEvent(EventId id, ClientId clientId, string documentId, WebhookType type, string? data, DateTimeOffset occurredAt)
    {
        Id = id;
        ClientId = clientId;
        DocumentId = documentId;
        Type = type;
        Data = data;
        OccurredAt = occurredAt;
    }

    public EventId Id { get; }

    public ClientId ClientId { get; }

    public string DocumentId { get; }

    public WebhookType Type { get; }

    /// <summary>The event's data as raw JSON, sent as is in the envelope's <c>data</c>; null when none.</summary>
    public string? Data { get; }

    public DateTimeOffset OccurredAt { get; }

    /// <summary>
    /// 1 to <see cref="DocumentIdMaxLength"/> characters, not all blank, without control or bidirectional characters
    /// (<see cref="DisplayText.HasNoControls"/>): a document id is shown to integrators, in lists, the portal and logs.
    /// </summary>
    public static bool IsValidDocumentId([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? documentId) =>
        !string.IsNullOrWhiteSpace(documentId) && documentId.Length <= DocumentIdMaxLength && DisplayText.HasNoControls(documentId);

    public static Result<DocumentEvent> Create(ClientId clientId, string? documentId, int type, string? data, DateTimeOffset now)
    {
        if (!IsValidDocumentId(documentId))
        {
            return DeliveryErrors.InvalidDocumentId;
        }

        if (!WebhookTypes.IsKnown(type))
        {
            return WebhookErrors.UnknownType;
        }

        return new DocumentEvent(EventId.New(), clientId, documentId, (WebhookType)type, data, now);
    }

    public static DocumentEvent Restore(EventId id, ClientId clientId, string documentId, WebhookType type, string? data, DateTimeOffset occurredAt) =>
        new(id, clientId, documentId, type, data, occurredAt);
}
