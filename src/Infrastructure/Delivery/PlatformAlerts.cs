using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using CleanWebhooks.Application.Common.Settings;
using CleanWebhooks.Domain.Webhooks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CleanWebhooks.Infrastructure.Delivery;

/// <summary>The <c>Alerts</c> configuration section: where the platform hears about disabled webhooks.</summary>
public sealed class AlertOptions : ISettingsSection
{
    public const string SectionName = "Alerts";

    /// <summary>An internal URL that receives alerts; none are sent when it is unset.</summary>
    public Uri? Url { get; set; }

    /// <summary>Signs alerts like deliveries (Standard Webhooks, <c>whsec_</c> + base64 key).</summary>
    public string? Secret { get; set; }

    /// <summary>Each setting that cannot work, named by its key (never the secret's value).</summary>
    public IEnumerable<string> Problems()
    {
        string?[] problems =
        [
            Url is { } url && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
                ? "Alerts:Url must be an absolute http or https URL." : null,
            Secret is { Length: > 0 } secret && !IsHmacSecret(secret)
                ? $"Alerts:Secret must be a Standard Webhooks secret: {SigningSecret.Prefix} and a base64 key." : null,
        ];
        return problems.OfType<string>();
    }

    private static bool IsHmacSecret(string secret)
    {
        Span<byte> key = stackalloc byte[secret.Length];
        return secret.StartsWith(SigningSecret.Prefix, StringComparison.Ordinal)
            && Convert.TryFromBase64String(secret[SigningSecret.Prefix.Length..], key, out var length) && length > 0;
    }
}

/// <summary>An alert to the platform: <c>{"type": "webhook.disabled", "clientId", "webhookId", "disabledAt", "reason"}</c>.</summary>
internal sealed record WebhookDisabledAlert(Guid ClientId, Guid WebhookId, DateTimeOffset DisabledAt, string? Reason);

/// <summary>
/// Posts alerts to <c>Alerts:Url</c> in the background, signed with <c>Alerts:Secret</c>, each retried a few times.
/// Delivery never waits for it, and a failing alert only costs a log line.
/// </summary>
internal sealed partial class PlatformAlerts(AlertOptions options, IHttpClientFactory httpClientFactory, TimeProvider clock, ILogger<PlatformAlerts> logger)
    : BackgroundService
{
    public const string ClientName = "alerts";

    private static readonly TimeSpan[] Backoff = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30)];

    private readonly Channel<WebhookDisabledAlert> _alerts = Channel.CreateBounded<WebhookDisabledAlert>(
        new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    public void Enqueue(WebhookDisabledAlert alert)
    {
        if (options.Url is not null)
        {
            _alerts.Writer.TryWrite(alert);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Url is not null && string.IsNullOrEmpty(options.Secret))
        {
            LogUnsigned(options.Url);
        }

        try
        {
            await foreach (var alert in _alerts.Reader.ReadAllAsync(stoppingToken))
            {
                await SendWithRetriesAsync(alert, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: alerts still queued are lost with the process; the warning log and the metric remain.
        }
    }

    private async Task SendWithRetriesAsync(WebhookDisabledAlert alert, CancellationToken stoppingToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            type = "webhook.disabled",
            clientId = alert.ClientId,
            webhookId = alert.WebhookId,
            disabledAt = alert.DisabledAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
            reason = alert.Reason,
        });
        var id = $"alert_{Guid.CreateVersion7():N}";
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, options.Url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
                request.Headers.TryAddWithoutValidation("webhook-id", id);
                request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
                if (!string.IsNullOrEmpty(options.Secret))
                {
                    request.Headers.TryAddWithoutValidation("webhook-signature", Signature.Sign([options.Secret], id, timestamp, body));
                }

                request.Headers.TryAddWithoutValidation("User-Agent", DeliveryHttp.UserAgent);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(10));
                using var response = await httpClientFactory.CreateClient(ClientName).SendAsync(request, timeout.Token);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                LogAlertRefused(alert.WebhookId, (int)response.StatusCode, attempt + 1);
            }
            catch (Exception e) when (e is HttpRequestException or IOException || (e is OperationCanceledException && !stoppingToken.IsCancellationRequested))
            {
                LogAlertFailed(e, alert.WebhookId, attempt + 1);
            }

            if (attempt >= Backoff.Length)
            {
                return;
            }

            await Task.Delay(Backoff[attempt], clock, stoppingToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alerts:Url is {Url} but Alerts:Secret is not set: alerts go out unsigned")]
    private partial void LogUnsigned(Uri url);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert about webhook {WebhookId} refused with {StatusCode} (attempt {Attempt})")]
    private partial void LogAlertRefused(Guid webhookId, int statusCode, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert about webhook {WebhookId} failed (attempt {Attempt})")]
    private partial void LogAlertFailed(Exception exception, Guid webhookId, int attempt);
}
