using System.Security.Cryptography;
using System.Text;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Common;
using CleanWebhooks.Domain.Webhooks;
using Mediator;

namespace CleanWebhooks.Application.Webhooks.GetSigningPublicKeys;

/// <summary>The public keys of a webhook's Ed25519 keys that sign right now, as a JWKS (RFC 7517, keys as in RFC 8037).</summary>
public sealed record GetSigningPublicKeysQuery(ClientId ClientId, WebhookId WebhookId) : IQuery<Result<JsonWebKeySet>>;

/// <summary>A JSON Web Key Set: <c>{"keys": [...]}</c>.</summary>
public sealed record JsonWebKeySet(IReadOnlyList<JsonWebKey> Keys);

/// <summary>An Ed25519 public key as a JWK: <c>kty</c> OKP, <c>crv</c> Ed25519, <c>x</c> the raw key in base64url, <c>kid</c> its RFC 7638 thumbprint.</summary>
public sealed record JsonWebKey(string Kty, string Crv, string X, string Kid, string Alg, string Use)
{
    /// <summary>The JWK of a <c>whpk_</c> public key.</summary>
    public static JsonWebKey Of(string publicKey)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        var x = Base64Url(Convert.FromBase64String(publicKey[SigningSecret.PublicKeyPrefix.Length..]));

        // RFC 7638: the SHA-256 of the required members, in lexical order, without spaces.
        var kid = Base64Url(SHA256.HashData(Encoding.UTF8.GetBytes($$"""{"crv":"Ed25519","kty":"OKP","x":"{{x}}"}""")));
        return new JsonWebKey("OKP", "Ed25519", x, kid, "EdDSA", "sig");
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>A webhook's stored public keys: the current key's, and the rotated-out key's with the end of its overlap.</summary>
public sealed record SigningPublicKeys(string? Current, string? Previous, DateTimeOffset? PreviousExpiresAt)
{
    /// <summary>The public keys that sign a request sent at <paramref name="now"/>, the current one first.</summary>
    public IEnumerable<string> SigningAt(DateTimeOffset now)
    {
        if (Current is not null)
        {
            yield return Current;
        }

        if (Previous is not null && PreviousExpiresAt > now)
        {
            yield return Previous;
        }
    }
}

public sealed class GetSigningPublicKeysQueryHandler(IWebhookQueries queries, TimeProvider clock)
    : IQueryHandler<GetSigningPublicKeysQuery, Result<JsonWebKeySet>>
{
    public async ValueTask<Result<JsonWebKeySet>> Handle(GetSigningPublicKeysQuery query, CancellationToken cancellationToken) =>
        await queries.GetSigningPublicKeysAsync(query.ClientId, query.WebhookId, cancellationToken) is { } keys
            ? new JsonWebKeySet([.. keys.SigningAt(clock.GetUtcNow()).Select(JsonWebKey.Of)])
            : WebhookErrors.NotFound;
}
