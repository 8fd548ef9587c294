using CleanWebhooks.Application.Common.Abstractions;
using CleanWebhooks.Domain.Webhooks;
using NSec.Cryptography;

namespace CleanWebhooks.Infrastructure.Security;

/// <summary>
/// Ed25519 (RFC 8032) for <c>v1a</c> signatures, with libsodium through NSec: .NET has no Ed25519 of its own. A
/// <c>whsk_</c> key is the 32-byte seed; its public key is derived, never stored apart from it in secret.
/// </summary>
public sealed class Ed25519Keys : ISigningPublicKeys
{
    private static readonly SignatureAlgorithm Algorithm = SignatureAlgorithm.Ed25519;

    /// <summary>The size of a signature, in bytes.</summary>
    public const int SignatureSize = 64;

    public string? PublicKeyOf(string signingSecret) => PublicKey(signingSecret);

    /// <summary>The <c>whpk_</c> public key of a <c>whsk_</c> private key; null for an HMAC secret.</summary>
    public static string? PublicKey(string signingSecret)
    {
        if (SigningSecret.SchemeOf(signingSecret) != SigningScheme.Ed25519)
        {
            return null;
        }

        using var key = Import(signingSecret);
        return SigningSecret.PublicKeyPrefix + Convert.ToBase64String(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
    }

    /// <summary>Signs <paramref name="content"/> with a <c>whsk_</c> private key into <paramref name="signature"/> (64 bytes).</summary>
    public static void Sign(string privateKey, ReadOnlySpan<byte> content, Span<byte> signature)
    {
        using var key = Import(privateKey);
        Algorithm.Sign(key, content, signature);
    }

    private static Key Import(string privateKey) =>
        Key.Import(Algorithm, SigningSecret.KeyBytes(privateKey), KeyBlobFormat.RawPrivateKey);
}
