using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Common;
using CleanWebhooks.Domain.Webhooks;

namespace CleanWebhooks.Domain.Deliveries;

/// <summary>A document of a client finished processing: what the platform reports and webhooks announce.</summary>
public sealed class DocumentEvent
{
    public const int DocumentIdMaxLength = 200;

    /// <summary>How the document id of a test event starts.</summary>
    public const string TestDocumentPrefix = "test-";

    /// <summary>The event name a test event's delivery announces instead of its type's.</summary>
    public const string TestEventName = "webhook.test";

    private DocumentEvent(EventId id, ClientId clientId, string documentId, WebhookType type, string? data, DateTimeOffset occurredAt, bool isTest = false)
    {
        Id = id;
        ClientId = clientId;
        DocumentId = documentId;
        Type = type;
        Data = data;
        OccurredAt = occurredAt;
        IsTest = isTest;
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

    /// <summary>An integrator's test of its webhook, not a document the platform processed: announced as <c>webhook.test</c>.</summary>
    public bool IsTest { get; }

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

    /// <summary>
    /// A test of a webhook of <paramref name="type"/> (contract section 11): a document id of its own (unique, starting with
    /// <see cref="TestDocumentPrefix"/>) and no data.
    /// </summary>
    public static DocumentEvent Test(ClientId clientId, WebhookType type, DateTimeOffset now)
    {
        var id = EventId.New();
        return new DocumentEvent(id, clientId, $"{TestDocumentPrefix}{id.Value:N}", type, null, now, isTest: true);
    }

    public static DocumentEvent Restore(EventId id, ClientId clientId, string documentId, WebhookType type, string? data, DateTimeOffset occurredAt) =>
        new(id, clientId, documentId, type, data, occurredAt);
}
