using CleanWebhooks.Application.Retention;
using CleanWebhooks.Infrastructure.Persistence;
using CleanWebhooks.Infrastructure.Persistence.Retention;
using Dapper;

namespace CleanWebhooks.Infrastructure.Tests.Persistence;

/// <summary>
/// What the purge's SQL must do on every database: delete exactly what ended before the cutoff, with attempts and
/// events, in batches of the size asked, and nothing pending. Rows are written directly, with the times needed.
/// </summary>
public abstract class RetentionStoreContract(ContractDatabase db)
{
    private static readonly DateTimeOffset Cutoff = new DateTimeOffset(2024, 4, 11, 14, 12, 33, TimeSpan.FromHours(-3)).AddTicks(7_411_940);

    private Database Database => db.Database;

    private string Prefix => Database.Dialect == SqlDialect.SqlServer ? "dbo." : "";

    [Fact]
    public virtual async Task Purge_RowsOfEveryStatus_DeletesWhatEndedBeforeTheCutoffInBatches()
    {
        var (clientId, webhookId) = await NewWebhookAsync();
        var before = Cutoff.AddDays(-1);
        var after = Cutoff.AddHours(1);
        var old = Cutoff.AddDays(-2);
        var succeeded = await AddAsync(clientId, webhookId, "succeeded", old, before, attempts: 2);
        var failed = await AddAsync(clientId, webhookId, "failed", old, before, attempts: 3);
        var cancelledAfterAttempts = await AddAsync(clientId, webhookId, "cancelled", old, before, attempts: 1);
        var cancelledUnattempted = await AddAsync(clientId, webhookId, "cancelled", before, lastAttemptAt: null, attempts: 0);
        var endedAfterTheCutoff = await AddAsync(clientId, webhookId, "succeeded", old, after, attempts: 1);
        var pending = await AddAsync(clientId, webhookId, "pending", old, before, attempts: 1);
        var oldLonelyEvent = await AddEventAsync(clientId, old);
        var newLonelyEvent = await AddEventAsync(clientId, after);
        var store = new RetentionStore(Database);

        var batches = new List<int>();
        do
        {
            batches.Add((await store.PurgeEndedDeliveriesAsync(Cutoff, 3, default)).Result);
        }
        while (batches[^1] == 3);
        var events = (await store.PurgeEventsAsync(DateTimeOffset.MinValue, Cutoff, 100, default)).Result;

        Assert.Equal(4, batches.Sum());
        Assert.Equal(3, batches[0]);
        foreach (var (delivery, @event) in new[] { succeeded, failed, cancelledAfterAttempts, cancelledUnattempted })
        {
            Assert.Equal(0, await CountAsync("deliveries", "id", delivery));
            Assert.Equal(0, await CountAsync("delivery_attempts", "delivery_id", delivery));
            Assert.Equal(0, await CountAsync("events", "id", @event));
        }

        foreach (var (delivery, @event) in new[] { endedAfterTheCutoff, pending })
        {
            Assert.Equal(1, await CountAsync("deliveries", "id", delivery));
            Assert.Equal(1, await CountAsync("events", "id", @event));
        }

        Assert.Equal(1, await CountAsync("delivery_attempts", "delivery_id", pending.Delivery));
        Assert.Equal(0, await CountAsync("events", "id", oldLonelyEvent));
        Assert.Equal(1, await CountAsync("events", "id", newLonelyEvent));
        Assert.True(events.Deleted >= 1, $"Deleted {events.Deleted} of {events.Scanned} old events.");
    }

    [Fact]
    public virtual async Task PurgeIdempotencyKeys_OlderAndNewerKeys_DeletesOnlyTheOlder()
    {
        var (clientId, _) = await NewWebhookAsync();
        await AddKeyAsync(clientId, "expired", Cutoff.AddHours(-1));
        await AddKeyAsync(clientId, "live", Cutoff.AddHours(1));

        var store = new RetentionStore(Database);
        while ((await store.PurgeIdempotencyKeysAsync(Cutoff, 1, default)).Result == 1)
        {
        }

        Assert.Equal(0, await KeyCountAsync(clientId, "expired"));
        Assert.Equal(1, await KeyCountAsync(clientId, "live"));
    }

    [Fact]
    public virtual async Task Purge_AWriteQueuedBehindTheBatch_IsReportedWhereWritesTakeTurns()
    {
        var store = new RetentionStore(Database);
        Task<Purged<int>> purge;
        Task behind;

        // On SQLite the batch queues behind a write already under way (which is not one it holds up), and another write
        // queues behind the batch. On a server database nothing queues.
        await using (await Database.OpenWriterAsync(default))
        {
            purge = store.PurgeIdempotencyKeysAsync(Cutoff, 10, default);
            behind = TakeTheTurnAsync();
        }

        var batch = await purge;
        await behind;
        var alone = await store.PurgeIdempotencyKeysAsync(Cutoff, 10, default);

        Assert.Equal(Database.Dialect == SqlDialect.Sqlite, batch.OthersWaited);
        Assert.False(alone.OthersWaited);

        async Task TakeTheTurnAsync()
        {
            await using var writer = await Database.OpenWriterAsync(default);
        }
    }

    private async Task<(Guid ClientId, Guid WebhookId)> NewWebhookAsync()
    {
        var (client, webhook) = await db.NewClientWithWebhookAsync("Retention", Cutoff);
        return (client.Value, webhook.Value);
    }

    private async Task<Guid> AddEventAsync(Guid clientId, DateTimeOffset occurredAt)
    {
        var id = Guid.NewGuid();
        await ExecuteAsync(
            $"INSERT INTO {Prefix}events (id, client_id, document_id, type, data, occurred_at) VALUES (@Id, @ClientId, 'doc', 0, NULL, @OccurredAt);",
            new { Id = id, ClientId = clientId, OccurredAt = occurredAt });
        return id;
    }

    private async Task<(Guid Delivery, Guid Event)> AddAsync(
        Guid clientId, Guid webhookId, string status, DateTimeOffset createdAt, DateTimeOffset? lastAttemptAt, int attempts)
    {
        var eventId = await AddEventAsync(clientId, createdAt);
        var id = Guid.NewGuid();
        await ExecuteAsync(
            $"INSERT INTO {Prefix}deliveries (id, webhook_id, event_id, status, attempt_count, next_attempt_at, last_attempt_at, created_at) " +
            "VALUES (@Id, @WebhookId, @EventId, @Status, @Attempts, NULL, @LastAttemptAt, @CreatedAt);",
            new { Id = id, WebhookId = webhookId, EventId = eventId, Status = status, Attempts = attempts, LastAttemptAt = lastAttemptAt, CreatedAt = createdAt });
        for (var number = 1; number <= attempts; number++)
        {
            await ExecuteAsync(
                $"INSERT INTO {Prefix}delivery_attempts (delivery_id, number, started_at, duration_ms, status_code) VALUES (@Id, @Number, @StartedAt, 5, 500);",
                new { Id = id, Number = number, StartedAt = createdAt });
        }

        return (id, eventId);
    }

    private Task AddKeyAsync(Guid clientId, string key, DateTimeOffset createdAt) => ExecuteAsync(
        Database.Sql(
            "INSERT INTO idempotency_keys (client_id, caller, \"key\", event_id, delivery_id, created_at) VALUES (@ClientId, 'internal', @Key, @EventId, NULL, @CreatedAt);"),
        new { ClientId = clientId, Key = key, EventId = Guid.NewGuid(), CreatedAt = createdAt });

    private async Task<long> KeyCountAsync(Guid clientId, string key)
    {
        await using var connection = await Database.OpenAsync(default);
        return await connection.ExecuteScalarAsync<long>(Database.Sql(
            "SELECT COUNT(*) FROM idempotency_keys WHERE client_id = @ClientId AND \"key\" = @Key;"), new { ClientId = clientId, Key = key });
    }

    private async Task<long> CountAsync(string table, string column, Guid id)
    {
        await using var connection = await Database.OpenAsync(default);
        return await connection.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {Prefix}{table} WHERE {column} = @Id;", new { Id = id });
    }

    private async Task ExecuteAsync(string sql, object parameters)
    {
        await using var writer = await Database.OpenWriterAsync(default);
        await writer.Connection.ExecuteAsync(sql, parameters);
    }
}

/// <summary>The purge's SQL on a real SQLite file, migrated as at start-up. Always runs.</summary>
public sealed class SqliteRetentionStoreTests(SqliteContractDatabase database)
    : RetentionStoreContract(database), IClassFixture<SqliteContractDatabase>;

/// <summary>The purge's SQL on a PostgreSQL database of its own; fails, saying how to start a server, when none is configured.</summary>
public sealed class PostgresRetentionStoreTests(PostgresContractDatabase database)
    : RetentionStoreContract(database), IClassFixture<PostgresContractDatabase>;

/// <summary>The purge's SQL on SQL Server when <c>CLEANWEBHOOKS_TEST_SQLSERVER</c> is set; skipped, saying so, otherwise.</summary>
public sealed class SqlServerRetentionStoreTests(SqlServerContractDatabase database)
    : RetentionStoreContract(database), IClassFixture<SqlServerContractDatabase>
{
    [SqlServerFact]
    public override Task Purge_RowsOfEveryStatus_DeletesWhatEndedBeforeTheCutoffInBatches() =>
        base.Purge_RowsOfEveryStatus_DeletesWhatEndedBeforeTheCutoffInBatches();

    [SqlServerFact]
    public override Task PurgeIdempotencyKeys_OlderAndNewerKeys_DeletesOnlyTheOlder() =>
        base.PurgeIdempotencyKeys_OlderAndNewerKeys_DeletesOnlyTheOlder();

    [SqlServerFact]
    public override Task Purge_AWriteQueuedBehindTheBatch_IsReportedWhereWritesTakeTurns() =>
        base.Purge_AWriteQueuedBehindTheBatch_IsReportedWhereWritesTakeTurns();
}
