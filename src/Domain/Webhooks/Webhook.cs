using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Common;

namespace CleanWebhooks.Domain.Webhooks;

/// <summary>
/// A client's registration for one event type: where and how to call its server. The seed's fields never change: to
/// change one, integrators delete it and create another. What changes in place: its signing key (rotation, scheme), its
/// limits, and its health (written by the delivery outcomes).
/// </summary>
public sealed class Webhook
{
    private static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>();

    private Webhook() { }

    public WebhookId Id { get; private set; }

    public ClientId ClientId { get; private set; }

    public string Name { get; private set; } = "";

    public WebhookType Type { get; private set; }

    public string Method { get; private set; } = "";

    public IReadOnlyDictionary<string, string> Headers { get; private set; } = NoHeaders;

    public string? HeaderAuth { get; private set; }

    public string Url { get; private set; } = "";

    /// <summary>A fixed Authorization header value, sent as is. Secret.</summary>
    public string? Authorization { get; private set; }

    public string? AuthorizationUrl { get; private set; }

    public string? AuthorizationMethod { get; private set; }

    public IReadOnlyDictionary<string, string>? AuthorizationHeaders { get; private set; }

    /// <summary>The JSON body sent to <see cref="AuthorizationUrl"/>. Secret: it holds credentials.</summary>
    public string? AuthorizationBody { get; private set; }

    public string? AuthorizationResponseTokenAttr { get; private set; }

    /// <summary>The key that signs: a <c>whsec_</c> HMAC secret, or a <c>whsk_</c> Ed25519 private key (<see cref="Webhooks.SigningSecret"/>). Secret.</summary>
    public string SigningSecret { get; private set; } = "";

    /// <summary>How deliveries are signed now; the key's prefix says it.</summary>
    public SigningScheme SigningScheme => Webhooks.SigningSecret.SchemeOf(SigningSecret);

    /// <summary>The secret replaced by the last rotation, still signing until <see cref="PreviousSigningSecretExpiresAt"/>.</summary>
    public string? PreviousSigningSecret { get; private set; }

    public DateTimeOffset? PreviousSigningSecretExpiresAt { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public DateTimeOffset? DeletedAt { get; private set; }

    public bool IsDeleted => DeletedAt is not null;

    /// <summary>The endpoint's health: breaker and auto-disable (its transitions are <see cref="WebhookHealth"/>'s).</summary>
    public WebhookHealth Health { get; private set; } = WebhookHealth.Healthy;

    /// <summary>The integrator's own limits on its receiver's load.</summary>
    public WebhookLimits Limits { get; private set; } = WebhookLimits.None;

    public WebhookStatus Status => Health.Status;

    /// <summary>Authorization for the caller's eyes: the scheme kept, the credential masked.</summary>
    public string? RedactedAuthorization => Redact(Authorization);

    public static Result<Webhook> Create(ClientId clientId, WebhookDefinition definition, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(definition);

        if (!WebhookRules.IsValidName(definition.Name))
        {
            return WebhookErrors.InvalidName;
        }

        if (!WebhookTypes.IsKnown(definition.Type))
        {
            return WebhookErrors.UnknownType;
        }

        if (!WebhookRules.IsAllowedMethod(definition.Method))
        {
            return WebhookErrors.InvalidMethod;
        }

        if (!WebhookRules.IsHttpUrl(definition.Url))
        {
            return WebhookErrors.InvalidUrl;
        }

        if (!WebhookRules.HasIdPlaceholder(definition.Url))
        {
            return WebhookErrors.UrlWithoutIdPlaceholder;
        }

        if (WebhookRules.CheckHeaders(definition.Headers, HeaderSet.Delivery) is { } headersProblem)
        {
            return WebhookErrors.InvalidHeaders(headersProblem, "headers");
        }

        var fixedAuthorization = NullIfEmpty(definition.Authorization);
        // Checked as given: a url with surrounding spaces is refused, not silently trimmed.
        var authorizationUrl = string.IsNullOrWhiteSpace(definition.AuthorizationUrl) ? null : definition.AuthorizationUrl;
        if (fixedAuthorization is not null && authorizationUrl is not null)
        {
            return WebhookErrors.TwoAuthorizationModes;
        }

        if (fixedAuthorization is not null && !WebhookRules.IsSafeHeaderValue(fixedAuthorization))
        {
            return WebhookErrors.InvalidAuthorization;
        }

        if (authorizationUrl is null && HasTokenFlowSettings(definition))
        {
            return WebhookErrors.TokenSettingsWithoutUrl;
        }

        if (authorizationUrl is not null)
        {
            if (!WebhookRules.IsHttpUrl(authorizationUrl))
            {
                return WebhookErrors.InvalidAuthorizationUrl;
            }

            if (NullIfEmpty(definition.AuthorizationMethod) is { } m && !WebhookRules.IsAllowedMethod(m))
            {
                return WebhookErrors.InvalidAuthorizationMethod;
            }

            if (WebhookRules.CheckHeaders(definition.AuthorizationHeaders, HeaderSet.TokenCall) is { } authHeadersProblem)
            {
                return WebhookErrors.InvalidHeaders(authHeadersProblem, "authorizationHeaders");
            }

            if (NullIfEmpty(definition.AuthorizationResponseTokenAttr) is { } attr && !WebhookRules.IsTokenPath(attr))
            {
                return WebhookErrors.InvalidTokenAttr;
            }
        }

        var headerAuth = NullIfEmpty(definition.HeaderAuth);
        if (headerAuth is not null && (!WebhookRules.IsToken(headerAuth) || headerAuth.Length > WebhookRules.HeaderAuthMaxLength))
        {
            return WebhookErrors.InvalidHeaderAuth;
        }

        return new Webhook
        {
            Id = WebhookId.New(),
            ClientId = clientId,
            Name = definition.Name.Trim(),
            Type = (WebhookType)definition.Type,
            Method = WebhookRules.NormalizeMethod(definition.Method),
            Headers = Copy(definition.Headers) ?? NoHeaders,
            HeaderAuth = headerAuth,
            Url = definition.Url,
            Authorization = fixedAuthorization,
            AuthorizationUrl = authorizationUrl,
            AuthorizationMethod = authorizationUrl is null ? null
                : WebhookRules.NormalizeMethod(NullIfEmpty(definition.AuthorizationMethod) ?? WebhookRules.DefaultAuthorizationMethod),
            AuthorizationHeaders = authorizationUrl is null ? null : Copy(definition.AuthorizationHeaders),
            AuthorizationBody = authorizationUrl is null ? null : definition.AuthorizationBody,
            AuthorizationResponseTokenAttr = authorizationUrl is null ? null
                : NullIfEmpty(definition.AuthorizationResponseTokenAttr) ?? WebhookRules.DefaultTokenAttr,
            SigningSecret = Webhooks.SigningSecret.Generate(),
            CreatedAt = now,
            UpdatedAt = now,
        };
    }

    /// <summary>The stored state of a webhook, read back by a repository.</summary>
    public sealed record Snapshot(
        WebhookId Id, ClientId ClientId, string Name, WebhookType Type, string Method,
        IReadOnlyDictionary<string, string> Headers, string? HeaderAuth, string Url, string? Authorization,
        string? AuthorizationUrl, string? AuthorizationMethod, IReadOnlyDictionary<string, string>? AuthorizationHeaders,
        string? AuthorizationBody, string? AuthorizationResponseTokenAttr, string SigningSecret,
        string? PreviousSigningSecret, DateTimeOffset? PreviousSigningSecretExpiresAt,
        DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? DeletedAt, WebhookHealth? Health = null, WebhookLimits? Limits = null);

    /// <summary>Rebuilds a webhook that was valid when it was stored.</summary>
    public static Webhook Restore(Snapshot s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return new Webhook
        {
            Id = s.Id, ClientId = s.ClientId, Name = s.Name, Type = s.Type, Method = s.Method, Headers = s.Headers,
            HeaderAuth = s.HeaderAuth, Url = s.Url, Authorization = s.Authorization, AuthorizationUrl = s.AuthorizationUrl,
            AuthorizationMethod = s.AuthorizationMethod, AuthorizationHeaders = s.AuthorizationHeaders,
            AuthorizationBody = s.AuthorizationBody, AuthorizationResponseTokenAttr = s.AuthorizationResponseTokenAttr,
            SigningSecret = s.SigningSecret, PreviousSigningSecret = s.PreviousSigningSecret,
            PreviousSigningSecretExpiresAt = s.PreviousSigningSecretExpiresAt, CreatedAt = s.CreatedAt,
            UpdatedAt = s.UpdatedAt, DeletedAt = s.DeletedAt, Health = s.Health ?? WebhookHealth.Healthy, Limits = s.Limits ?? WebhookLimits.None,
        };
    }

    /// <summary>Makes a new signing key of the same scheme; the old one keeps signing beside it for a day.</summary>
    public void RotateSecret(DateTimeOffset now) => ReplaceSigningKey(SigningScheme, now);

    /// <summary>
    /// Signs with a new key of <paramref name="scheme"/> from now on: a rotation, so the old key keeps signing beside
    /// it for a day and receivers can switch. Setting the scheme the webhook already has changes nothing (false).
    /// </summary>
    public bool ChangeSigningScheme(SigningScheme scheme, DateTimeOffset now)
    {
        if (scheme == SigningScheme)
        {
            return false;
        }

        ReplaceSigningKey(scheme, now);
        return true;
    }

    /// <summary>The secrets that sign a request sent at <paramref name="now"/>: the current one first.</summary>
    public IReadOnlyList<string> SigningSecretsAt(DateTimeOffset now) =>
        PreviousSigningSecret is not null && PreviousSigningSecretExpiresAt > now
            ? [SigningSecret, PreviousSigningSecret]
            : [SigningSecret];

    private void ReplaceSigningKey(SigningScheme scheme, DateTimeOffset now)
    {
        PreviousSigningSecret = SigningSecret;
        PreviousSigningSecretExpiresAt = now + Webhooks.SigningSecret.RotationOverlap;
        SigningSecret = Webhooks.SigningSecret.Generate(scheme);
        UpdatedAt = now;
    }

    /// <summary>The delivery URL for a document: every <c>:id</c> replaced by the URL-escaped id.</summary>
    public string UrlFor(string documentId) =>
        WebhookRules.ReplaceIdPlaceholder(Url, Uri.EscapeDataString(documentId));

    private static bool HasTokenFlowSettings(WebhookDefinition d) =>
        NullIfEmpty(d.AuthorizationMethod) is not null
        || d.AuthorizationHeaders is { Count: > 0 }
        || NullIfEmpty(d.AuthorizationBody) is not null
        || NullIfEmpty(d.AuthorizationResponseTokenAttr) is not null;

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static Dictionary<string, string>? Copy(IReadOnlyDictionary<string, string>? headers) =>
        headers is null ? null : new Dictionary<string, string>(headers, StringComparer.OrdinalIgnoreCase);

    private static string? Redact(string? authorization)
    {
        if (authorization is null)
        {
            return null;
        }

        // Only a well-known scheme is shown: any other first word may be the credential itself.
        var space = authorization.IndexOf(' ', StringComparison.Ordinal);
        var scheme = space > 0 ? authorization[..space] : null;
        return scheme is not null && WebhookRules.KnownAuthorizationSchemes.Contains(scheme)
            ? scheme + " ****"
            : "****";
    }
}
