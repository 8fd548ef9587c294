namespace CleanWebhooks.Domain.Webhooks;

/// <summary>How a webhook signs its deliveries (Standard Webhooks): a shared secret, or a key pair whose public half is published.</summary>
public enum SigningScheme
{
    /// <summary><c>v1</c>: HMAC-SHA256 with a shared <c>whsec_</c> secret (the default).</summary>
    HmacSha256,

    /// <summary><c>v1a</c>: Ed25519 with a <c>whsk_</c> private key; receivers verify with its <c>whpk_</c> public key.</summary>
    Ed25519,
}

public static class SigningSchemes
{
    /// <summary>The scheme's name in the API: <c>hmac-sha256</c> or <c>ed25519</c>.</summary>
    public static string ToText(this SigningScheme scheme) => scheme switch
    {
        SigningScheme.HmacSha256 => "hmac-sha256",
        SigningScheme.Ed25519 => "ed25519",
        _ => throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "Unknown signing scheme."),
    };

    /// <summary>The scheme an API name stands for (exactly as <see cref="ToText"/> writes it).</summary>
    public static bool TryParse(string? text, out SigningScheme scheme)
    {
        foreach (var candidate in Enum.GetValues<SigningScheme>())
        {
            if (string.Equals(text, candidate.ToText(), StringComparison.Ordinal))
            {
                scheme = candidate;
                return true;
            }
        }

        scheme = default;
        return false;
    }
}
