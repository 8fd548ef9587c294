using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using CleanWebhooks.Domain.Webhooks;

namespace CleanWebhooks.Infrastructure.Delivery;

/// <summary>Standard Webhooks signatures: <c>v1,base64(HMAC-SHA256(secret, "{id}.{timestamp}.{body}"))</c>.</summary>
public static class Signature
{
    public static string Sign(IReadOnlyList<string> secrets, string webhookId, long timestamp, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentNullException.ThrowIfNull(webhookId);

        // The signed content in one pooled buffer: it is built for every attempt, and the body may be large.
        var prefixLength = Encoding.UTF8.GetMaxByteCount(webhookId.Length) + 22;
        var content = ArrayPool<byte>.Shared.Rent(prefixLength + body.Length);
        try
        {
            var length = Encoding.UTF8.GetBytes(webhookId, content);
            content[length++] = (byte)'.';
            timestamp.TryFormat(content.AsSpan(length), out var digits, provider: System.Globalization.CultureInfo.InvariantCulture);
            length += digits;
            content[length++] = (byte)'.';
            body.CopyTo(content.AsSpan(length));
            length += body.Length;

            Span<byte> hash = stackalloc byte[HMACSHA256.HashSizeInBytes];
            var signatures = new StringBuilder(secrets.Count * 48);
            foreach (var secret in secrets)
            {
                HMACSHA256.HashData(SigningSecret.KeyBytes(secret), content.AsSpan(0, length), hash);
                signatures.Append(signatures.Length == 0 ? "v1," : " v1,").Append(Convert.ToBase64String(hash));
            }

            return signatures.ToString();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(content);
        }
    }
}
