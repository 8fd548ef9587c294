using System.Security.Cryptography;

namespace CleanWebhooks.Domain.Webhooks;

/// <summary>A Standard Webhooks signing secret: <c>whsec_</c> and 32 random bytes in base64.</summary>
public static class SigningSecret
{
    public const string Prefix = "whsec_";

    /// <summary>How long a rotated-out secret keeps signing beside the new one.</summary>
    public static readonly TimeSpan RotationOverlap = TimeSpan.FromHours(24);

    public static string Generate() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The HMAC key bytes of a <c>whsec_</c> secret.</summary>
    public static byte[] KeyBytes(string secret) =>
        Convert.FromBase64String(secret.StartsWith(Prefix, StringComparison.Ordinal) ? secret[Prefix.Length..] : secret);
}
