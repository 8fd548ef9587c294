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

    public static readonly Error WebhookDisabled = Error.Conflict(
        "delivery.webhook_disabled",
        "The delivery's webhook is disabled: enable the webhook first, and its held deliveries go out at once.",
        "O webhook da entrega está desativado: ative o webhook primeiro, e as entregas retidas saem na hora.");

    /// <summary>A dispatcher's bug: a transition of a delivery that has ended.</summary>
    public static readonly Error NotPending = Error.Conflict(
        "delivery.not_pending", "The delivery has ended.", "A entrega já terminou.");

    public static readonly Error AttemptOutOfOrder = Error.Conflict(
        "delivery.attempt_out_of_order", "The attempt is not the delivery's next one.", "A tentativa não é a próxima da entrega.");

    public static readonly Error NotHeld = Error.Conflict(
        "delivery.not_held", "Nothing holds the delivery: it is to be attempted.", "Nada retém a entrega: ela deve ser tentada.");

    public static readonly Error NotFailed = Error.Conflict(
        "delivery.not_failed", "Only a delivery that ended failed can be recovered.", "Só uma entrega que terminou com falha pode ser recuperada.");

    public static readonly Error EmptyRecoveryWindow = Error.Validation(
        "delivery.empty_recovery_window",
        "since must be before until.",
        "since deve ser anterior a until.",
        "since");

    public static readonly Error InvalidDocumentId = Error.Validation(
        "event.invalid_document_id",
        $"The documentId must have 1 to {DocumentEvent.DocumentIdMaxLength} characters, without control characters (NUL, line breaks, ...) or bidirectional controls (U+202E, ...).",
        $"O documentId deve ter de 1 a {DocumentEvent.DocumentIdMaxLength} caracteres, sem caracteres de controle (NUL, quebras de linha, ...) nem controles bidirecionais (U+202E, ...).",
        "documentId");
}
