namespace CleanWebhooks.Application.Common.Abstractions;

/// <summary>The public half of a webhook's signing key, for receivers that verify <c>v1a</c> (Ed25519) signatures.</summary>
public interface ISigningPublicKeys
{
    /// <summary>The <c>whpk_</c> public key of a <c>whsk_</c> private key; null for an HMAC secret, which has none.</summary>
    string? PublicKeyOf(string signingSecret);
}
