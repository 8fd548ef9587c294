using System.Data.Common;
using System.Text.Json;
using CleanWebhooks.Application.Deliveries.AttemptDelivery;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Common;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;
using CleanWebhooks.Infrastructure.Delivery;
using CleanWebhooks.Infrastructure.Persistence.Webhooks;
using Dapper;
using Claimed = CleanWebhooks.Application.Deliveries.AttemptDelivery.ClaimedDelivery;

namespace CleanWebhooks.Infrastructure.Persistence.Deliveries;

/// <summary>A claimed delivery's row (its state as <see cref="DeliveryStateRow"/>), with its event: what is needed to send it.</summary>
internal sealed class ClaimedDelivery : DeliveryStateRow
{
    /// <summary>The claim that holds its lease: only this claim may record its outcome.</summary>
    public string LockedBy { get; init; } = "";

    public Guid EventId { get; init; }

    public Guid ClientId { get; init; }

    public string DocumentId { get; init; } = "";

    public int Type { get; init; }

    public string? Data { get; init; }

    public DateTimeOffset OccurredAt { get; init; }

    public Claimed ToClaimed() => new(
        ToDelivery(),
        LockedBy,
        new DeliveryMessage(new EventId(EventId), new ClientId(ClientId), DocumentId, Type, Data, OccurredAt, TraceParent, IsTest));

    /// <summary>The W3C traceparent of the request that reported the event, when it was traced.</summary>
    public string? TraceParent { get; init; }

    /// <summary>A test event (<c>webhook.test</c>).</summary>
    public bool IsTest { get; init; }
}

/// <summary>
/// The dispatcher's side of the queue. Due deliveries are claimed with a lease in ONE statement per dialect, so
/// that any number of dispatchers share the work without sending a delivery twice while its lease holds; a dead
/// dispatcher's leases expire and the work goes to the others.
/// </summary>
internal sealed class DeliveryQueue(Database database, DeliveryOptions options, TimeProvider clock) : IDeliveryQueue
{
    private const string LoadColumns =
        "d.id, d.locked_by, d.webhook_id, d.status, d.attempt_count, d.next_attempt_at, d.retry_requested, d.lease_until, " +
        "e.id AS event_id, e.client_id, e.document_id, e.type, e.data, e.occurred_at, e.trace_parent, e.is_test";

    private const string HealthColumns = "id, client_id, " + WebhookRow.HealthColumns;

    /// <summary>The statements every engine runs as written (see <see cref="Database.Sql(string)"/>).</summary>
    private static class Portable
    {
        public const string SaveHealth =
            "UPDATE webhooks SET consecutive_failures = @ConsecutiveFailures, failing_since = @FailingSince, breaker_trips = @BreakerTrips, " +
            "paused_until = @PausedUntil, disabled_at = @DisabledAt, disabled_reason = @DisabledReason WHERE id = @Id;";

        public const string Cancel =
            "UPDATE deliveries SET status = 'cancelled', next_attempt_at = NULL, locked_by = NULL, lease_until = NULL WHERE id = @DeliveryId AND locked_by = @Owner;";

        public const string CountPending = "SELECT COUNT(*) FROM deliveries WHERE status = 'pending';";

        public const string HandBack = "UPDATE deliveries SET locked_by = NULL, lease_until = NULL, next_attempt_at = @Now WHERE id = @DeliveryId AND locked_by = @Owner;";

        public const string Release =
            "UPDATE deliveries SET locked_by = NULL, lease_until = NULL, next_attempt_at = @Now WHERE locked_by LIKE @OwnerPattern AND status = 'pending';";
    }

    private static class Sqlite
    {
        // Fair share: webhook by webhook (the webhooks table is small next to a backlog), each gets what its share
        // leaves after its attempts already in flight on any node: its oldest due deliveries, found through
        // ix_deliveries_webhook_due, so the cost grows with the number of webhooks, never with a backlog. A webhook
        // held by its breaker or disabled gets nothing, but a manual retry goes through (it is the probe) and comes
        // first; once the pause has passed, a tripped breaker lets one probe out at a time. The oldest picks across
        // webhooks fill the batch. SQLite has one writer: the in-flight count is exact.
        // A claimed delivery's next_attempt_at moves to its lease's end (and back to now when it is handed back or
        // released): the rows in flight then lie outside the range the claim seeks, and a lost lease makes its delivery
        // due again by itself. The lease conditions below stay as a guard; they no longer filter rows out of the seek.
        public const string Claim =
            """
            WITH busy AS (
                SELECT webhook_id, COUNT(*) AS in_flight FROM deliveries
                WHERE lease_until IS NOT NULL AND lease_until >= @Now AND status = 'pending'
                GROUP BY webhook_id),
            open AS (
                SELECT w.id, w.paused_until,
                    (CASE WHEN w.consecutive_failures >= @BreakerFailures THEN 1 ELSE @MaxPerWebhook END) - COALESCE(b.in_flight, 0) AS room
                FROM webhooks w LEFT JOIN busy b ON b.webhook_id = w.id
                WHERE w.disabled_at IS NULL),
            candidates AS (
                SELECT d.id, d.webhook_id, d.next_attempt_at, d.retry_requested, o.room
                FROM open o JOIN deliveries d ON d.id IN (
                    SELECT x.id FROM deliveries x
                    WHERE x.webhook_id = o.id AND x.status = 'pending' AND x.next_attempt_at <= @Now AND (x.lease_until IS NULL OR x.lease_until < @Now)
                    ORDER BY x.next_attempt_at LIMIT @MaxPerWebhook)
                WHERE o.room > 0 AND (o.paused_until IS NULL OR o.paused_until <= @Now)
                UNION
                SELECT d.id, d.webhook_id, d.next_attempt_at, d.retry_requested, o.room
                FROM deliveries d JOIN open o ON o.id = d.webhook_id
                WHERE d.retry_requested = 1 AND d.status = 'pending' AND (d.lease_until IS NULL OR d.lease_until < @Now) AND o.room > 0),
            ranked AS (
                SELECT id, next_attempt_at, room,
                    ROW_NUMBER() OVER (PARTITION BY webhook_id ORDER BY retry_requested DESC, next_attempt_at, id) AS place
                FROM candidates)
            UPDATE deliveries SET locked_by = @Owner, lease_until = @LeaseUntil, next_attempt_at = @LeaseUntil
            WHERE id IN (SELECT id FROM ranked WHERE place <= room ORDER BY next_attempt_at LIMIT @Limit)
            RETURNING id;
            """;

        // The ids travel as one JSON array (json_each), so that the statement's text, and its compiled form, is the
        // same whatever their number.
        public const string Load =
            $"SELECT {LoadColumns} FROM deliveries d JOIN events e ON e.id = d.event_id WHERE d.id IN (SELECT value FROM json_each(@Ids)) AND d.locked_by = @Owner;";

        public const string LoadHealth = $"SELECT {HealthColumns} FROM webhooks WHERE id IN (SELECT value FROM json_each(@Ids));";

        public const string Record =
            "UPDATE deliveries SET status = @Status, attempt_count = @Number, next_attempt_at = @NextAttemptAt, last_attempt_at = @StartedAt, " +
            "last_status_code = @StatusCode, locked_by = NULL, lease_until = NULL, retry_requested = 0 WHERE id = @DeliveryId AND locked_by = @Owner;";

        // Only an outcome that was recorded above (its claim still held the lease) adds its attempt row.
        public const string InsertAttempt =
            "INSERT OR IGNORE INTO delivery_attempts (delivery_id, number, started_at, duration_ms, status_code, error, response_excerpt) " +
            "SELECT @DeliveryId, @Number, @StartedAt, @DurationMs, @StatusCode, @Error, @ResponseExcerpt " +
            "WHERE EXISTS (SELECT 1 FROM deliveries WHERE id = @DeliveryId AND attempt_count = @Number);";
    }

    private static class SqlServer
    {
        // As on SQLite, with CROSS APPLY for each webhook's oldest due deliveries. READPAST skips rows another node's
        // claim is taking, so two claims racing may each give a webhook its share (never the same delivery twice).
        public const string Claim =
            """
            WITH busy AS (
                SELECT webhook_id, COUNT(*) AS in_flight FROM dbo.deliveries
                WHERE lease_until IS NOT NULL AND lease_until >= @Now AND status = 'pending'
                GROUP BY webhook_id),
            open_webhooks AS (
                SELECT w.id, w.paused_until,
                    (CASE WHEN w.consecutive_failures >= @BreakerFailures THEN 1 ELSE @MaxPerWebhook END) - COALESCE(b.in_flight, 0) AS room
                FROM dbo.webhooks w LEFT JOIN busy b ON b.webhook_id = w.id
                WHERE w.disabled_at IS NULL),
            candidates AS (
                SELECT x.id, x.webhook_id, x.next_attempt_at, x.retry_requested, o.room
                FROM open_webhooks o
                CROSS APPLY (
                    SELECT TOP (@MaxPerWebhook) d.id, d.webhook_id, d.next_attempt_at, d.retry_requested
                    FROM dbo.deliveries d WITH (UPDLOCK, READPAST, ROWLOCK)
                    WHERE d.webhook_id = o.id AND d.status = 'pending' AND d.next_attempt_at <= @Now AND (d.lease_until IS NULL OR d.lease_until < @Now)
                    ORDER BY d.next_attempt_at) x
                WHERE o.room > 0 AND (o.paused_until IS NULL OR o.paused_until <= @Now)
                UNION
                SELECT d.id, d.webhook_id, d.next_attempt_at, d.retry_requested, o.room
                FROM dbo.deliveries d WITH (UPDLOCK, READPAST, ROWLOCK) JOIN open_webhooks o ON o.id = d.webhook_id
                WHERE d.retry_requested = 1 AND d.status = 'pending' AND (d.lease_until IS NULL OR d.lease_until < @Now) AND o.room > 0),
            ranked AS (
                SELECT id, next_attempt_at, room,
                    ROW_NUMBER() OVER (PARTITION BY webhook_id ORDER BY retry_requested DESC, next_attempt_at, id) AS place
                FROM candidates),
            picked AS (
                SELECT TOP (@Limit) id FROM ranked WHERE place <= room ORDER BY next_attempt_at)
            UPDATE d SET locked_by = @Owner, lease_until = @LeaseUntil, next_attempt_at = @LeaseUntil
            OUTPUT inserted.id
            FROM dbo.deliveries d JOIN picked p ON p.id = d.id;
            """;

        public const string Load =
            $"SELECT {LoadColumns} FROM dbo.deliveries d JOIN dbo.events e ON e.id = d.event_id WHERE d.id IN @Ids AND d.locked_by = @Owner;";

        // Held until the batch commits, so that outcomes from several nodes apply one after the other.
        public const string LoadHealth = $"SELECT {HealthColumns} FROM dbo.webhooks WITH (UPDLOCK, ROWLOCK) WHERE id IN @Ids;";

        // A batch of attempts in ONE round trip: the outcomes travel as one JSON parameter. OUTPUT names the outcomes
        // whose claim still held the lease: only those add their attempt row and count for their webhook's health.
        public const string Record =
            """
            SET NOCOUNT ON;
            DECLARE @attempts TABLE (
                delivery_id UNIQUEIDENTIFIER NOT NULL PRIMARY KEY, owner VARCHAR(100) NOT NULL, status VARCHAR(16) NOT NULL, number INT NOT NULL,
                next_attempt_at DATETIMEOFFSET(6) NULL, started_at DATETIMEOFFSET(6) NOT NULL, duration_ms INT NOT NULL, status_code INT NULL,
                error NVARCHAR(100) NULL, response_excerpt NVARCHAR(1024) NULL);
            INSERT INTO @attempts (delivery_id, owner, status, number, next_attempt_at, started_at, duration_ms, status_code, error, response_excerpt)
            SELECT delivery_id, owner, status, number, next_attempt_at, started_at, duration_ms, status_code, error, response_excerpt
            FROM OPENJSON(@Attempts) WITH (
                delivery_id UNIQUEIDENTIFIER '$.DeliveryId', owner VARCHAR(100) '$.Owner', status VARCHAR(16) '$.Status', number INT '$.Number',
                next_attempt_at DATETIMEOFFSET(6) '$.NextAttemptAt', started_at DATETIMEOFFSET(6) '$.StartedAt', duration_ms INT '$.DurationMs',
                status_code INT '$.StatusCode', error NVARCHAR(100) '$.Error', response_excerpt NVARCHAR(1024) '$.ResponseExcerpt');
            DECLARE @recorded TABLE (id UNIQUEIDENTIFIER NOT NULL PRIMARY KEY);
            UPDATE d SET status = a.status, attempt_count = a.number, next_attempt_at = a.next_attempt_at, last_attempt_at = a.started_at,
                last_status_code = a.status_code, locked_by = NULL, lease_until = NULL, retry_requested = 0
            OUTPUT inserted.id INTO @recorded (id)
            FROM dbo.deliveries d JOIN @attempts a ON a.delivery_id = d.id AND d.locked_by = a.owner;
            INSERT INTO dbo.delivery_attempts (delivery_id, number, started_at, duration_ms, status_code, error, response_excerpt)
            SELECT a.delivery_id, a.number, a.started_at, a.duration_ms, a.status_code, a.error, a.response_excerpt
            FROM @attempts a JOIN @recorded r ON r.id = a.delivery_id
            WHERE NOT EXISTS (SELECT 1 FROM dbo.delivery_attempts x WHERE x.delivery_id = a.delivery_id AND x.number = a.number);
            SELECT id FROM @recorded;
            """;
    }

    private static class PostgreSql
    {
        // As on SQL Server, with a LATERAL subquery for each webhook's oldest due deliveries. PostgreSQL allows no
        // FOR UPDATE beside a window function, so the fair-share pick is made first (picked) and the chosen rows are
        // locked one level out with SKIP LOCKED: a row another node is claiming is passed over, not waited for, and a
        // row another node claimed since this statement's snapshot fails the re-checked lease condition and is left.
        // As on SQL Server, two claims racing may each give a webhook its share (never the same delivery twice).
        public const string Claim =
            """
            WITH busy AS (
                SELECT webhook_id, COUNT(*) AS in_flight FROM deliveries
                WHERE lease_until IS NOT NULL AND lease_until >= @Now AND status = 'pending'
                GROUP BY webhook_id),
            open_webhooks AS (
                SELECT w.id, w.paused_until,
                    (CASE WHEN w.consecutive_failures >= @BreakerFailures THEN 1 ELSE @MaxPerWebhook END) - COALESCE(b.in_flight, 0) AS room
                FROM webhooks w LEFT JOIN busy b ON b.webhook_id = w.id
                WHERE w.disabled_at IS NULL),
            candidates AS (
                SELECT x.id, x.webhook_id, x.next_attempt_at, x.retry_requested, o.room
                FROM open_webhooks o
                CROSS JOIN LATERAL (
                    SELECT d.id, d.webhook_id, d.next_attempt_at, d.retry_requested
                    FROM deliveries d
                    WHERE d.webhook_id = o.id AND d.status = 'pending' AND d.next_attempt_at <= @Now AND (d.lease_until IS NULL OR d.lease_until < @Now)
                    ORDER BY d.next_attempt_at LIMIT @MaxPerWebhook) x
                WHERE o.room > 0 AND (o.paused_until IS NULL OR o.paused_until <= @Now)
                UNION
                SELECT d.id, d.webhook_id, d.next_attempt_at, d.retry_requested, o.room
                FROM deliveries d JOIN open_webhooks o ON o.id = d.webhook_id
                WHERE d.retry_requested = 1 AND d.status = 'pending' AND (d.lease_until IS NULL OR d.lease_until < @Now) AND o.room > 0),
            ranked AS (
                SELECT id, next_attempt_at, room,
                    ROW_NUMBER() OVER (PARTITION BY webhook_id ORDER BY retry_requested DESC, next_attempt_at, id) AS place
                FROM candidates),
            picked AS (
                SELECT id FROM ranked WHERE place <= room ORDER BY next_attempt_at LIMIT @Limit)
            UPDATE deliveries SET locked_by = @Owner, lease_until = @LeaseUntil, next_attempt_at = @LeaseUntil
            WHERE id IN (
                SELECT d.id FROM deliveries d JOIN picked p ON p.id = d.id
                WHERE d.status = 'pending' AND (d.lease_until IS NULL OR d.lease_until < @Now)
                FOR UPDATE OF d SKIP LOCKED)
            RETURNING id;
            """;

        public const string Load =
            $"SELECT {LoadColumns} FROM deliveries d JOIN events e ON e.id = d.event_id WHERE d.id = ANY(@Ids) AND d.locked_by = @Owner;";

        // Locked until the batch commits, as on SQL Server; in id order, so that two nodes' batches never deadlock.
        public const string LoadHealth = $"SELECT {HealthColumns} FROM webhooks WHERE id = ANY(@Ids) ORDER BY id FOR UPDATE;";

        // A batch of attempts in one statement per table (arrays, unnested into rows). RETURNING names the outcomes
        // whose claim still held the lease: only those count for their webhook's health.
        public const string Record =
            "UPDATE deliveries d SET status = r.status, attempt_count = r.number, next_attempt_at = r.next_attempt_at, last_attempt_at = r.started_at, " +
            "last_status_code = r.status_code, locked_by = NULL, lease_until = NULL, retry_requested = 0 " +
            "FROM unnest(@DeliveryIds::uuid[], @Owners::text[], @Statuses::text[], @Numbers::integer[], @NextAttemptAts::timestamptz[], " +
            "@StartedAts::timestamptz[], @StatusCodes::integer[]) AS r (delivery_id, owner, status, number, next_attempt_at, started_at, status_code) " +
            "WHERE d.id = r.delivery_id AND d.locked_by = r.owner " +
            "RETURNING d.id;";

        public const string InsertAttempt =
            "INSERT INTO delivery_attempts (delivery_id, number, started_at, duration_ms, status_code, error, response_excerpt) " +
            "SELECT r.delivery_id, r.number, r.started_at, r.duration_ms, r.status_code, r.error, r.response_excerpt " +
            "FROM unnest(@DeliveryIds::uuid[], @Numbers::integer[], @StartedAts::timestamptz[], @DurationMs::integer[], @StatusCodes::integer[], " +
            "@Errors::text[], @ResponseExcerpts::text[]) AS r (delivery_id, number, started_at, duration_ms, status_code, error, response_excerpt) " +
            "WHERE EXISTS (SELECT 1 FROM deliveries WHERE id = r.delivery_id AND attempt_count = r.number) " +
            "ON CONFLICT DO NOTHING;";
    }

    public async Task<IReadOnlyList<Claimed>> ClaimDueAsync(
        string claim, int limit, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        if (database.Dialect == SqlDialect.Sqlite)
        {
            return await ClaimOnSqliteAsync(claim, limit, now, leaseUntil, cancellationToken);
        }

        List<Guid> ids;
        await using (var writer = await database.OpenWriterAsync(cancellationToken, WriteDurability.Relaxed))
        {
            ids = (await writer.Connection.QueryAsync<Guid>(new CommandDefinition(
                database.ServerSql(SqlServer.Claim, PostgreSql.Claim),
                new
                {
                    Owner = claim,
                    Limit = limit,
                    Now = now,
                    LeaseUntil = leaseUntil,
                    options.MaxPerWebhook,
                    options.BreakerFailures,
                },
                cancellationToken: cancellationToken))).AsList();
        }

        if (ids.Count == 0)
        {
            return [];
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<ClaimedDelivery>(new CommandDefinition(
            database.ServerSql(SqlServer.Load, PostgreSql.Load), new { Ids = ids, Owner = claim }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToClaimed())];
    }

    /// <summary>
    /// SQLite: the claim, then the load of what it claimed, in one turn of the writer, each statement compiled once
    /// for the life of the write connection.
    /// </summary>
    private async Task<IReadOnlyList<Claimed>> ClaimOnSqliteAsync(
        string claim, int limit, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        await using var writer = await database.OpenWriterAsync(cancellationToken, WriteDurability.Relaxed);
        var ids = new List<string>();
        var command = writer.Command(Sqlite.Claim, null, "@Owner", "@Limit", "@Now", "@LeaseUntil", "@MaxPerWebhook", "@BreakerFailures")
            .Bind(claim, limit, now, leaseUntil, options.MaxPerWebhook, options.BreakerFailures);
        await using (var claimed = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await claimed.ReadAsync(cancellationToken))
            {
                ids.Add(claimed.GetString(0));
            }
        }

        if (ids.Count == 0)
        {
            return [];
        }

        var rows = await writer.Command(Sqlite.Load, null, "@Ids", "@Owner").Bind(JsonSerializer.Serialize(ids), claim)
            .QueryAllAsync<ClaimedDelivery>(cancellationToken);
        return [.. rows.Select(r => r.ToClaimed())];
    }

    public async Task<IReadOnlyList<WebhookHealthChanged>> RecordAsync(
        IReadOnlyList<DeliveryOutcome> outcomes, EndpointHealthPolicy policy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        await using var writer = await database.OpenWriterAsync(cancellationToken, WriteDurability.Relaxed);
        var connection = writer.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // PostgreSQL takes the batch's attempts as arrays, one statement per table; SQL Server as one JSON parameter,
        // in one round trip; SQLite (no round trip to pay) row by row.
        var batched = database.Dialect != SqlDialect.Sqlite;
        List<DeliveryOutcome.Attempted> attempts = [.. outcomes.OfType<DeliveryOutcome.Attempted>()];
        var recorded = database.Dialect switch
        {
            SqlDialect.PostgreSql => await RecordBatchAsync(connection, transaction, attempts, cancellationToken),
            SqlDialect.SqlServer => await RecordSqlServerBatchAsync(connection, transaction, attempts, cancellationToken),
            _ => [],
        };
        foreach (var outcome in outcomes)
        {
            switch (outcome)
            {
                case DeliveryOutcome.Attempted when batched:
                    break;
                case DeliveryOutcome.Attempted attempted:
                    // An outcome whose claim lost its lease changes nothing: the delivery belongs to a newer claim.
                    if (await RecordOnSqliteAsync(writer, transaction, attempted, cancellationToken))
                    {
                        recorded.Add(attempted);
                    }

                    break;
                case DeliveryOutcome.Held:
                    await Execute(connection, transaction, database.Sql(Portable.HandBack), Owned(outcome), cancellationToken);
                    break;
                case DeliveryOutcome.Cancelled:
                    await Execute(connection, transaction, database.Sql(Portable.Cancel), Owned(outcome), cancellationToken);
                    break;
            }
        }

        var changes = await RecordHealthAsync(writer, transaction, recorded, policy, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return changes;

        // A hand-back or a cancel names its delivery and the claim that must still hold it.
        object Owned(DeliveryOutcome outcome) => new { DeliveryId = outcome.Claimed.Delivery.Id.Value, Owner = outcome.Claimed.Claim, Now = clock.GetUtcNow() };
    }

    /// <summary>The attempts of a batch in one statement per table; returns those whose claim still held the lease, in order.</summary>
    private static async Task<List<DeliveryOutcome.Attempted>> RecordBatchAsync(
        DbConnection connection, DbTransaction transaction, List<DeliveryOutcome.Attempted> attempted, CancellationToken cancellationToken)
    {
        if (attempted.Count == 0)
        {
            return [];
        }

        var parameters = new
        {
            DeliveryIds = attempted.Select(a => a.Claimed.Delivery.Id.Value).ToArray(),
            Owners = attempted.Select(a => a.Claimed.Claim).ToArray(),
            Statuses = attempted.Select(a => a.Claimed.Delivery.Status.ToText()).ToArray(),
            Numbers = attempted.Select(a => a.Attempt.Number).ToArray(),
            NextAttemptAts = attempted.Select(a => a.Claimed.Delivery.NextAttemptAt?.ToUniversalTime()).ToArray(),
            StartedAts = attempted.Select(a => a.Attempt.StartedAt.ToUniversalTime()).ToArray(),
            DurationMs = attempted.Select(a => a.Attempt.DurationMs).ToArray(),
            StatusCodes = attempted.Select(a => a.Attempt.StatusCode).ToArray(),
            Errors = attempted.Select(a => a.Attempt.Error).ToArray(),
            ResponseExcerpts = attempted.Select(a => a.Attempt.ResponseExcerpt).ToArray(),
        };
        var owned = (await connection.QueryAsync<Guid>(new CommandDefinition(
            PostgreSql.Record, parameters, transaction, cancellationToken: cancellationToken))).ToHashSet();
        if (owned.Count == 0)
        {
            return [];
        }

        await Execute(connection, transaction, PostgreSql.InsertAttempt, parameters, cancellationToken);
        return [.. attempted.Where(a => owned.Contains(a.Claimed.Delivery.Id.Value))];
    }

    /// <summary>SQL Server: the attempts of a batch in one round trip; returns those whose claim still held the lease, in order.</summary>
    private static async Task<List<DeliveryOutcome.Attempted>> RecordSqlServerBatchAsync(
        DbConnection connection, DbTransaction transaction, List<DeliveryOutcome.Attempted> attempted, CancellationToken cancellationToken)
    {
        if (attempted.Count == 0)
        {
            return [];
        }

        var owned = (await connection.QueryAsync<Guid>(new CommandDefinition(
            SqlServer.Record, new { Attempts = AttemptsJson(attempted) }, transaction, cancellationToken: cancellationToken))).ToHashSet();
        return [.. attempted.Where(a => owned.Contains(a.Claimed.Delivery.Id.Value))];
    }

    /// <summary>The attempts as SQL Server's <see cref="SqlServer.Record"/> reads them with <c>OPENJSON</c>.</summary>
    internal static string AttemptsJson(IEnumerable<DeliveryOutcome.Attempted> attempted) =>
        JsonSerializer.Serialize(attempted.Select(a => new
        {
            DeliveryId = a.Claimed.Delivery.Id.Value,
            Owner = a.Claimed.Claim,
            Status = a.Claimed.Delivery.Status.ToText(),
            a.Attempt.Number,
            NextAttemptAt = a.Claimed.Delivery.NextAttemptAt?.ToUniversalTime(),
            StartedAt = a.Attempt.StartedAt.ToUniversalTime(),
            a.Attempt.DurationMs,
            a.Attempt.StatusCode,
            a.Attempt.Error,
            a.Attempt.ResponseExcerpt,
        }));

    /// <summary>Applies the recorded attempts, in order, to their webhooks' stored health (the rules are the Domain's).</summary>
    private async Task<List<WebhookHealthChanged>> RecordHealthAsync(
        DatabaseWriter writer, DbTransaction transaction, List<DeliveryOutcome.Attempted> recorded, EndpointHealthPolicy policy, CancellationToken cancellationToken)
    {
        var changes = new List<WebhookHealthChanged>();
        var counted = recorded.Where(r => r.Attempt.CountsForEndpointHealth).ToList();
        if (counted.Count == 0)
        {
            return changes;
        }

        var ids = counted.Select(r => r.Claimed.Delivery.WebhookId.Value).Distinct().ToList();
        var rows = (database.Dialect == SqlDialect.Sqlite
            ? await writer.Command(Sqlite.LoadHealth, transaction, "@Ids").Bind(DapperSetup.SqliteIdArray(ids)).QueryAllAsync<WebhookHealthRow>(cancellationToken)
            : await writer.Connection.QueryAsync<WebhookHealthRow>(new CommandDefinition(
                database.ServerSql(SqlServer.LoadHealth, PostgreSql.LoadHealth), new { Ids = ids }, transaction,
                cancellationToken: cancellationToken))).ToDictionary(r => r.Id);
        var health = rows.ToDictionary(r => r.Key, r => r.Value.Health());
        var now = clock.GetUtcNow().TruncatedToMicroseconds();
        foreach (var outcome in counted)
        {
            var webhookId = outcome.Claimed.Delivery.WebhookId.Value;
            if (!health.TryGetValue(webhookId, out var before))
            {
                continue;
            }

            var (after, change) = before.After(outcome.Attempt, now, policy);
            health[webhookId] = after;
            if (change != HealthChange.None)
            {
                changes.Add(new WebhookHealthChanged(new WebhookId(webhookId), new ClientId(rows[webhookId].ClientId), change, after));
            }
        }

        foreach (var (id, after) in health.Where(h => h.Value != rows[h.Key].Health()))
        {
            await Execute(writer.Connection, transaction, database.Sql(Portable.SaveHealth), new
            {
                Id = id,
                after.ConsecutiveFailures,
                after.FailingSince,
                after.BreakerTrips,
                after.PausedUntil,
                after.DisabledAt,
                after.DisabledReason,
            }, cancellationToken);
        }

        return changes;
    }

    /// <summary>SQLite: one attempt's outcome and its attempt row, if its claim still holds the lease; true when it did.</summary>
    private static async Task<bool> RecordOnSqliteAsync(
        DatabaseWriter writer, DbTransaction transaction, DeliveryOutcome.Attempted outcome, CancellationToken cancellationToken)
    {
        var delivery = outcome.Claimed.Delivery;
        var attempt = outcome.Attempt;
        var changed = await writer.Command(Sqlite.Record, transaction, "@Status", "@Number", "@NextAttemptAt", "@StartedAt", "@StatusCode", "@DeliveryId", "@Owner")
            .Bind(delivery.Status.ToText(), attempt.Number, delivery.NextAttemptAt, attempt.StartedAt, attempt.StatusCode, delivery.Id.Value, outcome.Claimed.Claim)
            .ExecuteNonQueryAsync(cancellationToken);
        if (changed != 1)
        {
            return false;
        }

        await writer.Command(Sqlite.InsertAttempt, transaction, "@DeliveryId", "@Number", "@StartedAt", "@DurationMs", "@StatusCode", "@Error", "@ResponseExcerpt")
            .Bind(delivery.Id.Value, attempt.Number, attempt.StartedAt, attempt.DurationMs, attempt.StatusCode, attempt.Error, attempt.ResponseExcerpt)
            .ExecuteNonQueryAsync(cancellationToken);
        return true;
    }

    public async Task HandBackAsync(IReadOnlyList<Claimed> deliveries, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var writer = await database.OpenWriterAsync(cancellationToken, WriteDurability.Relaxed);
        await writer.Connection.ExecuteAsync(new CommandDefinition(
            database.Sql(Portable.HandBack),
            deliveries.Select(d => new { DeliveryId = d.Delivery.Id.Value, Owner = d.Claim, Now = now }).ToList(),
            cancellationToken: cancellationToken));
    }

    public async Task ReleaseAsync(string dispatcher, CancellationToken cancellationToken)
    {
        await using var writer = await database.OpenWriterAsync(cancellationToken, WriteDurability.Relaxed);
        await writer.Connection.ExecuteAsync(new CommandDefinition(
            database.Sql(Portable.Release), new { OwnerPattern = dispatcher + "-%", Now = clock.GetUtcNow() }, cancellationToken: cancellationToken));
    }

    public async Task<long> CountPendingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            database.Sql(Portable.CountPending), cancellationToken: cancellationToken));
    }

    private static Task<int> Execute(DbConnection connection, DbTransaction transaction, string sql, object parameters, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken));
}
