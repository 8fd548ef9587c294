using CleanWebhooks.Domain.Common;

namespace CleanWebhooks.Domain.Webhooks;

/// <summary>
/// The expected failures about webhooks, each with its English and Brazilian Portuguese text side by side, so that an
/// error only the entity raises is answered in the caller's language too. The request validator shows the same texts.
/// </summary>
public static class WebhookErrors
{
    public static readonly Error NotFound = Error.NotFound("webhook.not_found", "The webhook does not exist.", "O webhook não existe.");

    public static readonly Error DuplicateType = Error.Conflict(
        "webhook.duplicate_type",
        "A webhook of this type already exists. Only one webhook of each type can exist at a time: delete the current one first.",
        "Já existe um webhook deste tipo. Só pode existir um webhook de cada tipo por vez: exclua o atual primeiro.");

    public static readonly Error Disabled = Error.Conflict(
        "webhook.disabled",
        "The webhook is disabled: nothing is sent to it. Enable it first (POST .../enable).",
        "O webhook está desativado: nada é enviado a ele. Ative-o primeiro (POST .../enable).");

    public static readonly Error ConcurrentChange = Error.Conflict(
        "webhook.concurrent_change",
        "The webhook kept changing while this request ran; try again.",
        "O webhook mudou enquanto esta requisição era processada; tente de novo.");

    public static readonly Error InvalidMaxInFlight = Error.Validation(
        "webhook.invalid_max_in_flight",
        $"maxInFlight must be a whole number from 1 to {WebhookLimits.MaxInFlightCeiling}, or null for no limit.",
        $"maxInFlight deve ser um número inteiro de 1 a {WebhookLimits.MaxInFlightCeiling}, ou null para nenhum limite.",
        "maxInFlight");

    public static readonly Error InvalidMaxPerSecond = Error.Validation(
        "webhook.invalid_max_per_second",
        $"maxPerSecond must be a whole number from 1 to {WebhookLimits.MaxPerSecondCeiling}, or null for no limit.",
        $"maxPerSecond deve ser um número inteiro de 1 a {WebhookLimits.MaxPerSecondCeiling}, ou null para nenhum limite.",
        "maxPerSecond");

    public static readonly Error InvalidName = Error.Validation(
        "webhook.invalid_name",
        $"The name must have 1 to {WebhookRules.NameMaxLength} characters, without control characters.",
        $"O nome deve ter de 1 a {WebhookRules.NameMaxLength} caracteres, sem caracteres de controle.",
        "name");

    public static readonly Error UnknownType = Error.Validation(
        "webhook.unknown_type",
        "The type is not a known webhook type (0 = document finished).",
        "O tipo não é um tipo de webhook conhecido (0 = documento finalizado).",
        "type");

    public static readonly Error InvalidSigningScheme = Error.Validation(
        "webhook.invalid_signing_scheme",
        "The scheme must be one of ed25519, hmac-sha256.",
        "O scheme deve ser ed25519 ou hmac-sha256.",
        "scheme");

    public static readonly Error InvalidMethod = Error.Validation(
        "webhook.invalid_method", "The method must be one of POST, PUT, GET, DELETE.", "O método deve ser POST, PUT, GET ou DELETE.", "method");

    public static readonly Error InvalidUrl = Error.Validation(
        "webhook.invalid_url",
        $"The url must be an absolute http or https URL of at most {WebhookRules.UrlMaxLength} characters, without spaces, control characters or user info (user:pass@), with a port from 1 to 65535.",
        $"A url deve ser uma URL http ou https absoluta de no máximo {WebhookRules.UrlMaxLength} caracteres, sem espaços, caracteres de controle ou credenciais (usuario:senha@), com porta de 1 a 65535.",
        "url");

    public static readonly Error UrlWithoutIdPlaceholder = Error.Validation(
        "webhook.url_without_id",
        "The url must contain the ':id' placeholder, where the document id is sent.",
        "A url deve conter o parâmetro ':id', onde é enviado o id do documento.",
        "url");

    public static readonly Error TwoAuthorizationModes = Error.Validation(
        "webhook.two_authorization_modes",
        "Set either authorization or authorizationUrl, not both.",
        "Informe authorization ou authorizationUrl, não ambos.",
        "authorization");

    public static readonly Error InvalidAuthorization = Error.Validation(
        "webhook.invalid_authorization",
        "The authorization must be visible ASCII (spaces only between characters), without line breaks.",
        "A authorization deve ser ASCII visível (espaços só entre caracteres), sem quebras de linha.",
        "authorization");

    public static readonly Error TokenSettingsWithoutUrl = Error.Validation(
        "webhook.token_settings_without_url",
        "authorizationMethod, authorizationHeaders, authorizationBody and authorizationResponseTokenAttr need authorizationUrl.",
        "authorizationMethod, authorizationHeaders, authorizationBody e authorizationResponseTokenAttr exigem authorizationUrl.",
        "authorizationUrl");

    public static readonly Error InvalidAuthorizationUrl = Error.Validation(
        "webhook.invalid_authorization_url",
        "The authorizationUrl must be an absolute http or https URL, without spaces, control characters or user info (user:pass@), with a port from 1 to 65535.",
        "A authorizationUrl deve ser uma URL http ou https absoluta, sem espaços, caracteres de controle ou credenciais (usuario:senha@), com porta de 1 a 65535.",
        "authorizationUrl");

    public static readonly Error InvalidAuthorizationMethod = Error.Validation(
        "webhook.invalid_authorization_method",
        "The authorizationMethod must be one of POST, PUT, GET, DELETE.",
        "O authorizationMethod deve ser POST, PUT, GET ou DELETE.",
        "authorizationMethod");

    public static readonly Error InvalidTokenAttr = Error.Validation(
        "webhook.invalid_token_attr",
        "The authorizationResponseTokenAttr must be an attribute name or a dotted path such as data.token.",
        "O authorizationResponseTokenAttr deve ser um nome de atributo ou um caminho como data.token.",
        "authorizationResponseTokenAttr");

    public static readonly Error InvalidHeaderAuth = Error.Validation(
        "webhook.invalid_header_auth",
        "The headerAuth must be a scheme name such as Bearer.",
        "O headerAuth deve ser o nome de um esquema, como Bearer.",
        "headerAuth");

    public static Error InvalidHeaders(HeaderProblem problem, string field)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return Error.Validation("webhook.invalid_headers", problem.Description, problem.Portuguese, field);
    }
}
