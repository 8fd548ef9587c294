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
using CleanWebhooks.Application.Deliveries.AttemptDelivery;

namespace CleanWebhooks.Infrastructure.Delivery;

/// <summary>
/// Makes one attempt of a delivery as the contract's section 3 describes it: the webhook's method, url, headers and
/// authorization, Standard Webhooks headers, and the JSON envelope for POST and PUT.
/// </summary>
public sealed class WebhookSender(IHttpClientFactory httpClientFactory, TokenProvider tokens, DeliveryOptions options, TimeProvider clock) : IDeliverySender
{
    public const int MaxResponseBytes = 64 * 1024;
    public const int MaxExcerptChars = 1024;

    public async Task<DeliveryAttempt?> SendAsync(
        Webhook webhook, DeliveryId deliveryId, DeliveryMessage message, int attemptNumber, DateTimeOffset? startBy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        ArgumentNullException.ThrowIfNull(message);
        var number = attemptNumber;
        var startedAt = clock.GetUtcNow().TruncatedToMicroseconds();
        if (startedAt > startBy)
        {
            return null;
        }

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

        var body = SendsBody(webhook.Method) ? Envelope(webhook, deliveryId, message) : null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        try
        {
            var client = httpClientFactory.CreateClient(DeliveryHttp.ClientName);
            using var request = BuildRequest(webhook, deliveryId, message, body, authorization, out var refused);
            if (request is null)
            {
                return Failed(RefusedHeaderError(refused, usesToken));
            }

            var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);

            // The receiver did not take our token: it may have been revoked early. Fetch a new one and resend once.
            if (usesToken && response.StatusCode == HttpStatusCode.Unauthorized)
            {
                response.Dispose();
                var fresh = await tokens.GetAsync(webhook, rejected: usedToken, cancellationToken);
                if (fresh.Token is null)
                {
                    return Failed(fresh.Error ?? AttemptErrors.TokenUnavailable);
                }

                using var resend = BuildRequest(webhook, deliveryId, message, body, AuthorizationValue(webhook, fresh.Token), out refused);
                if (resend is null)
                {
                    return Failed(RefusedHeaderError(refused, usesToken));
                }

                response = await client.SendAsync(resend, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
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

    /// <summary>
    /// A header that may not be sent: a bad Authorization of a token flow means the token is unusable; anything else
    /// was let in by registration or built by us, which is our fault.
    /// </summary>
    private static string RefusedHeaderError(string? header, bool usesToken) =>
        usesToken && string.Equals(header, "Authorization", StringComparison.OrdinalIgnoreCase)
            ? AttemptErrors.TokenUnavailable
            : AttemptErrors.InternalError;

    /// <summary><c>{headerAuth} {token}</c>, or the token alone when headerAuth is empty.</summary>
    private static string AuthorizationValue(Webhook webhook, string token) =>
        string.IsNullOrEmpty(webhook.HeaderAuth) ? token : $"{webhook.HeaderAuth} {token}";

    private static bool SendsBody(string method) => method is "POST" or "PUT";

    /// <summary>
    /// The delivery request, every header set through <see cref="OutboundHeaders"/>; null, with the header that was
    /// refused, when a value may not be sent, so that nothing is sent.
    /// </summary>
    internal HttpRequestMessage? BuildRequest(
        Webhook webhook, DeliveryId deliveryId, DeliveryMessage message, byte[]? body, string? authorization, out string? refusedHeader)
    {
        var request = new HttpRequestMessage(HttpMethod.Parse(webhook.Method), webhook.UrlFor(message.DocumentId));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        }

        var id = deliveryId.Value.ToString();
        var now = clock.GetUtcNow();
        var timestamp = now.ToUnixTimeSeconds();
        request.Headers.UserAgent.Clear();
        IEnumerable<KeyValuePair<string, string>> headers =
        [
            .. webhook.Headers,
            .. authorization is null ? [] : new[] { KeyValuePair.Create("Authorization", authorization) },
            KeyValuePair.Create("webhook-id", id),
            KeyValuePair.Create("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture)),
            KeyValuePair.Create("webhook-signature", Signature.Sign(webhook.SigningSecretsAt(now), id, timestamp, body ?? [])),
            KeyValuePair.Create("User-Agent", DeliveryHttp.UserAgent),
        ];
        foreach (var (name, value) in headers)
        {
            if (!OutboundHeaders.TrySet(request, name, value))
            {
                request.Dispose();
                refusedHeader = name;
                return null;
            }
        }

        refusedHeader = null;
        return request;
    }

    /// <summary>The delivery body: the same bytes on every retry, since only <c>webhook-timestamp</c> changes.</summary>
    internal static byte[] Envelope(Webhook webhook, DeliveryId deliveryId, DeliveryMessage message)
    {
        // The writer asks its buffer for 4 KB at a time: one buffer per thread, so that an attempt allocates only its body.
        var writer = t_envelope ??= new EnvelopeWriter();
        var json = writer.Start();
        json.WriteStartObject();
        json.WriteString("id", message.DocumentId);
        json.WriteNumber("type", message.Type);
        json.WriteString("event", message.IsTest ? DocumentEvent.TestEventName : ((WebhookType)message.Type).EventName());
        json.WriteString("clientId", message.ClientId.Value);
        json.WriteString("webhookId", webhook.Id.Value);
        json.WriteString("deliveryId", deliveryId.Value);
        json.WriteString("occurredAt", message.OccurredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
        json.WritePropertyName("data");
        if (message.Data is null)
        {
            json.WriteNullValue();
        }
        else
        {
            json.WriteRawValue(message.Data, skipInputValidation: true);
        }

        json.WriteEndObject();
        return writer.Finish();
    }

    [ThreadStatic]
    private static EnvelopeWriter? t_envelope;

    /// <summary>A JSON writer and its buffer, reused by one thread; a buffer grown past <see cref="KeptBytes"/> is let go.</summary>
    private sealed class EnvelopeWriter : IDisposable
    {
        private const int KeptBytes = 64 * 1024;
        private readonly ArrayBufferWriter<byte> _buffer = new(4096);
        private readonly Utf8JsonWriter _json;

        public EnvelopeWriter() => _json = new Utf8JsonWriter(_buffer);

        public Utf8JsonWriter Start()
        {
            _buffer.ResetWrittenCount();
            _json.Reset(_buffer);
            return _json;
        }

        public byte[] Finish()
        {
            _json.Flush();
            var body = _buffer.WrittenSpan.ToArray();
            if (_buffer.Capacity > KeptBytes)
            {
                t_envelope = null;
                Dispose();
            }

            return body;
        }

        public void Dispose() => _json.Dispose();
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
