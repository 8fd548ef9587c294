using CleanWebhooks.Domain.Common;

namespace CleanWebhooks.Domain.Deliveries;

public static class DeliveryErrors
{
    public static readonly Error NotFound = Error.NotFound(
        "delivery.not_found", "The delivery does not exist.", "A entrega não existe.");

    public static readonly Error InFlight = Error.Conflict(
        "delivery.in_flight",
        "The delivery is being attempted right now; try again when the attempt has finished.",
        "A entrega está sendo tentada agora; tente de novo quando a tentativa terminar.");

    public static readonly Error InvalidDocumentId = Error.Validation(
        "event.invalid_document_id",
        $"The documentId must have 1 to {DocumentEvent.DocumentIdMaxLength} characters.",
        $"O documentId deve ter de 1 a {DocumentEvent.DocumentIdMaxLength} caracteres.",
        "documentId");
}
