using System.Data.Common;
using CleanWebhooks.Application.Common.Abstractions;
using CleanWebhooks.Domain.Clients;
using Dapper;

namespace CleanWebhooks.Infrastructure.Persistence.Portal;

/// <summary>
/// Portal sessions in the database, so that every node sees the same at once: a link's first use is a row of
/// <c>portal_links</c> (its primary key refuses a second), and ending a client's sessions moves its
/// <c>portal_generation</c> on. Rows of expired links are deleted as the client's next link is used.
/// </summary>
public sealed class PortalSessionStore(Database database) : IPortalSessionStore
{
    private static class Portable
    {
        public const string GetGeneration = "SELECT portal_generation FROM clients WHERE id = @ClientId;";

        public const string EndSessions = "UPDATE clients SET portal_generation = portal_generation + 1 WHERE id = @ClientId;";

        public const string ForgetExpiredLinks = "DELETE FROM portal_links WHERE client_id = @ClientId AND expires_at < @Now;";

        public const string UseLink =
            "INSERT INTO portal_links (client_id, id, used_at, expires_at) SELECT @ClientId, @Id, @Now, @ExpiresAt " +
            "WHERE EXISTS (SELECT 1 FROM clients WHERE id = @ClientId AND portal_generation = @Generation);";
    }

    /// <summary>Ends a client's portal sessions; the API key revoke runs it in its own transaction too.</summary>
    internal const string EndSessionsStatement = Portable.EndSessions;

    public async Task<int?> GetGenerationAsync(ClientId clientId, CancellationToken cancellationToken) =>
        // Read by every portal page: its statement stays compiled (Database.QueryFirstPreparedAsync). The id is the key.
        // Read as long: SQLite's integers are 64-bit.
        (int?)await database.QueryFirstPreparedAsync<long?>(Portable.GetGeneration, [new("@ClientId", clientId.Value)], cancellationToken);

    public async Task<bool> EndSessionsAsync(ClientId clientId, CancellationToken cancellationToken)
    {
        await using var writer = await database.OpenWriterAsync(cancellationToken);
        return await writer.Connection.ExecuteAsync(new CommandDefinition(
            database.Sql(Portable.EndSessions), new { ClientId = clientId.Value }, cancellationToken: cancellationToken)) == 1;
    }

    public async Task<bool> RedeemAsync(PortalSession session, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        var parameters = new { ClientId = session.ClientId.Value, Id = session.LinkId, Now = now, session.ExpiresAt, session.Generation };
        await using var writer = await database.OpenWriterAsync(cancellationToken);
        var connection = writer.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                database.Sql(Portable.ForgetExpiredLinks), parameters, transaction, cancellationToken: cancellationToken));
            var used = await connection.ExecuteAsync(new CommandDefinition(
                database.Sql(Portable.UseLink), parameters, transaction, cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
            return used == 1;
        }
        catch (DbException e) when (Database.IsUniqueViolation(e))
        {
            // Used before, here or on another node.
            return false;
        }
    }
}
