using System.Text.RegularExpressions;
using CleanWebhooks.Domain.Common;

namespace CleanWebhooks.Domain.Webhooks;

/// <summary>
/// The rules of a webhook's fields, in one place: the entity enforces them and the request validators
/// reuse them to name the offending field.
/// </summary>
public static partial class WebhookRules
{
    public const string IdPlaceholder = ":id";
    public const int NameMaxLength = 200;
    public const int UrlMaxLength = 2048;
    public const int MaxHeaders = 50;
    public const int MaxHeadersBytes = 8 * 1024;
    public const int HeaderAuthMaxLength = 50;
    public const int AuthorizationMaxLength = 4096;
    public const int AuthorizationBodyMaxLength = 8 * 1024;
    public const int TokenAttrMaxLength = 200;
    public const string DefaultAuthorizationMethod = "POST";
    public const string DefaultTokenAttr = "access_token";

    public static readonly IReadOnlyList<string> Methods = ["POST", "PUT", "GET", "DELETE"];

    /// <summary>
    /// Headers neither <c>headers</c> nor <c>authorizationHeaders</c> may set: the transport owns them (framing,
    /// connection, Host), they would make every delivery wait (<c>Expect</c>), they are meant for a proxy, or the
    /// service sets them itself on every delivery (<c>webhook-*</c>, see <see cref="IsReserved"/>).
    /// </summary>
    public static readonly IReadOnlySet<string> ReservedHeaders = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "TE", "Trailer", "Expect",
        "Proxy-Authorization", "Proxy-Connection",
    };

    /// <summary>True when a header may not be set by <c>headers</c> nor <c>authorizationHeaders</c>.</summary>
    public static bool IsReserved(string name) =>
        ReservedHeaders.Contains(name) || name.StartsWith("webhook-", StringComparison.OrdinalIgnoreCase);

    /// <summary>1 to <see cref="NameMaxLength"/> characters, no control characters nor bidirectional controls.</summary>
    public static bool IsValidName(string? name) => DisplayText.IsValidName(name, NameMaxLength);

    public static bool IsAllowedMethod(string? method) =>
        method is not null && Methods.Contains(method.Trim().ToUpperInvariant());

    public static string NormalizeMethod(string method) => method.Trim().ToUpperInvariant();

    /// <summary>
    /// An absolute http or https URL with a host, of at most <see cref="UrlMaxLength"/> characters: no whitespace or
    /// control characters anywhere (they would be escaped or dropped silently, and the receiver is not called where
    /// the integrator thinks), no user info (credentials belong in <c>authorization</c>), an explicit port in 1–65535.
    /// </summary>
    public static bool IsHttpUrl(string? url)
    {
        if (url is null || url.Length == 0 || url.Length > UrlMaxLength || url.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            return false;
        }

        return Uri.TryCreate(url, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            && !string.IsNullOrEmpty(uri.Host)
            && uri.UserInfo.Length == 0 && !Authority(url).Contains('@', StringComparison.Ordinal)
            && uri.Port is >= 1 and <= 65535;
    }

    /// <summary>The text between <c>//</c> and the path, query or fragment.</summary>
    private static string Authority(string url)
    {
        var start = url.IndexOf("//", StringComparison.Ordinal);
        if (start < 0)
        {
            return "";
        }

        start += 2;
        var end = url.IndexOfAny(['/', '?', '#'], start);
        return end < 0 ? url[start..] : url[start..end];
    }

    /// <summary>
    /// True when the url's path or query has a <c>:id</c> placeholder (<c>:identity</c> is not one). A placeholder in
    /// the fragment or the user info would never reach the receiver.
    /// </summary>
    public static bool HasIdPlaceholder(string? url) =>
        url is not null && Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri)
        && IdPlaceholderPattern().IsMatch(uri.GetComponents(UriComponents.PathAndQuery, UriFormat.UriEscaped));

    /// <summary>The url with every <c>:id</c> placeholder replaced by <paramref name="escapedId"/>.</summary>
    public static string ReplaceIdPlaceholder(string url, string escapedId) => IdPlaceholderPattern().Replace(url, escapedId.Replace("$", "$$", StringComparison.Ordinal));

    [GeneratedRegex(":id(?![A-Za-z0-9_])", RegexOptions.CultureInvariant)]
    private static partial Regex IdPlaceholderPattern();

    /// <summary>An RFC 9110 token: one or more tchar.</summary>
    public static bool IsToken(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        foreach (var c in value)
        {
            var ok = char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// A header value the service may put on the wire: visible ASCII with spaces only between visible characters.
    /// Nothing that could split the header (CR, LF, NUL), no tabs, no other control characters, no non-ASCII. The
    /// same rule holds at registration and, for every outbound header including a fetched token, at sending time.
    /// </summary>
    public static bool IsSafeHeaderValue(string? value)
    {
        if (value is null)
        {
            return false;
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            var ok = c is > ' ' and <= '~' || (c == ' ' && i > 0 && i < value.Length - 1);
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Authorization schemes shown when redacting (<c>Bearer ****</c>); anything else is masked whole.</summary>
    public static readonly IReadOnlySet<string> KnownAuthorizationSchemes = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "Basic", "Bearer", "Digest", "Negotiate", "NTLM", "Token", "Bot", "ApiKey", "Key", "HMAC", "OAuth", "DPoP",
        "AWS4-HMAC-SHA256", "HOBA", "Mutual", "SCRAM-SHA-1", "SCRAM-SHA-256", "vapid",
    };

    /// <summary>Why a header set is refused, or null when it is fine.</summary>
    public static HeaderProblem? CheckHeaders(IReadOnlyDictionary<string, string>? headers, HeaderSet set) =>
        HeaderProblems(headers, set).FirstOrDefault();

    /// <summary>
    /// Everything wrong with a header set: at most one problem per header, then the total size. The entity stops at
    /// the first; the request validator reports them all, in the caller's language.
    /// </summary>
    public static IEnumerable<HeaderProblem> HeaderProblems(IReadOnlyDictionary<string, string>? headers, HeaderSet set)
    {
        if (headers is null)
        {
            yield break;
        }

        if (headers.Count > MaxHeaders)
        {
            yield return new HeaderProblem(HeaderProblemKind.TooMany, null);
            yield break;
        }

        var bytes = 0;
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in headers)
        {
            bytes += name.Length + (value?.Length ?? 0);

            // Header names are case-insensitive: "X-A" and "x-a" are one header given twice.
            var kind = !IsToken(name) ? HeaderProblemKind.InvalidName
                : !seen.Add(name) ? HeaderProblemKind.Repeated
                : IsReserved(name) ? HeaderProblemKind.Reserved
                : set == HeaderSet.Delivery && name.Equals("Authorization", StringComparison.OrdinalIgnoreCase) ? HeaderProblemKind.AuthorizationInHeaders
                : !IsSafeHeaderValue(value) ? HeaderProblemKind.InvalidValue
                : (HeaderProblemKind?)null;
            if (kind is { } problem)
            {
                yield return new HeaderProblem(problem, name);
            }
        }

        if (bytes > MaxHeadersBytes)
        {
            yield return new HeaderProblem(HeaderProblemKind.TooLarge, null);
        }
    }

    /// <summary>A dotted path like <c>data.token</c>: non-empty segments.</summary>
    public static bool IsTokenPath(string? path) =>
        !string.IsNullOrWhiteSpace(path) && path.Length <= TokenAttrMaxLength
        && path.Split('.').All(segment => segment.Length > 0);
}

/// <summary>Which header set is checked: a delivery's <c>headers</c>, or the token call's <c>authorizationHeaders</c>.</summary>
public enum HeaderSet
{
    /// <summary><c>headers</c>: <c>Authorization</c> is set through the <c>authorization</c> field instead.</summary>
    Delivery,

    /// <summary><c>authorizationHeaders</c>: may set <c>Authorization</c> (e.g. Basic client credentials of a token endpoint).</summary>
    TokenCall,
}

public enum HeaderProblemKind
{
    TooMany,
    InvalidName,
    Repeated,
    Reserved,
    AuthorizationInHeaders,
    InvalidValue,
    TooLarge,
}

/// <summary>One thing wrong with a header set; <see cref="Name"/> is the header concerned, when there is one.</summary>
public sealed record HeaderProblem(HeaderProblemKind Kind, string? Name)
{
    public string Description => Kind switch
    {
        HeaderProblemKind.TooMany => $"At most {WebhookRules.MaxHeaders} headers are allowed.",
        HeaderProblemKind.InvalidName => $"'{Name}' is not a valid header name.",
        HeaderProblemKind.Repeated => $"The header '{Name}' is given more than once.",
        HeaderProblemKind.Reserved => $"The header '{Name}' cannot be set: the service or the transport sets it, or it would stall or misdirect every delivery.",
        HeaderProblemKind.AuthorizationInHeaders =>
            "Set Authorization with the authorization field (or authorizationUrl), not in headers: there it is kept secret and masked in answers.",
        HeaderProblemKind.InvalidValue => $"The value of header '{Name}' must be visible ASCII (spaces only between characters), without line breaks.",
        _ => $"Headers may hold at most {WebhookRules.MaxHeadersBytes} bytes.",
    };

    public string Portuguese => Kind switch
    {
        HeaderProblemKind.TooMany => $"São permitidos no máximo {WebhookRules.MaxHeaders} cabeçalhos.",
        HeaderProblemKind.InvalidName => $"'{Name}' não é um nome de cabeçalho válido.",
        HeaderProblemKind.Repeated => $"O cabeçalho '{Name}' foi informado mais de uma vez.",
        HeaderProblemKind.Reserved => $"O cabeçalho '{Name}' não pode ser definido: o serviço ou o transporte o define, ou ele travaria ou desviaria cada entrega.",
        HeaderProblemKind.AuthorizationInHeaders =>
            "Informe Authorization no campo authorization (ou authorizationUrl), não em headers: lá ele é guardado em segredo e mascarado nas respostas.",
        HeaderProblemKind.InvalidValue => $"O valor do cabeçalho '{Name}' deve ser ASCII visível (espaços só entre caracteres), sem quebras de linha.",
        _ => $"Os cabeçalhos podem ter no máximo {WebhookRules.MaxHeadersBytes} bytes.",
    };
}
