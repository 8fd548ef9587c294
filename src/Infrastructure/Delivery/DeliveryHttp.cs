using System.Buffers;
using System.Net.Sockets;
using System.Reflection;
using CleanWebhooks.Domain.Deliveries;

namespace CleanWebhooks.Infrastructure.Delivery;

/// <summary>What every outbound call shares: one named client, its user agent, bounded reads, failure kinds.</summary>
public static class DeliveryHttp
{
    public const string ClientName = "CleanWebhooks.Outbound";

    public static readonly string UserAgent =
        "CleanWebhooks/" + (typeof(DeliveryHttp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "1.0.0");

    /// <summary>Reads at most <paramref name="maxBytes"/> of the answer; the rest is not downloaded.</summary>
    public static async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, int maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        var declared = response.Content.Headers.ContentLength;
        if (declared == 0)
        {
            return [];
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);

        // Without a length (a chunked answer) the whole bound is rented, not allocated for every attempt.
        var size = declared is long length && length > 0 && length < maxBytes ? (int)length : maxBytes;
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            var total = 0;
            while (total < size)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(total, size - total), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                total += read;
            }

            return total == 0 ? [] : buffer.AsSpan(0, total).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The recorded kind of a failure that left no answer.</summary>
    public static string Classify(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is BlockedAddressException)
            {
                return AttemptErrors.BlockedAddress;
            }

            if (e is TimeoutException or OperationCanceledException || e is SocketException { SocketErrorCode: SocketError.TimedOut })
            {
                return AttemptErrors.Timeout;
            }
        }

        return AttemptErrors.NetworkError;
    }
}
