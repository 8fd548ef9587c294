using CleanWebhooks.Domain.Common;

namespace CleanWebhooks.Domain.Webhooks;

/// <summary>The expected failures about webhooks.</summary>
public static class WebhookErrors
{
    public static readonly Error NotFound = Error.NotFound("webhook.not_found", "The webhook does not exist.");

    public static readonly Error DuplicateType = Error.Conflict(
        "webhook.duplicate_type",
        "A webhook of this type already exists. Only one webhook of each type can exist at a time: delete the current one first.");

    public static readonly Error ConcurrentChange = Error.Conflict(
        "webhook.concurrent_change", "The webhook kept changing while this request ran; try again.");

    public static readonly Error InvalidName = Error.Validation(
        "webhook.invalid_name", $"The name must have 1 to {WebhookRules.NameMaxLength} characters.", "name");

    public static readonly Error UnknownType = Error.Validation(
        "webhook.unknown_type", "The type is not a known webhook type (0 = document finished).", "type");

    public static readonly Error InvalidMethod = Error.Validation(
        "webhook.invalid_method", "The method must be one of POST, PUT, GET, DELETE.", "method");

    public static readonly Error InvalidUrl = Error.Validation(
        "webhook.invalid_url", $"The url must be an absolute http or https URL of at most {WebhookRules.UrlMaxLength} characters.", "url");

    public static readonly Error UrlWithoutIdPlaceholder = Error.Validation(
        "webhook.url_without_id", "The url must contain the ':id' placeholder, where the document id is sent.", "url");

    public static readonly Error TwoAuthorizationModes = Error.Validation(
        "webhook.two_authorization_modes", "Set either authorization or authorizationUrl, not both.", "authorization");

    public static readonly Error InvalidAuthorization = Error.Validation(
        "webhook.invalid_authorization", "The authorization must be printable ASCII without line breaks.", "authorization");

    public static readonly Error TokenSettingsWithoutUrl = Error.Validation(
        "webhook.token_settings_without_url",
        "authorizationMethod, authorizationHeaders, authorizationBody and authorizationResponseTokenAttr need authorizationUrl.",
        "authorizationUrl");

    public static readonly Error InvalidAuthorizationUrl = Error.Validation(
        "webhook.invalid_authorization_url", "The authorizationUrl must be an absolute http or https URL.", "authorizationUrl");

    public static readonly Error InvalidAuthorizationMethod = Error.Validation(
        "webhook.invalid_authorization_method", "The authorizationMethod must be one of POST, PUT, GET, DELETE.", "authorizationMethod");

    public static readonly Error InvalidTokenAttr = Error.Validation(
        "webhook.invalid_token_attr", "The authorizationResponseTokenAttr must be an attribute name or a dotted path such as data.token.",
        "authorizationResponseTokenAttr");

    public static readonly Error InvalidHeaderAuth = Error.Validation(
        "webhook.invalid_header_auth", "The headerAuth must be a scheme name such as Bearer.", "headerAuth");

    public static Error InvalidHeaders(string problem, string field) =>
        Error.Validation("webhook.invalid_headers", problem, field);
}
