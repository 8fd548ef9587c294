using CleanWebhooks.Application.Webhooks;
using CleanWebhooks.Domain.Common;
using CleanWebhooks.Domain.Deliveries;

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

    /// <summary><c>{0}</c> is the number of attempts, <c>{1}</c> the hour.</summary>
    public static readonly LocalizedText ChartPeak = new("busiest hour: {0} at {1}", "hora mais movimentada: {0} às {1}");

    public static readonly LocalizedText PerHour = new("Attempts per hour, last 24 hours", "Tentativas por hora, últimas 24 horas");

    public static readonly LocalizedText Hour = new("Hour", "Hora");

    public static readonly LocalizedText Succeeded = new("Succeeded", "Com sucesso");

    public static readonly LocalizedText FailedAttempts = new("Failed", "Com falha");

    // The webhook's health (_WebhookStatus.cshtml, _WebhookEnable.cshtml).
    public static readonly LocalizedText Active = new("Active", "Ativo");

    public static readonly LocalizedText Disabled = new("Disabled", "Desativado");

    /// <summary><c>{0}</c> is the reason.</summary>
    public static readonly LocalizedText DisabledBecause = new("Disabled: {0}", "Desativado: {0}");

    /// <summary><c>{0}</c> is the time the breaker closes.</summary>
    public static readonly LocalizedText PausedUntil = new(
        "Paused after repeated failures until {0}", "Pausado após falhas seguidas até {0}");

    public static readonly LocalizedText Enable = new("Enable again", "Reativar");

    // The test event.
    public static readonly LocalizedText SendTest = new("Send a test event", "Enviar evento de teste");

    public static readonly LocalizedText SendTestExplained = new(
        "Sends a real, signed delivery to this webhook at once, announced as webhook.test and without data, with its own document id (test-...).",
        "Envia na hora uma entrega real e assinada a este webhook, anunciada como webhook.test e sem dados, com um id de documento próprio (test-...).");

    public static readonly LocalizedText TestSent = new(
        "A test event was sent; reload in a moment to see its attempt.",
        "Um evento de teste foi enviado; recarregue em instantes para ver a tentativa.");

    // Finding a document.
    public static readonly LocalizedText FindDocument = new("Find a document", "Buscar um documento");

    public static readonly LocalizedText DocumentIdLabel = new("Document id", "Id do documento");

    public static readonly LocalizedText Search = new("Search", "Buscar");

    /// <summary><c>{0}</c> is the document id.</summary>
    public static readonly LocalizedText DeliveriesOfDocument = new("Deliveries of document {0}", "Entregas do documento {0}");

    public static readonly LocalizedText NoDeliveriesOfDocument = new("No delivery of this document.", "Nenhuma entrega deste documento.");

    // Recovering after an outage.
    public static readonly LocalizedText LimitsTitle = new("Your limits", "Seus limites");

    public static readonly LocalizedText LimitsExplained = new(
        "Without limits the service adapts to your server: it sends more at once while you answer 2xx, and less when you time out or answer 429 or 5xx. Set a limit if your server can take only so many requests at once, or has a quota per second; deliveries over it wait.",
        "Sem limites o serviço se adapta ao seu servidor: envia mais ao mesmo tempo enquanto você responde 2xx, e menos quando você demora demais ou responde 429 ou 5xx. Defina um limite se o seu servidor aguenta só algumas requisições ao mesmo tempo, ou tem uma cota por segundo; as entregas acima dele esperam.");

    public static readonly LocalizedText MaxInFlightLabel = new("At most at once (1-64)", "No máximo ao mesmo tempo (1-64)");

    public static readonly LocalizedText MaxPerSecondLabel = new("At most per second (1-1000)", "No máximo por segundo (1-1000)");

    public static readonly LocalizedText NoLimit = new("no limit", "sem limite");

    public static readonly LocalizedText SaveLimits = new("Save limits", "Salvar limites");

    public static readonly LocalizedText LimitsSaved = new("Your limits were saved.", "Seus limites foram salvos.");

    public static readonly LocalizedText LimitsNotNumbers = new(
        "Each limit is a whole number, or empty for no limit.", "Cada limite é um número inteiro, ou vazio para nenhum limite.");

    public static readonly LocalizedText Limits = new("Limits", "Limites");

    /// <summary><c>{0}</c> requests at once, <c>{1}</c> per second (either may be <see cref="NoLimit"/>).</summary>
    public static readonly LocalizedText LimitsSummary = new("{0} at once, {1} per second", "{0} ao mesmo tempo, {1} por segundo");

    public static readonly LocalizedText NoLimits = new("none: the service adapts to your server", "nenhum: o serviço se adapta ao seu servidor");

    public static readonly LocalizedText RecoverTitle = new("Recover failed deliveries", "Recuperar entregas com falha");

    public static readonly LocalizedText RecoverExplained = new(
        "After your server was down: sends again the deliveries that ended failed and were created between these times. They keep their attempts, and go out within your webhook's limits. You see how many first.",
        "Depois que seu servidor ficou fora do ar: envia de novo as entregas que terminaram com falha e foram criadas entre estes horários. Elas mantêm suas tentativas e saem dentro dos limites do seu webhook. Você vê quantas são antes.");

    public static readonly LocalizedText RecoverSince = new("Created from", "Criadas a partir de");

    public static readonly LocalizedText RecoverUntil = new("until (empty: now)", "até (vazio: agora)");

    public static readonly LocalizedText CountThem = new("Count them", "Contar");

    /// <summary><c>{0}</c> is the count, <c>{1}</c> and <c>{2}</c> the window's ends.</summary>
    public static readonly LocalizedText RecoverPreview = new(
        "{0} failed deliveries created from {1} until {2} will be sent again.",
        "{0} entregas com falha criadas de {1} até {2} serão enviadas de novo.");

    /// <summary><c>{0}</c> and <c>{1}</c> are the window's ends.</summary>
    public static readonly LocalizedText RecoverNothing = new(
        "No delivery created from {0} until {1} ended failed: there is nothing to recover.",
        "Nenhuma entrega criada de {0} até {1} terminou com falha: não há nada a recuperar.");

    public static readonly LocalizedText ConfirmRecover = new("Send them again", "Enviar de novo");

    /// <summary><c>{0}</c> is the count.</summary>
    public static readonly LocalizedText Recovered = new(
        "{0} deliveries are due again; they go out within your webhook's limits.",
        "{0} entregas foram agendadas de novo; elas saem dentro dos limites do seu webhook.");

    public static readonly LocalizedText InvalidTime = new(
        "Give a date and a time for the start of the recovery.", "Informe data e hora para o início da recuperação.");

    public static readonly LocalizedText EmptyRecoveryWindow = new(
        "The start must be before the end.", "O início deve ser anterior ao fim.");

    public static readonly LocalizedText WebhookDisabled = new(
        "The webhook is disabled: enable it again first.", "O webhook está desativado: reative-o primeiro.");

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

    /// <summary>Instead of a time, while an attempt is being made.</summary>
    public static readonly LocalizedText InProgress = new("in progress", "em andamento");

    /// <summary>Instead of a time, while the delivery's webhook is disabled.</summary>
    public static readonly LocalizedText HeldUntilEnabled = new("held until the webhook is enabled", "retida até o webhook ser reativado");

    public static readonly LocalizedText NewestPage = new("Newest", "Mais recentes");

    public static readonly LocalizedText OlderPage = new("Older", "Mais antigas");

    // One delivery.
    public static readonly LocalizedText Delivery = new("Delivery", "Entrega");

    public static readonly LocalizedText BackToDeliveries = new("Deliveries of this webhook", "Entregas deste webhook");

    public static readonly LocalizedText NoAttempts = new("Not attempted yet.", "Ainda não tentada.");

    public static readonly LocalizedText Time = new("Time", "Horário");

    public static readonly LocalizedText Duration = new("Duration", "Duração");

    public static readonly LocalizedText Outcome = new("Status code or error", "Status ou erro");

    public static readonly LocalizedText ErrorTimeout = new("timed out", "tempo esgotado");

    public static readonly LocalizedText ErrorNetwork = new("network error", "erro de rede");

    public static readonly LocalizedText ErrorBlockedAddress = new("address not allowed", "endereço não permitido");

    public static readonly LocalizedText ErrorTokenUnavailable = new("no token from the login URL", "sem token da URL de login");

    public static readonly LocalizedText ErrorInternal = new("the service failed to make it", "o serviço não conseguiu fazê-la");

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
        "This portal link is no longer valid: a link works once, and this one was used already, or it expired, or the session was ended, or it is not a link we issued. Open the portal again from your dashboard.",
        "Este link do portal não é mais válido: um link funciona uma vez só, e este já foi usado, ou expirou, ou a sessão foi encerrada, ou não foi emitido por nós. Abra o portal novamente pelo seu painel.");

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

    /// <summary>An attempt's error code (<c>timeout</c>, ...) in words; an unknown one as it is.</summary>
    public static string AttemptError(string error) => error switch
    {
        AttemptErrors.Timeout => ErrorTimeout.ToString(),
        AttemptErrors.NetworkError => ErrorNetwork.ToString(),
        AttemptErrors.BlockedAddress => ErrorBlockedAddress.ToString(),
        AttemptErrors.TokenUnavailable => ErrorTokenUnavailable.ToString(),
        AttemptErrors.InternalError => ErrorInternal.ToString(),
        _ => error,
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
            "webhook.disabled" or "delivery.webhook_disabled" => WebhookDisabled.ToString(),
            "delivery.empty_recovery_window" => EmptyRecoveryWindow.ToString(),
            "webhook.concurrent_change" => ConcurrentChange.ToString(),
            "validation" => InvalidFilter.ToString(),
            _ => Text.Of(error),
        };
    }

    /// <summary>Every text of the portal, named, for the test that checks both languages are there.</summary>
    public static IEnumerable<(string Key, LocalizedText Text)> All() => LocalizedText.FieldsOf(typeof(PortalTexts));
}
