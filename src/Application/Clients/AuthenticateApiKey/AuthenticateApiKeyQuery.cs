using CleanWebhooks.Domain.Clients;
using Mediator;

namespace CleanWebhooks.Application.Clients.AuthenticateApiKey;

/// <summary>
/// Which client an <c>X-API-KEY</c> belongs to; null for a missing, unknown or revoked key. <paramref name="Throttled"/>:
/// the caller's address is over its failed-authentication limit, so a key no one was ever issued is refused without
/// asking the database (<see cref="KnownApiKeys"/>).
/// </summary>
public sealed record AuthenticateApiKeyQuery(string? ApiKey, bool Throttled = false) : IQuery<ClientId?>;

public sealed class AuthenticateApiKeyQueryHandler(IClientRepository clients, ApiKeyCache cache, KnownApiKeys known)
    : IQueryHandler<AuthenticateApiKeyQuery, ClientId?>
{
    private const int MaxKeyLength = 256;

    public async ValueTask<ClientId?> Handle(AuthenticateApiKeyQuery query, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(query.ApiKey) || query.ApiKey.Length > MaxKeyLength)
        {
            return null;
        }

        // A cached hash is a SHA-256 preimage of the key: finding it says nothing about how much of another key was right.
        var hash = ApiKey.HashOf(query.ApiKey);
        if (cache.TryGet(hash, out var cached))
        {
            return cached;
        }

        if (query.Throttled && !await known.MayExistAsync(hash, cancellationToken))
        {
            return null;
        }

        // Looked up by hash, then compared in constant time: neither step reveals how much of a key was right.
        var lookup = cache.BeginLookup();
        var key = await clients.FindActiveKeyByHashAsync(hash, cancellationToken);
        if (key is null || !key.Matches(query.ApiKey))
        {
            return null;
        }

        cache.Remember(hash, key.ClientId, lookup);
        return key.ClientId;
    }
}
