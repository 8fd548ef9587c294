using CleanWebhooks.Application.Common.Abstractions;
using CleanWebhooks.Domain.Webhooks;

namespace CleanWebhooks.Application.Webhooks;

/// <summary>
/// What a receiver verifies <c>webhook-signature</c> with: under <c>hmac-sha256</c> the shared secret (<c>whsec_...</c>)
/// and no public key; under <c>ed25519</c> no secret (the private key never leaves the service) and the public key
/// (<c>whpk_...</c>).
/// </summary>
public sealed record SigningSecretResponse(string? Key, string? PublicKey)
{
    /// <summary>The answer for the webhook's current key.</summary>
    public static SigningSecretResponse Of(Webhook webhook, ISigningPublicKeys publicKeys)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        ArgumentNullException.ThrowIfNull(publicKeys);
        return webhook.SigningScheme == SigningScheme.HmacSha256
            ? new SigningSecretResponse(webhook.SigningSecret, null)
            : new SigningSecretResponse(null, publicKeys.PublicKeyOf(webhook.SigningSecret));
    }
}
