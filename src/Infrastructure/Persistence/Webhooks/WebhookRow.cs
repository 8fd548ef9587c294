using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using CleanWebhooks.Domain.Webhooks;

namespace CleanWebhooks.Infrastructure.Persistence.Webhooks;

/// <summary>A <c>webhooks</c> row as Dapper reads it; secrets are still encrypted here.</summary>
internal sealed class WebhookRow : WebhookHealthRow
{
    public const string Columns =
        "id, client_id, name, type, method, headers, header_auth, url, authorization_cipher, authorization_redacted, " +
        "authorization_url, authorization_method, authorization_headers, authorization_body_cipher, " +
        "signing_public_key, previous_signing_public_key, " +
        "authorization_response_token_attr, signing_secret_cipher, previous_signing_secret_cipher, " +
        "previous_signing_secret_expires_at, created_at, updated_at, deleted_at";

    /// <summary>The endpoint's health (migration 0002); written by the delivery queue and by enable, never by insert.</summary>
    public const string HealthColumns = "consecutive_failures, failing_since, breaker_trips, paused_until, disabled_at, disabled_reason";

    /// <summary>The integrator's own limits (migration 0006); written by <c>PUT .../limits</c>, never by insert.</summary>
    public const string LimitColumns = "max_in_flight, max_per_second";

    public int? MaxInFlight { get; init; }

    public int? MaxPerSecond { get; init; }

    public Domain.Webhooks.WebhookLimits Limits() => Domain.Webhooks.WebhookLimits.Restore(MaxInFlight, MaxPerSecond);

    public string Name { get; init; } = "";

    public int Type { get; init; }

    public string Method { get; init; } = "";

    public string Headers { get; init; } = "{}";

    public string? HeaderAuth { get; init; }

    public string Url { get; init; } = "";

    public string? AuthorizationCipher { get; init; }

    public string? AuthorizationRedacted { get; init; }

    public string? AuthorizationUrl { get; init; }

    public string? AuthorizationMethod { get; init; }

    public string? AuthorizationHeaders { get; init; }

    public string? AuthorizationBodyCipher { get; init; }

    public string? AuthorizationResponseTokenAttr { get; init; }

    public string SigningSecretCipher { get; init; } = "";

    public string? PreviousSigningSecretCipher { get; init; }

    public DateTimeOffset? PreviousSigningSecretExpiresAt { get; init; }

    /// <summary>The <c>whpk_</c> public key of an Ed25519 signing key (migration 0008); null for an HMAC secret.</summary>
    public string? SigningPublicKey { get; init; }

    public string? PreviousSigningPublicKey { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    public DateTimeOffset? DeletedAt { get; init; }

    public static Dictionary<string, string> ReadHeaders(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [];

    public static string WriteHeaders(IReadOnlyDictionary<string, string> headers) => JsonSerializer.Serialize(headers);
}

/// <summary>A webhook's identity and stored health (<see cref="WebhookRow.HealthColumns"/>): all that delivery outcomes read and write.</summary>
internal class WebhookHealthRow : StoredHealthRow
{
    public Guid Id { get; init; }

    public Guid ClientId { get; init; }
}

/// <summary>A webhook's stored health, as its <see cref="WebhookRow.HealthColumns"/> read it.</summary>
internal abstract class StoredHealthRow
{
    public int ConsecutiveFailures { get; init; }

    public DateTimeOffset? FailingSince { get; init; }

    public int BreakerTrips { get; init; }

    public DateTimeOffset? PausedUntil { get; init; }

    public DateTimeOffset? DisabledAt { get; init; }

    public string? DisabledReason { get; init; }

    public WebhookHealth Health() =>
        new(ConsecutiveFailures, FailingSince, BreakerTrips, PausedUntil, DisabledAt, DisabledReasonColumn.Read(DisabledReason));
}

/// <summary>
/// A <see cref="DisabledReason"/> as the <c>disabled_reason</c> column holds it: a small JSON object
/// with no words in it (<c>{"kind": "every_attempt_failed", "failedFor": "5.00:00:00"}</c>), so that each page words it
/// in its own language. Rows written before it hold the English sentence this service wrote then ("Every attempt
/// failed for 5.00:00:00, since ...Z."), which is read back as the same reason.
/// </summary>
internal static partial class DisabledReasonColumn
{
    private const string EveryAttemptFailed = "every_attempt_failed";

    public static string? Write(DisabledReason? reason) =>
        reason is null ? null : JsonSerializer.Serialize(new Stored(EveryAttemptFailed, reason.FailedFor.ToString("c", CultureInfo.InvariantCulture)));

    public static DisabledReason? Read(string? column)
    {
        if (string.IsNullOrEmpty(column))
        {
            return null;
        }

        string? failedFor;
        if (column.StartsWith('{'))
        {
            var stored = JsonSerializer.Deserialize<Stored>(column);
            failedFor = stored?.Kind == EveryAttemptFailed ? stored.FailedFor : null;
        }
        else
        {
            failedFor = Legacy().Match(column) is { Success: true } legacy ? legacy.Groups["for"].Value : null;
        }

        return TimeSpan.TryParse(failedFor, CultureInfo.InvariantCulture, out var span) ? new(span) : null;
    }

    [GeneratedRegex("^Every attempt failed for (?<for>[^,]+), since ")]
    private static partial Regex Legacy();

    private sealed record Stored(
        [property: JsonPropertyName("kind")] string Kind,
        [property: JsonPropertyName("failedFor")] string FailedFor);
}
