using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;
using CleanWebhooks.Infrastructure.Telemetry;
using Microsoft.Extensions.Logging;

namespace CleanWebhooks.Infrastructure.Delivery;

/// <summary>A token for the receiver, or why there is none.</summary>
public readonly record struct TokenResult(string? Token, string? Error)
{
    public static TokenResult Failed(string error) => new(null, error);
}

/// <summary>
/// Fetches the token of a webhook's login URL at firing time (the seed page's authorizationUrl flow) and keeps it
/// until <c>expires_in</c> − 30 s, or <c>Delivery:TokenCacheSeconds</c>. Concurrent deliveries of one webhook share
/// one fetch.
/// </summary>
public sealed partial class TokenProvider(
    IHttpClientFactory httpClientFactory, DeliveryOptions options, DeliveryMetrics metrics, TimeProvider clock, ILogger<TokenProvider> logger)
{
    private const int MaxTokenResponseBytes = 64 * 1024;
    private static readonly TimeSpan ExpiryMargin = TimeSpan.FromSeconds(30);

    /// <summary>An <c>expires_in</c> beyond this (or not a positive finite number) is not believed.</summary>
    private static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(30);

    private readonly ConcurrentDictionary<WebhookId, (string Token, DateTimeOffset Until)> _cache = new();
    private readonly ConcurrentDictionary<WebhookId, Lazy<Task<TokenResult>>> _inFlight = new();

    /// <summary>
    /// The cached token, or a fresh one when there is none or it expired. <paramref name="rejected"/> is a token the
    /// receiver just refused: it is dropped, unless a newer one has already replaced it.
    /// </summary>
    public async Task<TokenResult> GetAsync(Webhook webhook, string? rejected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        if (_cache.TryGetValue(webhook.Id, out var cached))
        {
            if (rejected is not null && cached.Token == rejected)
            {
                _cache.TryRemove(new KeyValuePair<WebhookId, (string, DateTimeOffset)>(webhook.Id, cached));
            }
            else if (cached.Until > clock.GetUtcNow())
            {
                return new TokenResult(cached.Token, null);
            }
        }

        var fetch = _inFlight.GetOrAdd(webhook.Id, _ => new Lazy<Task<TokenResult>>(() => FetchAsync(webhook, cancellationToken)));
        try
        {
            return await fetch.Value;
        }
        finally
        {
            _inFlight.TryRemove(new KeyValuePair<WebhookId, Lazy<Task<TokenResult>>>(webhook.Id, fetch));
        }
    }

    private async Task<TokenResult> FetchAsync(Webhook webhook, CancellationToken cancellationToken)
    {
        metrics.TokenFetched();
        using var activity = Tracing.Source.StartActivity(DeliveryTracing.TokenFetchSpan);
        activity?.SetTag("cleanwebhooks.webhook.id", webhook.Id.Value);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        try
        {
            using var request = BuildRequest(webhook);
            using var response = await httpClientFactory.CreateClient(DeliveryHttp.ClientName)
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                LogTokenRefused(webhook.Id, (int)response.StatusCode);
                activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, $"status {(int)response.StatusCode}");
                return TokenResult.Failed(AttemptErrors.TokenUnavailable);
            }

            var body = await DeliveryHttp.ReadBoundedAsync(response, MaxTokenResponseBytes, timeout.Token);
            using var json = JsonDocument.Parse(body);
            if (Find(json.RootElement, webhook.AuthorizationResponseTokenAttr ?? WebhookRules.DefaultTokenAttr) is not { } token
                || string.IsNullOrEmpty(token))
            {
                LogTokenMissing(webhook.Id, webhook.AuthorizationResponseTokenAttr);
                activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, "no token in the answer");
                return TokenResult.Failed(AttemptErrors.TokenUnavailable);
            }

            var lifetime = ExpiresIn(json.RootElement) is { } seconds && double.IsFinite(seconds) && seconds > 0 && seconds <= MaxLifetime.TotalSeconds
                ? TimeSpan.FromSeconds(seconds) - ExpiryMargin
                : TimeSpan.FromSeconds(options.TokenCacheSeconds);
            if (lifetime > TimeSpan.Zero)
            {
                _cache[webhook.Id] = (token, clock.GetUtcNow() + lifetime);
            }

            return new TokenResult(token, null);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var error = DeliveryHttp.Classify(e) == AttemptErrors.BlockedAddress ? AttemptErrors.BlockedAddress : AttemptErrors.TokenUnavailable;
            LogTokenFailed(e, webhook.Id);
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, error);
            return TokenResult.Failed(error);
        }
    }

    private static HttpRequestMessage BuildRequest(Webhook webhook)
    {
        var request = new HttpRequestMessage(new HttpMethod(webhook.AuthorizationMethod ?? WebhookRules.DefaultAuthorizationMethod), webhook.AuthorizationUrl);
        var headers = webhook.AuthorizationHeaders ?? new Dictionary<string, string>();
        var contentType = headers.FirstOrDefault(h => h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)).Value;

        if (webhook.AuthorizationBody is { } body)
        {
            request.Content = contentType is not null && contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)
                ? new FormUrlEncodedContent(FormFields(body))
                : new StringContent(body, Encoding.UTF8, "application/json");
        }

        foreach (var (name, value) in headers)
        {
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                if (request.Content is not null && MediaTypeHeaderValue.TryParse(value, out var mediaType))
                {
                    request.Content.Headers.ContentType = mediaType;
                }
            }
            else if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, value);
            }
        }

        request.Headers.UserAgent.ParseAdd(DeliveryHttp.UserAgent);
        return request;
    }

    /// <summary>The JSON object's members as form fields: strings as they are, anything else as its JSON text.</summary>
    private static IEnumerable<KeyValuePair<string, string>> FormFields(string json)
    {
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.EnumerateObject().Select(p => new KeyValuePair<string, string>(
            p.Name, p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText()))];
    }

    /// <summary>The value at a dotted path such as <c>data.token</c>.</summary>
    private static string? Find(JsonElement root, string path)
    {
        var current = root;
        foreach (var segment in path.Split('.'))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(segment, out current))
            {
                return null;
            }
        }

        return current.ValueKind switch
        {
            JsonValueKind.String => current.GetString(),
            JsonValueKind.Number => current.GetRawText(),
            _ => null,
        };
    }

    private static double? ExpiresIn(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("expires_in", out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.Number when value.TryGetDouble(out var n) => n,
                JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) => s,
                _ => null,
            }
            : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Token URL of webhook {WebhookId} answered {StatusCode}")]
    private partial void LogTokenRefused(WebhookId webhookId, int statusCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Token answer of webhook {WebhookId} has no string at {TokenAttr}")]
    private partial void LogTokenMissing(WebhookId webhookId, string? tokenAttr);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Token call of webhook {WebhookId} failed")]
    private partial void LogTokenFailed(Exception exception, WebhookId webhookId);
}
