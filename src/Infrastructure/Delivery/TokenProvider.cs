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
/// one fetch, which belongs to none of them: a caller that stops waiting (its attempt cancelled) leaves it running for
/// the others; it ends with its own timeout, or when the service stops.
/// </summary>
public sealed partial class TokenProvider(
    IHttpClientFactory httpClientFactory, DeliveryOptions options, DeliveryMetrics metrics, TimeProvider clock, ILogger<TokenProvider> logger) : IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

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

        // The fetch leaves the table when it ends, not when a caller stops waiting for it.
        Lazy<Task<TokenResult>>? mine = null;
        mine = new Lazy<Task<TokenResult>>(async () =>
        {
            try
            {
                return await FetchAsync(webhook, _stopping.Token);
            }
            finally
            {
                _inFlight.TryRemove(KeyValuePair.Create(webhook.Id, mine!));
            }
        });
        return await _inFlight.GetOrAdd(webhook.Id, mine).Value.WaitAsync(cancellationToken);
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
            if (request is null)
            {
                LogHeaderRefused(webhook.Id);
                return TokenResult.Failed(AttemptErrors.InternalError);
            }

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

            // The token becomes a header value: one that could split the header is refused, and not cached.
            if (!OutboundHeaders.IsAllowed("Authorization", token))
            {
                LogTokenUnsafe(webhook.Id);
                return TokenResult.Failed(AttemptErrors.TokenUnavailable);
            }

            var lifetime = ExpiresIn(json.RootElement) is { } seconds && double.IsFinite(seconds) && seconds > 0 && seconds <= MaxLifetime.TotalSeconds
                ? TimeSpan.FromSeconds(seconds) - ExpiryMargin
                : TimeSpan.FromSeconds(options.TokenCacheSeconds);
            if (lifetime > TimeSpan.Zero)
            {
                _cache[webhook.Id] = (token, clock.GetUtcNow() + lifetime);
                if (_cache.Count > MaxCachedTokens)
                {
                    ForgetExpiredTokens();
                }
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

    /// <summary>The token call, every header set through <see cref="OutboundHeaders"/>; null when one may not be sent.</summary>
    private static HttpRequestMessage? BuildRequest(Webhook webhook)
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

        request.Headers.UserAgent.Clear();
        foreach (var (name, value) in headers.Append(KeyValuePair.Create("User-Agent", DeliveryHttp.UserAgent)))
        {
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase) && OutboundHeaders.IsAllowed(name, value))
            {
                if (request.Content is not null && MediaTypeHeaderValue.TryParse(value, out var mediaType))
                {
                    request.Content.Headers.ContentType = mediaType;
                }
            }
            else if (!OutboundHeaders.TrySet(request, name, value))
            {
                request.Dispose();
                return null;
            }
        }

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

    /// <summary>Tokens kept at most: past it, the expired ones go, then those expiring first.</summary>
    internal const int MaxCachedTokens = 10_000;

    private void ForgetExpiredTokens()
    {
        var now = clock.GetUtcNow();
        foreach (var entry in _cache.Where(e => e.Value.Until <= now))
        {
            _cache.TryRemove(entry);
        }

        // A snapshot (copied under the dictionary's locks): LINQ's own copy of a dictionary that other callers change
        // meanwhile throws, or yields empty entries.
        var entries = _cache.ToArray();
        foreach (var entry in entries.OrderBy(e => e.Value.Until).Take(Math.Max(0, entries.Length - (MaxCachedTokens * 3 / 4))))
        {
            _cache.TryRemove(entry);
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Token URL of webhook {WebhookId} answered {StatusCode}")]
    private partial void LogTokenRefused(WebhookId webhookId, int statusCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Token answer of webhook {WebhookId} has no string at {TokenAttr}")]
    private partial void LogTokenMissing(WebhookId webhookId, string? tokenAttr);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Token answer of webhook {WebhookId} is not a value that can be sent in a header; refused")]
    private partial void LogTokenUnsafe(WebhookId webhookId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Token call of webhook {WebhookId} has a header that may not be sent; nothing sent")]
    private partial void LogHeaderRefused(WebhookId webhookId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Token call of webhook {WebhookId} failed")]
    private partial void LogTokenFailed(Exception exception, WebhookId webhookId);
}
