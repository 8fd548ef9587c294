using CleanWebhooks.Domain.Webhooks;

namespace CleanWebhooks.Infrastructure.Delivery;

/// <summary>
/// The one gate every header of an outbound request (deliveries and token calls) passes through. A value that is not
/// visible ASCII with inner spaces could split the header (CR/LF) and smuggle a second request onto a pooled
/// connection shared with other tenants, so such a header is never set and the request is not sent.
/// </summary>
public static class OutboundHeaders
{
    /// <summary>Headers that belong to the request's content rather than to the request itself.</summary>
    private static readonly HashSet<string> ContentHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Content-Type", "Content-Encoding", "Content-Language", "Content-Location", "Content-MD5", "Content-Range", "Content-Disposition",
        "Expires", "Last-Modified", "Allow",
    };

    /// <summary>True when <paramref name="name"/>: <paramref name="value"/> may be put on the wire.</summary>
    public static bool IsAllowed(string? name, string? value) =>
        WebhookRules.IsToken(name) && WebhookRules.IsSafeHeaderValue(value);

    /// <summary>
    /// Sets the header on the request, replacing an earlier value; a content header goes on the content and is dropped
    /// when there is no content. False, and nothing set, when the name or the value is not allowed.
    /// </summary>
    public static bool TrySet(HttpRequestMessage request, string name, string value)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!IsAllowed(name, value))
        {
            return false;
        }

        if (ContentHeaders.Contains(name))
        {
            if (request.Content is not null)
            {
                request.Content.Headers.Remove(name);
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }

            return true;
        }

        request.Headers.Remove(name);
        return request.Headers.TryAddWithoutValidation(name, value)
            || (request.Content is not null && request.Content.Headers.TryAddWithoutValidation(name, value));
    }
}
