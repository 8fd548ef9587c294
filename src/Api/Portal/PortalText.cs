using CleanWebhooks.Application.Common.Localization;
using CleanWebhooks.Application.Webhooks;
using CleanWebhooks.Domain.Common;

namespace CleanWebhooks.Api.Portal;

/// <summary>
/// Every word the portal shows, in English and Brazilian Portuguese (the portal's default), kept together so that
/// they can join the service's message catalogue as one piece.
/// </summary>
public static class PortalText
{
    public static string HtmlLang => Text.Pick("en", "pt-BR");

    public static string Product => "CleanWebhooks";

    public static string Webhooks => Text.Pick("Webhooks", "Webhooks");

    public static string NoWebhooks => Text.Pick(
        "No webhook yet. Webhooks are created through the API (POST /api_document/document_webhooks).",
        "Nenhum webhook ainda. Webhooks são criados pela API (POST /api_document/document_webhooks).");

    public static string Name => Text.Pick("Name", "Nome");

    public static string Type => Text.Pick("Event", "Evento");

    public static string Method => Text.Pick("Method", "Método");

    public static string Url => "URL";

    public static string Authentication => Text.Pick("Authentication", "Autenticação");

    public static string Status => Text.Pick("Status", "Situação");

    public static string Last24Hours => Text.Pick("Last 24 hours", "Últimas 24 horas");

    // The webhook's health, shown by _WebhookStatus.cshtml and _WebhookEnable.cshtml.
    public static string Active => Text.Pick("Active", "Ativo");

    public static string Disabled(string? reason) => reason is { Length: > 0 }
        ? Text.Pick($"Disabled: {reason}", $"Desativado: {reason}")
        : Text.Pick("Disabled", "Desativado");

    public static string PausedUntil(string time) => Text.Pick(
        $"Paused after repeated failures until {time}", $"Pausado após falhas seguidas até {time}");

    public static string Enable => Text.Pick("Enable again", "Reativar");

    public static string AuthNone => Text.Pick("None", "Nenhuma");

    public static string AuthFixed => Text.Pick("Fixed Authorization header", "Cabeçalho Authorization fixo");

    public static string AuthToken(string authorizationUrl) => Text.Pick(
        $"Token fetched from {authorizationUrl}", $"Token obtido em {authorizationUrl}");

    public static string AuthMode(WebhookResponse webhook)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        return webhook.AuthorizationUrl is { } url ? AuthToken(url) : webhook.Authorization is not null ? AuthFixed : AuthNone;
    }

    public static string EventName(int type) => type == 0 ? Text.Pick("Document finished", "Documento finalizado") : $"#{type}";

    public static string ChartSummary(int succeeded, int failed) => Text.Pick(
        $"{succeeded} succeeded, {failed} failed", $"{succeeded} com sucesso, {failed} com falha");

    public static string ChartHour(string hour, int succeeded, int failed) => Text.Pick(
        $"{hour}: {succeeded} succeeded, {failed} failed", $"{hour}: {succeeded} com sucesso, {failed} com falha");

    public static string Succeeded => Text.Pick("succeeded", "com sucesso");

    public static string Failed => Text.Pick("failed", "com falha");

    // The webhook page.
    public static string Webhook => Text.Pick("Webhook", "Webhook");

    public static string BackToWebhooks => Text.Pick("All webhooks", "Todos os webhooks");

    public static string SigningSecret => Text.Pick("Signing secret", "Segredo de assinatura");

    public static string SigningSecretExplained => Text.Pick(
        "Deliveries are signed with this secret (header webhook-signature, Standard Webhooks). Your server uses it to check that a delivery came from us.",
        "As entregas são assinadas com este segredo (cabeçalho webhook-signature, Standard Webhooks). Seu servidor o usa para confirmar que a entrega veio de nós.");

    public static string RevealSecret => Text.Pick("Reveal secret", "Mostrar segredo");

    public static string RotateSecret => Text.Pick("Rotate secret", "Trocar segredo");

    public static string RotateExplained => Text.Pick(
        "Rotating makes a new secret. For the next 24 hours every delivery is signed with both the new and the old secret, so your server can switch without missing one; after that only the new one signs.",
        "Trocar cria um novo segredo. Nas próximas 24 horas cada entrega é assinada com o novo e com o antigo, para que seu servidor mude sem perder nenhuma; depois, só o novo assina.");

    public static string CurrentSecret => Text.Pick("Current secret", "Segredo atual");

    public static string NewSecretShownOnce => Text.Pick(
        "New secret — copy it now: this page will not show it again unless you reveal it. The old secret keeps signing beside it for 24 hours.",
        "Novo segredo — copie agora: esta página não o mostrará de novo, a menos que você o revele. O antigo continua assinando junto com ele por 24 horas.");

    public static string DeleteWebhook => Text.Pick("Delete webhook", "Excluir webhook");

    public static string DeleteQuestion(string name) => Text.Pick(
        $"Delete the webhook “{name}”?", $"Excluir o webhook “{name}”?");

    public static string DeleteExplained => Text.Pick(
        "Nothing more will be sent to it, and its pending deliveries are cancelled. Its delivery history stays. This cannot be undone.",
        "Nada mais será enviado a ele, e suas entregas pendentes são canceladas. O histórico de entregas permanece. Não há como desfazer.");

    public static string ConfirmDelete => Text.Pick("Yes, delete it", "Sim, excluir");

    public static string Cancel => Text.Pick("Cancel", "Cancelar");

    public static string Deleted => Text.Pick("The webhook was deleted.", "O webhook foi excluído.");

    // Deliveries.
    public static string Deliveries => Text.Pick("Deliveries", "Entregas");

    public static string NoDeliveries => Text.Pick("No delivery here.", "Nenhuma entrega aqui.");

    public static string AllStatuses => Text.Pick("All", "Todas");

    public static string Filter => Text.Pick("Filter", "Filtrar");

    public static string DeliveryStatus(string status) => status switch
    {
        "pending" => Text.Pick("Pending", "Pendente"),
        "succeeded" => Text.Pick("Succeeded", "Sucesso"),
        "failed" => Text.Pick("Failed", "Falhou"),
        "cancelled" => Text.Pick("Cancelled", "Cancelada"),
        _ => status,
    };

    public static string Created => Text.Pick("Created", "Criada");

    public static string DocumentId => Text.Pick("Document", "Documento");

    public static string Attempts => Text.Pick("Attempts", "Tentativas");

    public static string LastStatusCode => Text.Pick("Last status", "Último status");

    public static string NextAttempt => Text.Pick("Next attempt", "Próxima tentativa");

    public static string NewestPage => Text.Pick("Newest", "Mais recentes");

    public static string OlderPage => Text.Pick("Older", "Mais antigas");

    // One delivery.
    public static string Delivery => Text.Pick("Delivery", "Entrega");

    public static string BackToDeliveries => Text.Pick("Deliveries of this webhook", "Entregas deste webhook");

    public static string NoAttempts => Text.Pick("Not attempted yet.", "Ainda não tentada.");

    public static string Attempt => Text.Pick("Attempt", "Tentativa");

    public static string Time => Text.Pick("Time", "Horário");

    public static string Duration => Text.Pick("Duration", "Duração");

    public static string Milliseconds(int ms) => $"{ms} ms";

    public static string Outcome => Text.Pick("Status code or error", "Status ou erro");

    public static string ResponseExcerpt => Text.Pick("Answer (first 1 KB)", "Resposta (primeiro 1 KB)");

    public static string Retry => Text.Pick("Retry now", "Tentar de novo agora");

    public static string RetryExplained => Text.Pick(
        "Sends this delivery again now, with the same webhook-id, whatever its state.",
        "Envia esta entrega de novo agora, com o mesmo webhook-id, qualquer que seja a situação.");

    public static string Retried => Text.Pick(
        "The delivery is due now; reload in a moment to see the attempt.",
        "A entrega foi agendada para agora; recarregue em instantes para ver a tentativa.");

    public static string TimesIn(string zone) => Text.Pick($"Times in {zone}.", $"Horários em {zone}.");

    // Sessions.
    public static string LinkExpiredTitle => Text.Pick("This link has expired", "Este link expirou");

    public static string LinkExpired => Text.Pick(
        "This portal link is no longer valid: it expired, or it is not a link we issued. Open the portal again from your dashboard.",
        "Este link do portal não é mais válido: expirou, ou não foi emitido por nós. Abra o portal novamente pelo seu painel.");

    public static string SessionEnds(string time) => Text.Pick($"Session ends at {time}", $"A sessão termina em {time}");

    public static string NotFound => Text.Pick("Not found.", "Não encontrado.");

    /// <summary>A use case's expected failure, in the portal's words.</summary>
    public static string Problem(Error error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.Code switch
        {
            "webhook.not_found" => Text.Pick("This webhook does not exist (any more).", "Este webhook não existe (mais)."),
            "delivery.not_found" => Text.Pick("This delivery does not exist.", "Esta entrega não existe."),
            "delivery.in_flight" => Text.Pick(
                "The delivery is being attempted right now; try again when the attempt has finished.",
                "A entrega está sendo tentada agora; tente de novo quando a tentativa terminar."),
            "webhook.concurrent_change" => Text.Pick(
                "The webhook changed meanwhile; try again.", "O webhook mudou enquanto isso; tente de novo."),
            "validation" => Text.Pick("The filter is not valid.", "O filtro não é válido."),
            _ => error.Description,
        };
    }
}
