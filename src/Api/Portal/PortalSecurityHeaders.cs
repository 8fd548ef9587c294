using System.Security.Cryptography;
using CleanWebhooks.Application.Portal;

namespace CleanWebhooks.Api.Portal;

/// <summary>
/// Headers of every portal answer: a strict Content-Security-Policy (no script at all; the one stylesheet is inline
/// with a per-request nonce; framing only by <c>Portal:FrameAncestors</c>), no MIME sniffing, no referrer (the first
/// address carries a session token), and no caching of pages that show secrets.
/// </summary>
public sealed class PortalSecurityHeaders(RequestDelegate next, PortalOptions options)
{
    private const string NonceKey = "portal.csp-nonce";

    /// <summary>The nonce of this request's inline stylesheet.</summary>
    public static string Nonce(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items[NonceKey] as string ?? throw new InvalidOperationException("The portal's security headers did not run.");
    }

    /// <summary>Refuses a frame-ancestors value that would break out of its directive or header.</summary>
    public static void Validate(string frameAncestors)
    {
        if (string.IsNullOrWhiteSpace(frameAncestors) || frameAncestors.Any(c => c is ';' or ',' || char.IsControl(c) || c > '~'))
        {
            throw new InvalidOperationException(
                "Portal:FrameAncestors must be CSP frame-ancestors sources separated by spaces, e.g. 'none' or https://dashboard.example.com.");
        }
    }

    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.Request.Path.StartsWithSegments(PortalRoutes.Root))
        {
            return next(context);
        }

        // Hex, not base64: the page writes it HTML-encoded, and '+' would come out as an entity.
        var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        context.Items[NonceKey] = nonce;
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy =
            $"default-src 'none'; style-src 'nonce-{nonce}'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors {options.FrameAncestors}";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-store";
        return next(context);
    }
}
