using System.Text;
using System.Text.Encodings.Web;
using CleanWebhooks.Application.Common.Localization;
using CleanWebhooks.Application.Deliveries;
using CleanWebhooks.Application.Webhooks;
using Microsoft.AspNetCore.Html;

namespace CleanWebhooks.Api.Portal;

/// <summary>What the pages show that takes more than a text: urls that wrap where a reader expects, and when a delivery goes next.</summary>
public static class PortalHtml
{
    /// <summary>
    /// A url, HTML-encoded, with a break opportunity (<c>&lt;wbr&gt;</c>) after each <c>/</c> and before each <c>?</c>,
    /// <c>&amp;</c> and <c>=</c>: a long url wraps between its parts rather than letter by letter, and a table's url
    /// column is only as narrow as the url's longest part.
    /// </summary>
    public static IHtmlContent BreakableUrl(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var html = new StringBuilder(url.Length * 2);
        var part = new StringBuilder();
        for (var i = 0; i < url.Length; i++)
        {
            var c = url[i];
            var before = c is '?' or '&' or '=' && part.Length > 0;
            var after = c == '/' && (i + 1 >= url.Length || url[i + 1] != '/');
            if (before)
            {
                Flush();
            }

            part.Append(c);
            if (after)
            {
                Flush();
            }
        }

        html.Append(HtmlEncoder.Default.Encode(part.ToString()));
        return new HtmlString(html.ToString());

        void Flush()
        {
            html.Append(HtmlEncoder.Default.Encode(part.ToString())).Append("<wbr>");
            part.Clear();
        }
    }

    /// <summary>
    /// When a pending delivery goes next, as its integrator should read it: "in progress" while an attempt is being
    /// made (the stored time is then only the lease's end), "held" while its webhook is disabled, and never a time
    /// before the end of the breaker's pause that holds it. "—" for a delivery that has ended.
    /// </summary>
    public static string NextAttempt(string status, bool inFlight, DateTimeOffset? nextAttemptAt, WebhookResponse? webhook, DisplayTime time)
    {
        ArgumentNullException.ThrowIfNull(time);
        if (inFlight)
        {
            return PortalTexts.InProgress.ToString();
        }

        if (status != "pending" || nextAttemptAt is not { } next)
        {
            return time.Format(null);
        }

        if (webhook?.DisabledAt is not null)
        {
            return PortalTexts.HeldUntilEnabled.ToString();
        }

        return time.Format(webhook?.PausedUntil is { } pausedUntil && pausedUntil > next ? pausedUntil : next);
    }

    /// <inheritdoc cref="NextAttempt(string, bool, DateTimeOffset?, WebhookResponse?, DisplayTime)"/>
    public static string NextAttempt(this DeliveryResponse delivery, WebhookResponse? webhook, DisplayTime time)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return NextAttempt(delivery.Status, delivery.InFlight, delivery.NextAttemptAt, webhook, time);
    }

    /// <inheritdoc cref="NextAttempt(string, bool, DateTimeOffset?, WebhookResponse?, DisplayTime)"/>
    public static string NextAttempt(this DeliveryDetailsResponse delivery, WebhookResponse? webhook, DisplayTime time)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return NextAttempt(delivery.Status, delivery.InFlight, delivery.NextAttemptAt, webhook, time);
    }
}
