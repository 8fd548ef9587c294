using CleanWebhooks.Application.Webhooks;
using CleanWebhooks.Domain.Common;

namespace CleanWebhooks.Application.Common.Localization;

/// <summary>
/// Every word the integrator portal shows, in the catalogue beside <see cref="ProblemTexts"/>: the same
/// <see cref="LocalizedText"/>, picked by the request's culture (the portal's default is Brazilian Portuguese, English
/// when the browser prefers it). The test that walks <see cref="ProblemTexts.All"/> walks <see cref="All"/> too and
/// fails on any text missing a language. <c>{0}</c>, <c>{1}</c>... are filled with <see cref="LocalizedText.Format"/>.
/// </summary>
public static class PortalTexts
{
    // Words that are the same in both languages are constants, not catalogue entries.
    public const string Product = "CleanWebhooks";

    public const string Webhooks = "Webhooks";

    public const string Webhook = "Webhook";

    public const string Url = "URL";

    /// <summary>The page's <c>lang</c> attribute.</summary>
    public static readonly LocalizedText HtmlLang = new("en", "pt-BR");

    // The webhooks page.
    public static readonly LocalizedText NoWebhooks = new(
        "No webhook yet. Webhooks are created through the API (POST /api_document/document_webhooks).",
        "Nenhum webhook ainda. Webhooks são criados pela API (POST /api_document/document_webhooks).");

    public static readonly LocalizedText Name = new("Name", "Nome");

    public static readonly LocalizedText Type = new("Event", "Evento");

    public static readonly LocalizedText Method = new("Method", "Método");

    public static readonly LocalizedText Authentication = new("Authentication", "Autenticação");

    public static readonly LocalizedText Status = new("Status", "Situação");

    public static readonly LocalizedText Last24Hours = new("Last 24 hours", "Últimas 24 horas");

    public static readonly LocalizedText DocumentFinished = new("Document finished", "Documento finalizado");

    public static readonly LocalizedText AuthNone = new("None", "Nenhuma");

    public static readonly LocalizedText AuthFixed = new("Fixed Authorization header", "Cabeçalho Authorization fixo");

    /// <summary><c>{0}</c> is the authorization url.</summary>
    public static readonly LocalizedText AuthToken = new("Token fetched from {0}", "Token obtido em {0}");

    /// <summary><c>{0}</c> succeeded, <c>{1}</c> failed.</summary>
    public static readonly LocalizedText ChartSummary = new("{0} succeeded, {1} failed", "{0} com sucesso, {1} com falha");

    /// <summary><c>{0}</c> is the hour, <c>{1}</c> succeeded, <c>{2}</c> failed.</summary>
    public static readonly LocalizedText ChartHour = new("{0}: {1} succeeded, {2} failed", "{0}: {1} com sucesso, {2} com falha");

    // The webhook's health (_WebhookStatus.cshtml, _WebhookEnable.cshtml).
    public static readonly LocalizedText Active = new("Active", "Ativo");

    public static readonly LocalizedText Disabled = new("Disabled", "Desativado");

    /// <summary><c>{0}</c> is the reason.</summary>
    public static readonly LocalizedText DisabledBecause = new("Disabled: {0}", "Desativado: {0}");

    /// <summary><c>{0}</c> is the time the breaker closes.</summary>
    public static readonly LocalizedText PausedUntil = new(
        "Paused after repeated failures until {0}", "Pausado após falhas seguidas até {0}");

    public static readonly LocalizedText Enable = new("Enable again", "Reativar");

    // The webhook page.
    public static readonly LocalizedText BackToWebhooks = new("All webhooks", "Todos os webhooks");

    public static readonly LocalizedText SigningSecret = new("Signing secret", "Segredo de assinatura");

    public static readonly LocalizedText SigningSecretExplained = new(
        "Deliveries are signed with this secret (header webhook-signature, Standard Webhooks). Your server uses it to check that a delivery came from us.",
        "As entregas são assinadas com este segredo (cabeçalho webhook-signature, Standard Webhooks). Seu servidor o usa para confirmar que a entrega veio de nós.");

    public static readonly LocalizedText RevealSecret = new("Reveal secret", "Mostrar segredo");

    public static readonly LocalizedText RotateSecret = new("Rotate secret", "Trocar segredo");

    public static readonly LocalizedText RotateExplained = new(
        "Rotating makes a new secret. For the next 24 hours every delivery is signed with both the new and the old secret, so your server can switch without missing one; after that only the new one signs.",
        "Trocar cria um novo segredo. Nas próximas 24 horas cada entrega é assinada com o novo e com o antigo, para que seu servidor mude sem perder nenhuma; depois, só o novo assina.");

    public static readonly LocalizedText CurrentSecret = new("Current secret", "Segredo atual");

    public static readonly LocalizedText NewSecretShownOnce = new(
        "New secret — copy it now: this page will not show it again unless you reveal it. The old secret keeps signing beside it for 24 hours.",
        "Novo segredo — copie agora: esta página não o mostrará de novo, a menos que você o revele. O antigo continua assinando junto com ele por 24 horas.");

    public static readonly LocalizedText DeleteWebhook = new("Delete webhook", "Excluir webhook");

    /// <summary><c>{0}</c> is the webhook's name.</summary>
    public static readonly LocalizedText DeleteQuestion = new("Delete the webhook “{0}”?", "Excluir o webhook “{0}”?");

    public static readonly LocalizedText DeleteExplained = new(
        "Nothing more will be sent to it, and its pending deliveries are cancelled. Its delivery history stays. This cannot be undone.",
        "Nada mais será enviado a ele, e suas entregas pendentes são canceladas. O histórico de entregas permanece. Não há como desfazer.");

    public static readonly LocalizedText ConfirmDelete = new("Yes, delete it", "Sim, excluir");

    public static readonly LocalizedText Cancel = new("Cancel", "Cancelar");

    public static readonly LocalizedText Deleted = new("The webhook was deleted.", "O webhook foi excluído.");

    // Deliveries.
    public static readonly LocalizedText Deliveries = new("Deliveries", "Entregas");

    public static readonly LocalizedText NoDeliveries = new("No delivery here.", "Nenhuma entrega aqui.");

    public static readonly LocalizedText AllStatuses = new("All", "Todas");

    public static readonly LocalizedText Filter = new("Filter", "Filtrar");

    public static readonly LocalizedText StatusPending = new("Pending", "Pendente");

    public static readonly LocalizedText StatusSucceeded = new("Succeeded", "Sucesso");

    public static readonly LocalizedText StatusFailed = new("Failed", "Falhou");

    public static readonly LocalizedText StatusCancelled = new("Cancelled", "Cancelada");

    public static readonly LocalizedText Created = new("Created", "Criada");

    public static readonly LocalizedText DocumentId = new("Document", "Documento");

    public static readonly LocalizedText Attempts = new("Attempts", "Tentativas");

    public static readonly LocalizedText LastStatusCode = new("Last status", "Último status");

    public static readonly LocalizedText NextAttempt = new("Next attempt", "Próxima tentativa");

    public static readonly LocalizedText NewestPage = new("Newest", "Mais recentes");

    public static readonly LocalizedText OlderPage = new("Older", "Mais antigas");

    // One delivery.
    public static readonly LocalizedText Delivery = new("Delivery", "Entrega");

    public static readonly LocalizedText BackToDeliveries = new("Deliveries of this webhook", "Entregas deste webhook");

    public static readonly LocalizedText NoAttempts = new("Not attempted yet.", "Ainda não tentada.");

    public static readonly LocalizedText Time = new("Time", "Horário");

    public static readonly LocalizedText Duration = new("Duration", "Duração");

    public static readonly LocalizedText Outcome = new("Status code or error", "Status ou erro");

    public static readonly LocalizedText ResponseExcerpt = new("Answer (first 1 KB)", "Resposta (primeiro 1 KB)");

    public static readonly LocalizedText Retry = new("Retry now", "Tentar de novo agora");

    public static readonly LocalizedText RetryExplained = new(
        "Sends this delivery again now, with the same webhook-id, whatever its state.",
        "Envia esta entrega de novo agora, com o mesmo webhook-id, qualquer que seja a situação.");

    public static readonly LocalizedText Retried = new(
        "The delivery is due now; reload in a moment to see the attempt.",
        "A entrega foi agendada para agora; recarregue em instantes para ver a tentativa.");

    /// <summary><c>{0}</c> is the time zone's id.</summary>
    public static readonly LocalizedText TimesIn = new("Times in {0}.", "Horários em {0}.");

    // Sessions.
    public static readonly LocalizedText LinkExpiredTitle = new("This link has expired", "Este link expirou");

    public static readonly LocalizedText LinkExpired = new(
        "This portal link is no longer valid: it expired, or it is not a link we issued. Open the portal again from your dashboard.",
        "Este link do portal não é mais válido: expirou, ou não foi emitido por nós. Abra o portal novamente pelo seu painel.");

    /// <summary><c>{0}</c> is the time the session ends.</summary>
    public static readonly LocalizedText SessionEnds = new("Session ends at {0}", "A sessão termina em {0}");

    // A use case's expected failures, in the portal's words (see Problem).
    public static readonly LocalizedText WebhookNotFound = new("This webhook does not exist (any more).", "Este webhook não existe (mais).");

    public static readonly LocalizedText DeliveryNotFound = new("This delivery does not exist.", "Esta entrega não existe.");

    public static readonly LocalizedText DeliveryInFlight = new(
        "The delivery is being attempted right now; try again when the attempt has finished.",
        "A entrega está sendo tentada agora; tente de novo quando a tentativa terminar.");

    public static readonly LocalizedText ConcurrentChange = new("The webhook changed meanwhile; try again.", "O webhook mudou enquanto isso; tente de novo.");

    public static readonly LocalizedText InvalidFilter = new("The filter is not valid.", "O filtro não é válido.");

    /// <summary>A webhook's disabled badge, with its reason when it has one.</summary>
    public static string DisabledLabel(string? reason) =>
        reason is { Length: > 0 } ? DisabledBecause.Format(reason) : Disabled.ToString();

    /// <summary>How a webhook authenticates, never its secret.</summary>
    public static string AuthMode(WebhookResponse webhook)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        return webhook.AuthorizationUrl is { } url ? AuthToken.Format(url) : (webhook.Authorization is not null ? AuthFixed : AuthNone).ToString();
    }

    public static string EventName(int type) => type == 0 ? DocumentFinished.ToString() : $"#{type}";

    /// <summary>A delivery status as the API spells it (<c>pending</c>, <c>succeeded</c>...), in words.</summary>
    public static string DeliveryStatus(string status) => status switch
    {
        "pending" => StatusPending.ToString(),
        "succeeded" => StatusSucceeded.ToString(),
        "failed" => StatusFailed.ToString(),
        "cancelled" => StatusCancelled.ToString(),
        _ => status,
    };

    /// <summary>A use case's expected failure, in the portal's words; any other in the error's own two texts.</summary>
    public static string Problem(Error error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.Code switch
        {
            "webhook.not_found" => WebhookNotFound.ToString(),
            "delivery.not_found" => DeliveryNotFound.ToString(),
            "delivery.in_flight" => DeliveryInFlight.ToString(),
            "webhook.concurrent_change" => ConcurrentChange.ToString(),
            "validation" => InvalidFilter.ToString(),
            _ => Text.Of(error),
        };
    }

    /// <summary>Every text of the portal, named, for the test that checks both languages are there.</summary>
    public static IEnumerable<(string Key, LocalizedText Text)> All() => LocalizedText.FieldsOf(typeof(PortalTexts));
}
