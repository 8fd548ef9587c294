using System.Data.Common;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;
using Dapper;

namespace CleanWebhooks.Infrastructure.Persistence.Deliveries;

/// <summary>The intake side of the delivery queue: events and their deliveries, written together (the outbox).</summary>
public sealed class DeliveryRepository(Database database) : IDeliveryRepository
{
    private static class Sqlite
    {
        public const string InsertEvent =
            "INSERT INTO events (id, client_id, document_id, type, data, occurred_at) VALUES (@Id, @ClientId, @DocumentId, @Type, @Data, @OccurredAt);";

        public const string InsertDelivery =
            "INSERT INTO deliveries (id, webhook_id, event_id, status, attempt_count, next_attempt_at, created_at) " +
            "VALUES (@Id, @WebhookId, @EventId, 'pending', 0, @CreatedAt, @CreatedAt);";

        public const string ForgetExpiredKey =
            "DELETE FROM idempotency_keys WHERE client_id = @ClientId AND caller = @Caller AND key = @Key AND created_at < @Since;";

        public const string InsertKey =
            "INSERT INTO idempotency_keys (client_id, caller, key, event_id, delivery_id, created_at) VALUES (@ClientId, @Caller, @Key, @EventId, @DeliveryId, @CreatedAt);";

        public const string FindReceipt =
            "SELECT event_id, delivery_id FROM idempotency_keys WHERE client_id = @ClientId AND caller = @Caller AND key = @Key AND created_at >= @Since;";

        public const string MakeDueNow =
            "UPDATE deliveries SET status = 'pending', next_attempt_at = @Now WHERE id = @Id AND webhook_id = @WebhookId " +
            "AND status <> 'cancelled' AND (lease_until IS NULL OR lease_until < @Now);";

        public const string Exists = "SELECT COUNT(*) FROM deliveries WHERE id = @Id AND webhook_id = @WebhookId AND status <> 'cancelled';";
    }

    private static class SqlServer
    {
        public const string InsertEvent =
            "INSERT INTO dbo.events (id, client_id, document_id, type, data, occurred_at) VALUES (@Id, @ClientId, @DocumentId, @Type, @Data, @OccurredAt);";

        public const string InsertDelivery =
            "INSERT INTO dbo.deliveries (id, webhook_id, event_id, status, attempt_count, next_attempt_at, created_at) " +
            "VALUES (@Id, @WebhookId, @EventId, 'pending', 0, @CreatedAt, @CreatedAt);";

        public const string ForgetExpiredKey =
            "DELETE FROM dbo.idempotency_keys WHERE client_id = @ClientId AND caller = @Caller AND [key] = @Key AND created_at < @Since;";

        public const string InsertKey =
            "INSERT INTO dbo.idempotency_keys (client_id, caller, [key], event_id, delivery_id, created_at) VALUES (@ClientId, @Caller, @Key, @EventId, @DeliveryId, @CreatedAt);";

        public const string FindReceipt =
            "SELECT event_id, delivery_id FROM dbo.idempotency_keys WHERE client_id = @ClientId AND caller = @Caller AND [key] = @Key AND created_at >= @Since;";

        public const string MakeDueNow =
            "UPDATE dbo.deliveries SET status = 'pending', next_attempt_at = @Now WHERE id = @Id AND webhook_id = @WebhookId " +
            "AND status <> 'cancelled' AND (lease_until IS NULL OR lease_until < @Now);";

        public const string Exists = "SELECT COUNT(*) FROM dbo.deliveries WHERE id = @Id AND webhook_id = @WebhookId AND status <> 'cancelled';";
    }

    private static readonly TimeSpan IdempotencyWindow = TimeSpan.FromHours(24);

    public async Task<(IntakeReceipt Receipt, bool Created)> AddEventAsync(
        DocumentEvent documentEvent, NewDelivery? delivery, IdempotencyKey? idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(documentEvent);
        var receipt = new IntakeReceipt(documentEvent.Id, delivery?.Id);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            try
            {
                await Execute(connection, transaction, database.Sql(Sqlite.InsertEvent, SqlServer.InsertEvent), new
                {
                    Id = documentEvent.Id.Value,
                    ClientId = documentEvent.ClientId.Value,
                    documentEvent.DocumentId,
                    Type = (int)documentEvent.Type,
                    documentEvent.Data,
                    documentEvent.OccurredAt,
                }, cancellationToken);

                if (delivery is not null)
                {
                    await Execute(connection, transaction, database.Sql(Sqlite.InsertDelivery, SqlServer.InsertDelivery), new
                    {
                        Id = delivery.Id.Value, WebhookId = delivery.WebhookId.Value, EventId = documentEvent.Id.Value, delivery.CreatedAt,
                    }, cancellationToken);
                }

                if (idempotencyKey is not null)
                {
                    var key = new
                    {
                        ClientId = documentEvent.ClientId.Value,
                        idempotencyKey.Caller,
                        idempotencyKey.Key,
                        EventId = documentEvent.Id.Value,
                        DeliveryId = delivery?.Id.Value,
                        CreatedAt = documentEvent.OccurredAt,
                        Since = documentEvent.OccurredAt - IdempotencyWindow,
                    };
                    await Execute(connection, transaction, database.Sql(Sqlite.ForgetExpiredKey, SqlServer.ForgetExpiredKey), key, cancellationToken);
                    await Execute(connection, transaction, database.Sql(Sqlite.InsertKey, SqlServer.InsertKey), key, cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
                return (receipt, true);
            }
            catch (DbException e) when (idempotencyKey is not null && Database.IsUniqueViolation(e))
            {
                await transaction.RollbackAsync(cancellationToken);
            }
        }

        // Another request with the same key committed first: answer as it did.
        var first = await FindReceiptAsync(documentEvent.ClientId, idempotencyKey!, documentEvent.OccurredAt - IdempotencyWindow, cancellationToken);
        return (first ?? throw new InvalidOperationException("The idempotency key vanished after a conflict."), false);
    }

    public async Task<IntakeReceipt?> FindReceiptAsync(ClientId clientId, IdempotencyKey key, DateTimeOffset since, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ReceiptRow>(new CommandDefinition(
            database.Sql(Sqlite.FindReceipt, SqlServer.FindReceipt),
            new { ClientId = clientId.Value, key.Caller, key.Key, Since = since },
            cancellationToken: cancellationToken));
        return row is null ? null : new IntakeReceipt(new EventId(row.EventId), row.DeliveryId is { } d ? new DeliveryId(d) : null);
    }

    public async Task<bool?> MakeDueNowAsync(WebhookId webhookId, DeliveryId id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var parameters = new { Id = id.Value, WebhookId = webhookId.Value, Now = now };
        if (await connection.ExecuteAsync(new CommandDefinition(database.Sql(Sqlite.MakeDueNow, SqlServer.MakeDueNow), parameters, cancellationToken: cancellationToken)) == 1)
        {
            return true;
        }

        var exists = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            database.Sql(Sqlite.Exists, SqlServer.Exists), parameters, cancellationToken: cancellationToken));
        return exists == 1 ? null : false;
    }

    private static Task<int> Execute(DbConnection connection, DbTransaction transaction, string sql, object parameters, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken));

    private sealed class ReceiptRow
    {
        public Guid EventId { get; init; }

        public Guid? DeliveryId { get; init; }
    }
}
