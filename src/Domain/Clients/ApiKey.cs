using System.Security.Cryptography;
using System.Text;

namespace CleanWebhooks.Domain.Clients;

/// <summary>
/// An API key as stored: only its SHA-256 hash. The plain key exists once, in the answer that issues it.
/// </summary>
public sealed class ApiKey
{
    private const string Prefix = "cwk_";

    private ApiKey(ApiKeyId id, ClientId clientId, byte[] hash, DateTimeOffset createdAt, DateTimeOffset? revokedAt)
    {
        Id = id;
        ClientId = clientId;
        Hash = hash;
        CreatedAt = createdAt;
        RevokedAt = revokedAt;
    }

    public ApiKeyId Id { get; }

    public ClientId ClientId { get; }

#pragma warning disable CA1819 // A hash is bytes; callers never mutate it.
    public byte[] Hash { get; }
#pragma warning restore CA1819

    public DateTimeOffset CreatedAt { get; }

    public DateTimeOffset? RevokedAt { get; }

    /// <summary>Makes a new random key; returns the entity to store and the plain key to show once.</summary>
    public static (ApiKey Key, string PlainKey) Issue(ClientId clientId, DateTimeOffset now)
    {
        var plain = Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        return (new ApiKey(ApiKeyId.New(), clientId, HashOf(plain), now, null), plain);
    }

    /// <summary>Makes a key from a known plain value (the Development demo key).</summary>
    public static ApiKey FromPlain(ApiKeyId id, ClientId clientId, string plainKey, DateTimeOffset now) =>
        new(id, clientId, HashOf(plainKey), now, null);

    public static ApiKey Restore(ApiKeyId id, ClientId clientId, byte[] hash, DateTimeOffset createdAt, DateTimeOffset? revokedAt) =>
        new(id, clientId, hash, createdAt, revokedAt);

    public static byte[] HashOf(string plainKey) => SHA256.HashData(Encoding.UTF8.GetBytes(plainKey));

    /// <summary>True when <paramref name="plainKey"/> is this key and the key is not revoked. Constant time.</summary>
    public bool Matches(string plainKey) =>
        RevokedAt is null && CryptographicOperations.FixedTimeEquals(Hash, HashOf(plainKey));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
