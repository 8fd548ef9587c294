using System.Data.Common;
using CleanWebhooks.Application.Retention;
using Dapper;

namespace CleanWebhooks.Infrastructure.Persistence.Retention;

/// <summary>
/// The purge's SQL. Each batch is one short transaction that reads a range of one index (see migration 0003).
/// Every statement re-checks its condition, so purges running on several nodes at once only share the work:
/// on SQL Server <c>UPDLOCK, READPAST</c> and on PostgreSQL <c>FOR UPDATE SKIP LOCKED</c> give each its own
/// deliveries; on SQLite writers take turns anyway.
/// </summary>
internal sealed class RetentionStore(Database database) : IRetentionStore
{
    private const string Ended = "('succeeded', 'failed', 'cancelled')";

    private static class Sqlite
    {
        public const string SelectEnded =
            $"SELECT id, event_id FROM deliveries WHERE status IN {Ended} AND last_attempt_at < @Before ORDER BY last_attempt_at LIMIT @Limit;";

        public const string SelectCancelledUnattempted =
            "SELECT id, event_id FROM deliveries WHERE status = 'cancelled' AND last_attempt_at IS NULL AND created_at < @Before " +
            "ORDER BY created_at LIMIT @Limit;";

        public const string DeleteAttempts = "DELETE FROM delivery_attempts WHERE delivery_id IN @Ids;";

        public const string DeleteDeliveries = $"DELETE FROM deliveries WHERE id IN @Ids AND status IN {Ended};";

        public const string DeleteEventsWithoutDelivery =
            "DELETE FROM events WHERE id IN @Ids AND occurred_at < @Before AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = events.id);";

        public const string SelectOldEvents =
            "SELECT id, occurred_at FROM events WHERE occurred_at >= @From AND occurred_at < @Before ORDER BY occurred_at LIMIT @Limit;";

        public const string DeleteKeys =
            "DELETE FROM idempotency_keys WHERE rowid IN (SELECT rowid FROM idempotency_keys WHERE created_at < @Before ORDER BY created_at LIMIT @Limit);";
    }

    private static class SqlServer
    {
        public const string SelectEnded =
            $"SELECT TOP (@Limit) id, event_id FROM dbo.deliveries WITH (UPDLOCK, READPAST, ROWLOCK) WHERE status IN {Ended} AND last_attempt_at < @Before ORDER BY last_attempt_at;";

        public const string SelectCancelledUnattempted =
            "SELECT TOP (@Limit) id, event_id FROM dbo.deliveries WITH (UPDLOCK, READPAST, ROWLOCK) " +
            "WHERE status = 'cancelled' AND last_attempt_at IS NULL AND created_at < @Before ORDER BY created_at;";

        public const string DeleteAttempts = "DELETE FROM dbo.delivery_attempts WHERE delivery_id IN @Ids;";

        public const string DeleteDeliveries = $"DELETE FROM dbo.deliveries WHERE id IN @Ids AND status IN {Ended};";

        public const string DeleteEventsWithoutDelivery =
            "DELETE e FROM dbo.events e WHERE e.id IN @Ids AND e.occurred_at < @Before AND NOT EXISTS (SELECT 1 FROM dbo.deliveries d WHERE d.event_id = e.id);";

        public const string SelectOldEvents =
            "SELECT TOP (@Limit) id, occurred_at FROM dbo.events WHERE occurred_at >= @From AND occurred_at < @Before ORDER BY occurred_at;";

        public const string DeleteKeys = "DELETE TOP (@Limit) FROM dbo.idempotency_keys WHERE created_at < @Before;";
    }

    /// <summary><c>SKIP LOCKED</c> gives each node purging at once its own deliveries and keys; arrays, not lists, for ids.</summary>
    private static class PostgreSql
    {
        public const string SelectEnded =
            $"SELECT id, event_id FROM deliveries WHERE status IN {Ended} AND last_attempt_at < @Before ORDER BY last_attempt_at LIMIT @Limit FOR UPDATE SKIP LOCKED;";

        public const string SelectCancelledUnattempted =
            "SELECT id, event_id FROM deliveries WHERE status = 'cancelled' AND last_attempt_at IS NULL AND created_at < @Before " +
            "ORDER BY created_at LIMIT @Limit FOR UPDATE SKIP LOCKED;";

        public const string DeleteAttempts = "DELETE FROM delivery_attempts WHERE delivery_id = ANY(@Ids);";

        public const string DeleteDeliveries = $"DELETE FROM deliveries WHERE id = ANY(@Ids) AND status IN {Ended};";

        public const string DeleteEventsWithoutDelivery =
            "DELETE FROM events WHERE id = ANY(@Ids) AND occurred_at < @Before AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = events.id);";

        public const string SelectOldEvents = Sqlite.SelectOldEvents;

        public const string DeleteKeys =
            "DELETE FROM idempotency_keys WHERE (client_id, caller, \"key\") IN (SELECT client_id, caller, \"key\" FROM idempotency_keys " +
            "WHERE created_at < @Before ORDER BY created_at LIMIT @Limit FOR UPDATE SKIP LOCKED);";
    }

    public async Task<Purged<int>> PurgeEndedDeliveriesAsync(DateTimeOffset before, int batchSize, CancellationToken cancellationToken)
    {
        await using var writer = await database.OpenWriterAsync(cancellationToken, WriteDurability.Relaxed);
        var connection = writer.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var parameters = new { Before = before, Limit = batchSize };
        var rows = (await Query<DeliveryRow>(connection, transaction, database.Sql(Sqlite.SelectEnded, SqlServer.SelectEnded, PostgreSql.SelectEnded), parameters, cancellationToken)).AsList();
        if (rows.Count < batchSize)
        {
            rows.AddRange(await Query<DeliveryRow>(
                connection,
                transaction,
                database.Sql(Sqlite.SelectCancelledUnattempted, SqlServer.SelectCancelledUnattempted, PostgreSql.SelectCancelledUnattempted),
                new { Before = before, Limit = batchSize - rows.Count },
                cancellationToken));
        }

        if (rows.Count == 0)
        {
            return Batch(writer, 0);
        }

        var ids = rows.Select(r => r.Id).ToList();
        await Execute(connection, transaction, database.Sql(Sqlite.DeleteAttempts, SqlServer.DeleteAttempts, PostgreSql.DeleteAttempts), new { Ids = ids }, cancellationToken);
        var deleted = await Execute(connection, transaction, database.Sql(Sqlite.DeleteDeliveries, SqlServer.DeleteDeliveries, PostgreSql.DeleteDeliveries), new { Ids = ids }, cancellationToken);
        await Execute(
            connection,
            transaction,
            database.Sql(Sqlite.DeleteEventsWithoutDelivery, SqlServer.DeleteEventsWithoutDelivery, PostgreSql.DeleteEventsWithoutDelivery),
            new { Ids = rows.Select(r => r.EventId).Distinct().ToList(), Before = before },
            cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Batch(writer, deleted);
    }

    public async Task<Purged<EventPurgeBatch>> PurgeEventsAsync(DateTimeOffset from, DateTimeOffset before, int batchSize, CancellationToken cancellationToken)
    {
        await using var writer = await database.OpenWriterAsync(cancellationToken, WriteDurability.Relaxed);
        var connection = writer.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var rows = (await Query<EventRow>(
            connection, transaction, database.Sql(Sqlite.SelectOldEvents, SqlServer.SelectOldEvents, PostgreSql.SelectOldEvents), new { From = from, Before = before, Limit = batchSize }, cancellationToken)).AsList();
        if (rows.Count == 0)
        {
            return Batch(writer, new EventPurgeBatch(0, 0, null));
        }

        var deleted = await Execute(
            connection,
            transaction,
            database.Sql(Sqlite.DeleteEventsWithoutDelivery, SqlServer.DeleteEventsWithoutDelivery, PostgreSql.DeleteEventsWithoutDelivery),
            new { Ids = rows.Select(r => r.Id).ToList(), Before = before },
            cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Batch(writer, new EventPurgeBatch(rows.Count, deleted, rows[^1].OccurredAt));
    }

    public async Task<Purged<int>> PurgeIdempotencyKeysAsync(DateTimeOffset before, int batchSize, CancellationToken cancellationToken)
    {
        await using var writer = await database.OpenWriterAsync(cancellationToken, WriteDurability.Relaxed);
        var deleted = await writer.Connection.ExecuteAsync(new CommandDefinition(
            database.Sql(Sqlite.DeleteKeys, SqlServer.DeleteKeys, PostgreSql.DeleteKeys), new { Before = before, Limit = batchSize }, cancellationToken: cancellationToken));
        return Batch(writer, deleted);
    }

    /// <summary>The batch's result, with its turn as it ends: asked while the turn is still held, so whoever waits, waits for this batch.</summary>
    private static Purged<T> Batch<T>(DatabaseWriter writer, T result)
    {
        var turn = writer.Turn();
        return new Purged<T>(result, turn.Waited, turn.Held, OthersWaited: turn.Waiting > 0);
    }

    private static Task<IEnumerable<T>> Query<T>(DbConnection connection, DbTransaction transaction, string sql, object parameters, CancellationToken cancellationToken) =>
        connection.QueryAsync<T>(new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken));

    private static Task<int> Execute(DbConnection connection, DbTransaction transaction, string sql, object parameters, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken));

    private sealed class DeliveryRow
    {
        public Guid Id { get; init; }

        public Guid EventId { get; init; }
    }

    private sealed class EventRow
    {
        public Guid Id { get; init; }

        public DateTimeOffset OccurredAt { get; init; }
    }
}
