using System.Text.RegularExpressions;

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

    /// <summary>Headers the transport owns, or that the service sets itself on every delivery.</summary>
    public static readonly IReadOnlySet<string> ReservedHeaders = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Transfer-Encoding", "Connection",
        "webhook-id", "webhook-timestamp", "webhook-signature",
    };

    public static bool IsAllowedMethod(string? method) =>
        method is not null && Methods.Contains(method.Trim().ToUpperInvariant());

    public static string NormalizeMethod(string method) => method.Trim().ToUpperInvariant();

    /// <summary>An absolute http or https URL with a host.</summary>
    public static bool IsHttpUrl(string? url) =>
        url is not null && url.Length <= UrlMaxLength
        && Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && !string.IsNullOrEmpty(uri.Host);

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
    /// A header value of printable ASCII (and tabs): nothing that could split the header (CR, LF, NUL), and nothing
    /// HttpClient would refuse to send at delivery time.
    /// </summary>
    public static bool IsSafeHeaderValue(string? value)
    {
        if (value is null)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (c != '\t' && (c < ' ' || c > '~'))
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
    public static string? CheckHeaders(IReadOnlyDictionary<string, string>? headers)
    {
        if (headers is null)
        {
            return null;
        }

        if (headers.Count > MaxHeaders)
        {
            return $"At most {MaxHeaders} headers are allowed.";
        }

        var bytes = 0;
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in headers)
        {
            if (!IsToken(name))
            {
                return $"'{name}' is not a valid header name.";
            }

            // Header names are case-insensitive: "X-A" and "x-a" are one header given twice.
            if (!seen.Add(name))
            {
                return $"The header '{name}' is given more than once.";
            }

            if (ReservedHeaders.Contains(name))
            {
                return $"The header '{name}' cannot be set.";
            }

            if (!IsSafeHeaderValue(value))
            {
                return $"The value of header '{name}' must be printable ASCII without line breaks.";
            }

            bytes += name.Length + (value?.Length ?? 0);
        }

        return bytes > MaxHeadersBytes ? $"Headers may hold at most {MaxHeadersBytes} bytes." : null;
    }

    /// <summary>A dotted path like <c>data.token</c>: non-empty segments.</summary>
    public static bool IsTokenPath(string? path) =>
        !string.IsNullOrWhiteSpace(path) && path.Length <= TokenAttrMaxLength
        && path.Split('.').All(segment => segment.Length > 0);
}
