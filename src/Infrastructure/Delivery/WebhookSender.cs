using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CleanWebhooks.Domain.Common;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;
using CleanWebhooks.Infrastructure.Persistence.Deliveries;

namespace CleanWebhooks.Infrastructure.Delivery;

/// <summary>
/// Makes one attempt of a delivery as the contract's section 3 describes it: the webhook's method, url, headers and
/// authorization, Standard Webhooks headers, and the JSON envelope for POST and PUT.
/// </summary>
public sealed class WebhookSender(IHttpClientFactory httpClientFactory, TokenProvider tokens, DeliveryOptions options, TimeProvider clock)
{
    public const int MaxResponseBytes = 64 * 1024;
    public const int MaxExcerptChars = 1024;

    private static readonly HashSet<string> ContentHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Content-Type", "Content-Encoding", "Content-Language", "Content-Location", "Content-MD5", "Content-Range", "Content-Disposition",
        "Expires", "Last-Modified", "Allow",
    };

    internal async Task<DeliveryAttempt> SendAsync(Webhook webhook, ClaimedDelivery delivery, CancellationToken cancellationToken)
    {
        var number = delivery.AttemptCount + 1;
        var startedAt = clock.GetUtcNow().TruncatedToMicroseconds();
        var stopwatch = Stopwatch.StartNew();
        DeliveryAttempt Failed(string error) => new(number, startedAt, Elapsed(stopwatch), null, error, null, null);

        string? authorization = webhook.Authorization;
        string? usedToken = null;
        var usesToken = webhook.AuthorizationUrl is not null;
        if (usesToken)
        {
            var token = await tokens.GetAsync(webhook, rejected: null, cancellationToken);
            if (token.Token is null)
            {
                return Failed(token.Error ?? AttemptErrors.TokenUnavailable);
            }

            authorization = AuthorizationValue(webhook, token.Token);
            usedToken = token.Token;
        }

        var body = SendsBody(webhook.Method) ? Envelope(webhook, delivery) : null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        try
        {
            var client = httpClientFactory.CreateClient(DeliveryHttp.ClientName);
            var response = await SendOnceAsync(client, webhook, delivery, body, authorization, timeout.Token);

            // The receiver did not take our token: it may have been revoked early. Fetch a new one and resend once.
            if (usesToken && response.StatusCode == HttpStatusCode.Unauthorized)
            {
                response.Dispose();
                var fresh = await tokens.GetAsync(webhook, rejected: usedToken, cancellationToken);
                if (fresh.Token is null)
                {
                    return Failed(fresh.Error ?? AttemptErrors.TokenUnavailable);
                }

                response = await SendOnceAsync(client, webhook, delivery, body, AuthorizationValue(webhook, fresh.Token), timeout.Token);
            }

            using (response)
            {
                var answer = await DeliveryHttp.ReadBoundedAsync(response, MaxResponseBytes, timeout.Token);
                return new DeliveryAttempt(
                    number, startedAt, Elapsed(stopwatch), (int)response.StatusCode, null, RetryAfter(response), Excerpt(answer));
            }
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException && !cancellationToken.IsCancellationRequested)
        {
            return Failed(DeliveryHttp.Classify(e));
        }
    }

    private async Task<HttpResponseMessage> SendOnceAsync(
        HttpClient client, Webhook webhook, ClaimedDelivery delivery, byte[]? body, string? authorization, CancellationToken cancellationToken)
    {
        using var request = BuildRequest(webhook, delivery, body, authorization);
        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    /// <summary><c>{headerAuth} {token}</c>, or the token alone when headerAuth is empty.</summary>
    private static string AuthorizationValue(Webhook webhook, string token) =>
        string.IsNullOrEmpty(webhook.HeaderAuth) ? token : $"{webhook.HeaderAuth} {token}";

    private static bool SendsBody(string method) => method is "POST" or "PUT";

    private HttpRequestMessage BuildRequest(Webhook webhook, ClaimedDelivery delivery, byte[]? body, string? authorization)
    {
        var request = new HttpRequestMessage(new HttpMethod(webhook.Method), webhook.UrlFor(delivery.DocumentId));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        }

        foreach (var (name, value) in webhook.Headers)
        {
            if (ContentHeaders.Contains(name))
            {
                if (request.Content is not null)
                {
                    request.Content.Headers.Remove(name);
                    request.Content.Headers.TryAddWithoutValidation(name, value);
                }
            }
            else
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        if (authorization is not null)
        {
            request.Headers.Remove("Authorization");
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        var id = delivery.Id.ToString();
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        request.Headers.TryAddWithoutValidation("webhook-id", id);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("webhook-signature", Signature.Sign(webhook.SigningSecretsAt(clock.GetUtcNow()), id, timestamp, body ?? []));
        request.Headers.UserAgent.Clear();
        request.Headers.TryAddWithoutValidation("User-Agent", DeliveryHttp.UserAgent);
        return request;
    }

    /// <summary>The delivery body: the same bytes on every retry, since only <c>webhook-timestamp</c> changes.</summary>
    private static byte[] Envelope(Webhook webhook, ClaimedDelivery delivery)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + (delivery.Data?.Length ?? 0));
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("id", delivery.DocumentId);
            json.WriteNumber("type", delivery.Type);
            json.WriteString("event", ((WebhookType)delivery.Type).EventName());
            json.WriteString("clientId", delivery.ClientId);
            json.WriteString("webhookId", webhook.Id.Value);
            json.WriteString("deliveryId", delivery.Id);
            json.WriteString("occurredAt", delivery.OccurredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
            json.WritePropertyName("data");
            if (delivery.Data is null)
            {
                json.WriteNullValue();
            }
            else
            {
                json.WriteRawValue(delivery.Data, skipInputValidation: true);
            }

            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.Headers.RetryAfter is not { } retryAfter)
        {
            return null;
        }

        if (retryAfter.Delta is { } delta)
        {
            return delta;
        }

        return retryAfter.Date is { } date ? date - clock.GetUtcNow() : null;
    }

    private static string? Excerpt(byte[] answer)
    {
        if (answer.Length == 0)
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(answer, 0, Math.Min(answer.Length, MaxExcerptChars * 4));
        return text.Length > MaxExcerptChars ? text[..MaxExcerptChars] : text;
    }

    private static int Elapsed(Stopwatch stopwatch) => (int)Math.Min(int.MaxValue, stopwatch.ElapsedMilliseconds);
}
