using CleanWebhooks.Domain.Clients;
using Mediator;

namespace CleanWebhooks.Application.Clients.AuthenticateApiKey;

/// <summary>Which client an <c>X-API-KEY</c> belongs to; null for a missing, unknown or revoked key.</summary>
public sealed record AuthenticateApiKeyQuery(string? ApiKey) : IQuery<ClientId?>;

public sealed class AuthenticateApiKeyQueryHandler(IClientRepository clients) : IQueryHandler<AuthenticateApiKeyQuery, ClientId?>
{
    private const int MaxKeyLength = 256;

    public async ValueTask<ClientId?> Handle(AuthenticateApiKeyQuery query, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(query.ApiKey) || query.ApiKey.Length > MaxKeyLength)
        {
            return null;
        }

        // Looked up by hash, then compared in constant time: neither step reveals how much of a key was right.
        var key = await clients.FindActiveKeyByHashAsync(ApiKey.HashOf(query.ApiKey), cancellationToken);
        return key is not null && key.Matches(query.ApiKey) ? key.ClientId : null;
    }
}
