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
        var prefix = Encoding.UTF8.GetBytes($"{webhookId}.{timestamp}.");
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));

        return string.Join(' ', secrets.Select(secret =>
            "v1," + Convert.ToBase64String(HMACSHA256.HashData(SigningSecret.KeyBytes(secret), content))));
    }
}
