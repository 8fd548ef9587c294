using System.Data.Common;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Infrastructure.Persistence.Portal;
using Dapper;

namespace CleanWebhooks.Infrastructure.Persistence.Clients;

public sealed class ClientRepository(Database database) : IClientRepository
{
    private static class Portable
    {
        public const string InsertClient = "INSERT INTO clients (id, name, created_at) VALUES (@Id, @Name, @CreatedAt);";

        public const string InsertKey =
            "INSERT INTO api_keys (id, client_id, key_hash, created_at, revoked_at) VALUES (@Id, @ClientId, @KeyHash, @CreatedAt, NULL);";

        public const string GetClient = "SELECT id, name, created_at FROM clients WHERE id = @Id;";

        public const string FindActiveKey =
            "SELECT id, client_id, key_hash, created_at, revoked_at FROM api_keys WHERE key_hash = @KeyHash AND revoked_at IS NULL;";

        public const string ActiveKeyHashes = "SELECT key_hash FROM api_keys WHERE revoked_at IS NULL;";

        public const string ActiveKeyHashesSince = "SELECT key_hash FROM api_keys WHERE revoked_at IS NULL AND created_at >= @Since;";

        public const string RevokeKey =
            "UPDATE api_keys SET revoked_at = @Now WHERE id = @Id AND client_id = @ClientId AND revoked_at IS NULL;";
    }

    private static class Sqlite
    {
        public const string InsertClientIfMissing = "INSERT OR IGNORE INTO clients (id, name, created_at) VALUES (@Id, @Name, @CreatedAt);";

        public const string InsertKeyIfMissing =
            "INSERT OR IGNORE INTO api_keys (id, client_id, key_hash, created_at, revoked_at) VALUES (@Id, @ClientId, @KeyHash, @CreatedAt, NULL);";
    }

    private static class SqlServer
    {
        public const string InsertClientIfMissing =
            "IF NOT EXISTS (SELECT 1 FROM dbo.clients WHERE id = @Id) INSERT INTO dbo.clients (id, name, created_at) VALUES (@Id, @Name, @CreatedAt);";

        public const string InsertKeyIfMissing =
            "IF NOT EXISTS (SELECT 1 FROM dbo.api_keys WHERE id = @Id OR key_hash = @KeyHash) INSERT INTO dbo.api_keys (id, client_id, key_hash, created_at, revoked_at) VALUES (@Id, @ClientId, @KeyHash, @CreatedAt, NULL);";
    }

    private static class PostgreSql
    {
        public const string InsertClientIfMissing =
            "INSERT INTO clients (id, name, created_at) VALUES (@Id, @Name, @CreatedAt) ON CONFLICT DO NOTHING;";

        public const string InsertKeyIfMissing =
            "INSERT INTO api_keys (id, client_id, key_hash, created_at, revoked_at) VALUES (@Id, @ClientId, @KeyHash, @CreatedAt, NULL) ON CONFLICT DO NOTHING;";
    }

    public async Task AddAsync(Client client, ApiKey firstKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        await using var writer = await database.OpenWriterAsync(cancellationToken);
        var connection = writer.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            database.Sql(Portable.InsertClient), ClientParameters(client), transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            database.Sql(Portable.InsertKey), KeyParameters(firstKey), transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<Client?> GetByIdAsync(ClientId id, CancellationToken cancellationToken)
    {
        // Read by the support tools and by key issuance, not by the intake (its one read finds the client with its
        // webhook): no longer a statement kept compiled. The id is the key.
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ClientRow>(new CommandDefinition(
            database.Sql(Portable.GetClient), new { Id = id.Value }, cancellationToken: cancellationToken));
        return row is null ? null : Client.Restore(new ClientId(row.Id), row.Name, row.CreatedAt);
    }

    public async Task AddApiKeyAsync(ApiKey key, CancellationToken cancellationToken)
    {
        await using var writer = await database.OpenWriterAsync(cancellationToken);
        var connection = writer.Connection;
        await connection.ExecuteAsync(new CommandDefinition(
            database.Sql(Portable.InsertKey), KeyParameters(key), cancellationToken: cancellationToken));
    }

    public async Task<ApiKey?> FindActiveKeyByHashAsync(byte[] hash, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ApiKeyRow>(new CommandDefinition(
            database.Sql(Portable.FindActiveKey), new { KeyHash = hash }, cancellationToken: cancellationToken));
        return row is null
            ? null
            : ApiKey.Restore(new ApiKeyId(row.Id), new ClientId(row.ClientId), row.KeyHash, row.CreatedAt, row.RevokedAt);
    }

    public async Task<IReadOnlyList<byte[]>> ListActiveKeyHashesAsync(DateTimeOffset? createdSince, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var hashes = await connection.QueryAsync<byte[]>(new CommandDefinition(
            database.Sql(createdSince is null ? Portable.ActiveKeyHashes : Portable.ActiveKeyHashesSince),
            new { Since = createdSince },
            cancellationToken: cancellationToken));
        return hashes.AsList();
    }

    public async Task<bool> RevokeApiKeyAsync(ClientId clientId, ApiKeyId keyId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var writer = await database.OpenWriterAsync(cancellationToken);
        var connection = writer.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var parameters = new { Id = keyId.Value, ClientId = clientId.Value, Now = now };
        if (await connection.ExecuteAsync(new CommandDefinition(database.Sql(Portable.RevokeKey), parameters, transaction, cancellationToken: cancellationToken)) != 1)
        {
            return false;
        }

        // A revoke also ends the client's portal sessions opened before it: whoever lost the key may hold a portal link too.
        await connection.ExecuteAsync(new CommandDefinition(
            database.Sql(PortalSessionStore.EndSessionsStatement), parameters, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task EnsureAsync(Client client, ApiKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        try
        {
            await using var writer = await database.OpenWriterAsync(cancellationToken);
            var connection = writer.Connection;
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition(
                database.Sql(Sqlite.InsertClientIfMissing, SqlServer.InsertClientIfMissing, PostgreSql.InsertClientIfMissing), ClientParameters(client), transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                database.Sql(Sqlite.InsertKeyIfMissing, SqlServer.InsertKeyIfMissing, PostgreSql.InsertKeyIfMissing), KeyParameters(key), transaction, cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbException e) when (Database.IsUniqueViolation(e))
        {
            // Another instance starting at the same time seeded it first.
        }
    }

    private static object ClientParameters(Client client) => new { Id = client.Id.Value, client.Name, client.CreatedAt };

    private static object KeyParameters(ApiKey key) =>
        new { Id = key.Id.Value, ClientId = key.ClientId.Value, KeyHash = key.Hash, key.CreatedAt };

    private sealed class ClientRow
    {
        public Guid Id { get; init; }

        public string Name { get; init; } = "";

        public DateTimeOffset CreatedAt { get; init; }
    }

    private sealed class ApiKeyRow
    {
        public Guid Id { get; init; }

        public Guid ClientId { get; init; }

        public byte[] KeyHash { get; init; } = [];

        public DateTimeOffset CreatedAt { get; init; }

        public DateTimeOffset? RevokedAt { get; init; }
    }
}
