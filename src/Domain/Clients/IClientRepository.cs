namespace CleanWebhooks.Domain.Clients;

/// <summary>Stores clients and their API keys.</summary>
public interface IClientRepository
{
    Task AddAsync(Client client, ApiKey firstKey, CancellationToken cancellationToken);

    Task<Client?> GetByIdAsync(ClientId id, CancellationToken cancellationToken);

    Task AddApiKeyAsync(ApiKey key, CancellationToken cancellationToken);

    /// <summary>Finds an unrevoked key by the SHA-256 hash of its plain value.</summary>
    Task<ApiKey?> FindActiveKeyByHashAsync(byte[] hash, CancellationToken cancellationToken);

    /// <summary>The hashes of the unrevoked keys, all of them or those created at or after <paramref name="createdSince"/>.</summary>
    Task<IReadOnlyList<byte[]>> ListActiveKeyHashesAsync(DateTimeOffset? createdSince, CancellationToken cancellationToken);

    /// <summary>
    /// Revokes a key of the client, and ends the client's portal sessions opened before it, in one transaction; false
    /// when the client has no such unrevoked key.
    /// </summary>
    Task<bool> RevokeApiKeyAsync(ClientId clientId, ApiKeyId keyId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Creates the client and key when they are missing; used to seed the Development demo client.</summary>
    Task EnsureAsync(Client client, ApiKey key, CancellationToken cancellationToken);
}
