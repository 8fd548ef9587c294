using System.Data.Common;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Infrastructure.Persistence.Webhooks;
using Dapper;

namespace CleanWebhooks.Infrastructure.Persistence.Deliveries;

/// <summary>A delivery claimed by a dispatcher, with what is needed to send it.</summary>
internal sealed class ClaimedDelivery
{
    public Guid Id { get; init; }

    /// <summary>The claim that holds its lease: only this claim may record its outcome.</summary>
    public string LockedBy { get; init; } = "";

    public Guid WebhookId { get; init; }

    public int AttemptCount { get; init; }

    public Guid EventId { get; init; }

    public Guid ClientId { get; init; }

    public string DocumentId { get; init; } = "";

    public int Type { get; init; }

    public string? Data { get; init; }

    public DateTimeOffset OccurredAt { get; init; }

    /// <summary>The W3C traceparent of the request that reported the event, when it was traced.</summary>
    public string? TraceParent { get; init; }
}

/// <summary>The outcome of one attempt, to be written with others of its batch.</summary>
internal sealed record AttemptRecord(Guid DeliveryId, string LockedBy, DeliveryAttempt Attempt, DeliveryStatus Status, DateTimeOffset? NextAttemptAt);

/// <summary>
/// The dispatcher's side of the queue. Due deliveries are claimed with a lease in ONE statement per dialect, so
/// that any number of dispatchers share the work without sending a delivery twice while its lease holds; a dead
/// dispatcher's leases expire and the work goes to the others.
/// </summary>
internal sealed class DeliveryQueue(Database database)
{
    private const string LoadColumns =
        "d.id, d.locked_by, d.webhook_id, d.attempt_count, e.id AS event_id, e.client_id, e.document_id, e.type, e.data, e.occurred_at, e.trace_parent";

    private static class Sqlite
    {
        public const string Claim =
            "UPDATE deliveries SET locked_by = @Owner, lease_until = @LeaseUntil " +
            "WHERE id IN (SELECT id FROM deliveries WHERE status = 'pending' AND next_attempt_at <= @Now " +
            "AND (lease_until IS NULL OR lease_until < @Now) ORDER BY next_attempt_at LIMIT @Limit) " +
            "RETURNING id;";

        public const string Load =
            $"SELECT {LoadColumns} FROM deliveries d JOIN events e ON e.id = d.event_id WHERE d.id IN @Ids AND d.locked_by = @Owner;";

        public const string LoadWebhooks = $"SELECT {WebhookRow.Columns} FROM webhooks WHERE id IN @Ids;";

        public const string Record =
            "UPDATE deliveries SET status = @Status, attempt_count = @Number, next_attempt_at = @NextAttemptAt, last_attempt_at = @StartedAt, " +
            "last_status_code = @StatusCode, locked_by = NULL, lease_until = NULL WHERE id = @DeliveryId AND locked_by = @Owner;";

        // Only an outcome that was recorded above (its claim still held the lease) adds its attempt row.
        public const string InsertAttempt =
            "INSERT OR IGNORE INTO delivery_attempts (delivery_id, number, started_at, duration_ms, status_code, error, response_excerpt) " +
            "SELECT @DeliveryId, @Number, @StartedAt, @DurationMs, @StatusCode, @Error, @ResponseExcerpt " +
            "WHERE EXISTS (SELECT 1 FROM deliveries WHERE id = @DeliveryId AND attempt_count = @Number);";

        public const string Cancel =
            "UPDATE deliveries SET status = 'cancelled', next_attempt_at = NULL, locked_by = NULL, lease_until = NULL WHERE id = @DeliveryId AND locked_by = @Owner;";

        public const string CountPending = "SELECT COUNT(*) FROM deliveries WHERE status = 'pending';";

        public const string Release =
            "UPDATE deliveries SET locked_by = NULL, lease_until = NULL WHERE locked_by LIKE @OwnerPattern AND status = 'pending';";
    }

    private static class SqlServer
    {
        public const string Claim =
            "WITH due AS (SELECT TOP (@Limit) id, locked_by, lease_until FROM dbo.deliveries WITH (UPDLOCK, READPAST, ROWLOCK) " +
            "WHERE status = 'pending' AND next_attempt_at <= @Now AND (lease_until IS NULL OR lease_until < @Now) ORDER BY next_attempt_at) " +
            "UPDATE due SET locked_by = @Owner, lease_until = @LeaseUntil OUTPUT inserted.id;";

        public const string Load =
            $"SELECT {LoadColumns} FROM dbo.deliveries d JOIN dbo.events e ON e.id = d.event_id WHERE d.id IN @Ids AND d.locked_by = @Owner;";

        public const string LoadWebhooks = $"SELECT {WebhookRow.Columns} FROM dbo.webhooks WHERE id IN @Ids;";

        public const string Record =
            "UPDATE dbo.deliveries SET status = @Status, attempt_count = @Number, next_attempt_at = @NextAttemptAt, last_attempt_at = @StartedAt, " +
            "last_status_code = @StatusCode, locked_by = NULL, lease_until = NULL WHERE id = @DeliveryId AND locked_by = @Owner;";

        public const string InsertAttempt =
            "INSERT INTO dbo.delivery_attempts (delivery_id, number, started_at, duration_ms, status_code, error, response_excerpt) " +
            "SELECT @DeliveryId, @Number, @StartedAt, @DurationMs, @StatusCode, @Error, @ResponseExcerpt " +
            "WHERE EXISTS (SELECT 1 FROM dbo.deliveries WHERE id = @DeliveryId AND attempt_count = @Number) " +
            "AND NOT EXISTS (SELECT 1 FROM dbo.delivery_attempts WHERE delivery_id = @DeliveryId AND number = @Number);";

        public const string Cancel =
            "UPDATE dbo.deliveries SET status = 'cancelled', next_attempt_at = NULL, locked_by = NULL, lease_until = NULL WHERE id = @DeliveryId AND locked_by = @Owner;";

        public const string CountPending = "SELECT COUNT(*) FROM dbo.deliveries WHERE status = 'pending';";

        public const string Release =
            "UPDATE dbo.deliveries SET locked_by = NULL, lease_until = NULL WHERE locked_by LIKE @OwnerPattern AND status = 'pending';";
    }

    private static class PostgreSql
    {
        // SKIP LOCKED: rows another node is claiming at this moment are passed over, not waited for.
        public const string Claim =
            "UPDATE deliveries SET locked_by = @Owner, lease_until = @LeaseUntil " +
            "WHERE id IN (SELECT id FROM deliveries WHERE status = 'pending' AND next_attempt_at <= @Now " +
            "AND (lease_until IS NULL OR lease_until < @Now) ORDER BY next_attempt_at LIMIT @Limit FOR UPDATE SKIP LOCKED) " +
            "RETURNING id;";

        public const string Load =
            $"SELECT {LoadColumns} FROM deliveries d JOIN events e ON e.id = d.event_id WHERE d.id = ANY(@Ids) AND d.locked_by = @Owner;";

        public const string LoadWebhooks = $"SELECT {WebhookRow.Columns} FROM webhooks WHERE id = ANY(@Ids);";

        // A batch of outcomes in one statement per table (arrays, unnested into rows).
        public const string Record =
            "UPDATE deliveries d SET status = r.status, attempt_count = r.number, next_attempt_at = r.next_attempt_at, last_attempt_at = r.started_at, " +
            "last_status_code = r.status_code, locked_by = NULL, lease_until = NULL " +
            "FROM unnest(@DeliveryIds::uuid[], @Owners::text[], @Statuses::text[], @Numbers::integer[], @NextAttemptAts::timestamptz[], " +
            "@StartedAts::timestamptz[], @StatusCodes::integer[]) AS r (delivery_id, owner, status, number, next_attempt_at, started_at, status_code) " +
            "WHERE d.id = r.delivery_id AND d.locked_by = r.owner;";

        public const string InsertAttempt =
            "INSERT INTO delivery_attempts (delivery_id, number, started_at, duration_ms, status_code, error, response_excerpt) " +
            "SELECT r.delivery_id, r.number, r.started_at, r.duration_ms, r.status_code, r.error, r.response_excerpt " +
            "FROM unnest(@DeliveryIds::uuid[], @Numbers::integer[], @StartedAts::timestamptz[], @DurationMs::integer[], @StatusCodes::integer[], " +
            "@Errors::text[], @ResponseExcerpts::text[]) AS r (delivery_id, number, started_at, duration_ms, status_code, error, response_excerpt) " +
            "WHERE EXISTS (SELECT 1 FROM deliveries WHERE id = r.delivery_id AND attempt_count = r.number) " +
            "ON CONFLICT DO NOTHING;";

        public const string Cancel = Sqlite.Cancel;

        public const string CountPending = Sqlite.CountPending;

        public const string Release = Sqlite.Release;
    }

    /// <summary>Leases up to <paramref name="limit"/> due deliveries to the claim <paramref name="owner"/> and loads them.</summary>
    public async Task<IReadOnlyList<ClaimedDelivery>> ClaimDueAsync(
        string owner, int limit, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        List<Guid> ids;
        await using (var writer = await database.OpenWriterAsync(cancellationToken, WriteDurability.Relaxed))
        {
            ids = (await writer.Connection.QueryAsync<Guid>(new CommandDefinition(
                database.Sql(Sqlite.Claim, SqlServer.Claim, PostgreSql.Claim),
                new { Owner = owner, Limit = limit, Now = now, LeaseUntil = leaseUntil },
                cancellationToken: cancellationToken))).AsList();
        }

        if (ids.Count == 0)
        {
            return [];
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<ClaimedDelivery>(new CommandDefinition(
            database.Sql(Sqlite.Load, SqlServer.Load, PostgreSql.Load), new { Ids = ids, Owner = owner }, cancellationToken: cancellationToken))).AsList();
    }

    public async Task<IReadOnlyList<WebhookRow>> LoadWebhooksAsync(IEnumerable<Guid> ids, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<WebhookRow>(new CommandDefinition(
            database.Sql(Sqlite.LoadWebhooks, SqlServer.LoadWebhooks, PostgreSql.LoadWebhooks), new { Ids = ids.Distinct().ToList() }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>
    /// Writes a batch of outcomes in one transaction (one commit for many attempts). An outcome whose claim lost
    /// its lease meanwhile changes nothing: the delivery belongs to a newer claim.
    /// </summary>
    public async Task RecordAsync(IReadOnlyList<AttemptRecord> records, CancellationToken cancellationToken)
    {
        await using var writer = await database.OpenWriterAsync(cancellationToken, WriteDurability.Relaxed);
        var connection = writer.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var rows = records.Select(r => new
        {
            r.DeliveryId,
            Owner = r.LockedBy,
            Status = r.Status.ToText(),
            r.Attempt.Number,
            r.NextAttemptAt,
            r.Attempt.StartedAt,
            r.Attempt.DurationMs,
            r.Attempt.StatusCode,
            r.Attempt.Error,
            r.Attempt.ResponseExcerpt,
        }).ToList();
        // PostgreSQL takes the whole batch as arrays, one statement per table; the others run the statement per row.
        object parameters = database.Dialect == SqlDialect.PostgreSql ? new
        {
            DeliveryIds = rows.Select(r => r.DeliveryId).ToArray(),
            Owners = rows.Select(r => r.Owner).ToArray(),
            Statuses = rows.Select(r => r.Status).ToArray(),
            Numbers = rows.Select(r => r.Number).ToArray(),
            NextAttemptAts = rows.Select(r => r.NextAttemptAt?.ToUniversalTime()).ToArray(),
            StartedAts = rows.Select(r => r.StartedAt.ToUniversalTime()).ToArray(),
            DurationMs = rows.Select(r => r.DurationMs).ToArray(),
            StatusCodes = rows.Select(r => r.StatusCode).ToArray(),
            Errors = rows.Select(r => r.Error).ToArray(),
            ResponseExcerpts = rows.Select(r => r.ResponseExcerpt).ToArray(),
        } : rows;
        await Execute(connection, transaction, database.Sql(Sqlite.Record, SqlServer.Record, PostgreSql.Record), parameters, cancellationToken);
        await Execute(connection, transaction, database.Sql(Sqlite.InsertAttempt, SqlServer.InsertAttempt, PostgreSql.InsertAttempt), parameters, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Cancels claimed deliveries whose webhook was deleted meanwhile: nothing is sent for it.</summary>
    public async Task CancelAsync(IReadOnlyList<ClaimedDelivery> deliveries, CancellationToken cancellationToken)
    {
        await using var writer = await database.OpenWriterAsync(cancellationToken, WriteDurability.Relaxed);
        var connection = writer.Connection;
        await connection.ExecuteAsync(new CommandDefinition(
            database.Sql(Sqlite.Cancel, SqlServer.Cancel, PostgreSql.Cancel), deliveries.Select(d => new { DeliveryId = d.Id, Owner = d.LockedBy }).ToList(),
            cancellationToken: cancellationToken));
    }

    /// <summary>Gives back the leases of a stopping dispatcher (claims named <c>{owner}-n</c>), so others need not wait for them to expire.</summary>
    public async Task ReleaseAsync(string owner, CancellationToken cancellationToken)
    {
        await using var writer = await database.OpenWriterAsync(cancellationToken, WriteDurability.Relaxed);
        await writer.Connection.ExecuteAsync(new CommandDefinition(
            database.Sql(Sqlite.Release, SqlServer.Release, PostgreSql.Release), new { OwnerPattern = owner + "-%" }, cancellationToken: cancellationToken));
    }

    public async Task<long> CountPendingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            database.Sql(Sqlite.CountPending, SqlServer.CountPending, PostgreSql.CountPending), cancellationToken: cancellationToken));
    }

    private static Task<int> Execute(DbConnection connection, DbTransaction transaction, string sql, object parameters, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken));
}
