using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using CleanWebhooks.Domain.Webhooks;
using CleanWebhooks.Infrastructure.Security;

namespace CleanWebhooks.Infrastructure.Delivery;

/// <summary>
/// Standard Webhooks signatures of <c>"{id}.{timestamp}.{body}"</c>, one per key, space-separated: <c>v1,base64(HMAC-SHA256)</c>
/// for a <c>whsec_</c> secret, <c>v1a,base64(Ed25519)</c> for a <c>whsk_</c> private key.
/// </summary>
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

            Span<byte> signature = stackalloc byte[Math.Max(HMACSHA256.HashSizeInBytes, Ed25519Keys.SignatureSize)];
            var signatures = new StringBuilder(secrets.Count * 96);
            foreach (var secret in secrets)
            {
                string version;
                int size;
                if (SigningSecret.SchemeOf(secret) == SigningScheme.Ed25519)
                {
                    (version, size) = ("v1a,", Ed25519Keys.SignatureSize);
                    Ed25519Keys.Sign(secret, content.AsSpan(0, length), signature[..size]);
                }
                else
                {
                    (version, size) = ("v1,", HMACSHA256.HashSizeInBytes);
                    HMACSHA256.HashData(SigningSecret.KeyBytes(secret), content.AsSpan(0, length), signature);
                }

                signatures.Append(signatures.Length == 0 ? "" : " ").Append(version).Append(Convert.ToBase64String(signature[..size]));
            }

            return signatures.ToString();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(content);
        }
    }
}
