using System.Security.Cryptography;

namespace CleanWebhooks.Domain.Webhooks;

/// <summary>
/// A Standard Webhooks signing key, as the webhook keeps it (encrypted at rest): <c>whsec_</c> and 32 random bytes in
/// base64 for HMAC-SHA256, or <c>whsk_</c> and an Ed25519 private key (its 32-byte seed, RFC 8032) in base64. The
/// prefix says the scheme, so a key rotated out keeps signing in its own scheme after the webhook changed scheme.
/// </summary>
public static class SigningSecret
{
    public const string Prefix = "whsec_";

    /// <summary>The prefix of an Ed25519 private key; it never leaves the service.</summary>
    public const string PrivateKeyPrefix = "whsk_";

    /// <summary>The prefix of an Ed25519 public key (the raw 32 bytes in base64), given to receivers.</summary>
    public const string PublicKeyPrefix = "whpk_";

    /// <summary>How long a rotated-out secret keeps signing beside the new one.</summary>
    public static readonly TimeSpan RotationOverlap = TimeSpan.FromHours(24);

    /// <summary>A new HMAC-SHA256 secret.</summary>
    public static string Generate() => Generate(SigningScheme.HmacSha256);

    /// <summary>A new key of <paramref name="scheme"/>: both are 32 random bytes (an Ed25519 private key is its random seed).</summary>
    public static string Generate(SigningScheme scheme) =>
        PrefixOf(scheme) + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The scheme of a key, by its prefix; a key without one is an HMAC secret, as the first keys were.</summary>
    public static SigningScheme SchemeOf(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return secret.StartsWith(PrivateKeyPrefix, StringComparison.Ordinal) ? SigningScheme.Ed25519 : SigningScheme.HmacSha256;
    }

    /// <summary>The key bytes of a secret: the HMAC key of a <c>whsec_</c> secret, the Ed25519 seed of a <c>whsk_</c> key.</summary>
    public static byte[] KeyBytes(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var prefix = PrefixOf(SchemeOf(secret));
        return Convert.FromBase64String(secret.StartsWith(prefix, StringComparison.Ordinal) ? secret[prefix.Length..] : secret);
    }

    private static string PrefixOf(SigningScheme scheme) => scheme == SigningScheme.Ed25519 ? PrivateKeyPrefix : Prefix;
}
