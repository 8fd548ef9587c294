using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;

namespace CleanWebhooks.Application.Deliveries;

/// <summary>Where a page of deliveries starts: after this (createdAt, id), going back in time.</summary>
public sealed record DeliveryCursor(DateTimeOffset CreatedAt, Guid Id)
{
    public string Encode() =>
        Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{CreatedAt.UtcTicks}:{Id:N}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static DeliveryCursor? TryDecode(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.Length > 100)
        {
            return null;
        }

        try
        {
            var padded = text.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - (padded.Length % 4)) % 4);
            var parts = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(padded)).Split(':');
            return parts.Length == 2
                && long.TryParse(parts[0], System.Globalization.CultureInfo.InvariantCulture, out var ticks)
                && ticks >= DateTimeOffset.MinValue.UtcTicks && ticks <= DateTimeOffset.MaxValue.UtcTicks
                && Guid.TryParseExact(parts[1], "N", out var id)
                ? new DeliveryCursor(new DateTimeOffset(ticks, TimeSpan.Zero), id)
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

/// <summary>Which deliveries a list shows: those of a status, of a document (its exact id), or both; null shows all.</summary>
public sealed record DeliveryFilter(DeliveryStatus? Status, string? DocumentId)
{
    public static readonly DeliveryFilter None = new(null, null);
}

/// <summary>Reads deliveries of a client's webhook straight into answers.</summary>
public interface IDeliveryQueries
{
    /// <summary>Newest first; <paramref name="limit"/> + 1 rows are read to know whether a next page exists.</summary>
    Task<DeliveryPage> ListAsync(
        ClientId clientId, WebhookId webhookId, DeliveryFilter filter, int limit, DeliveryCursor? after, CancellationToken cancellationToken);

    /// <summary>A document's deliveries across all of the client's webhooks, newest first, a page at a time.</summary>
    Task<DeliveryPage> ListOfDocumentAsync(ClientId clientId, string documentId, int limit, DeliveryCursor? after, CancellationToken cancellationToken);

    Task<DeliveryDetailsResponse?> GetAsync(ClientId clientId, WebhookId webhookId, DeliveryId id, CancellationToken cancellationToken);

    /// <summary>
    /// Attempts of the client's webhooks started at or after <paramref name="since"/>, counted per webhook and UTC hour;
    /// a 2xx status is a success, anything else a failure. Hours without attempts are absent.
    /// </summary>
    Task<IReadOnlyList<AttemptCount>> CountAttemptsByHourAsync(ClientId clientId, DateTimeOffset since, CancellationToken cancellationToken);
}

/// <summary>How many attempts of one webhook started within one UTC hour, and how they ended.</summary>
public sealed record AttemptCount(Guid WebhookId, DateTimeOffset Hour, int Succeeded, int Failed);
