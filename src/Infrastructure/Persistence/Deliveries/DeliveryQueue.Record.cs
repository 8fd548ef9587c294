using System.Data.Common;
using System.Text.Json;
using CleanWebhooks.Application.Deliveries.AttemptDelivery;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Common;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;
using CleanWebhooks.Infrastructure.Persistence.Webhooks;
using Dapper;

namespace CleanWebhooks.Infrastructure.Persistence.Deliveries;

/// <summary>
/// A webhook's stored health and due marker, as the outcome writer reads and writes them: what the outcomes of a batch
/// change (their health, and when the claim should look at the webhook again).
/// </summary>
internal sealed class WebhookStateRow : WebhookHealthRow
{
    public const string Columns = "id, client_id, " + WebhookRow.HealthColumns + ", due_at, waits_for_room";

    public DateTimeOffset? DueAt { get; init; }

    public bool WaitsForRoom { get; init; }
}

/// <summary>The outcome writer's half of a turn.</summary>
internal sealed partial class DeliveryQueue
{
    private static partial class Portable
    {
        public const string Cancel =
            "UPDATE deliveries SET status = 'cancelled', next_attempt_at = NULL, locked_by = NULL, lease_until = NULL WHERE id = @DeliveryId AND locked_by = @Owner;";

        public const string HandBack = "UPDATE deliveries SET locked_by = NULL, lease_until = NULL, next_attempt_at = @Now WHERE id = @DeliveryId AND locked_by = @Owner;";

        public const string SaveWebhookState =
            "UPDATE webhooks SET consecutive_failures = @ConsecutiveFailures, failing_since = @FailingSince, breaker_trips = @BreakerTrips, " +
            "paused_until = @PausedUntil, disabled_at = @DisabledAt, disabled_reason = @DisabledReason, due_at = @DueAt, waits_for_room = 0 WHERE id = @Id;";
    }

    private static partial class Sqlite
    {
        public const string LoadWebhookState = $"SELECT {WebhookStateRow.Columns} FROM webhooks WHERE id IN (SELECT value FROM json_each(@Ids));";

        public const string Record =
            "UPDATE deliveries SET status = @Status, attempt_count = @Number, next_attempt_at = @NextAttemptAt, last_attempt_at = @StartedAt, " +
            "last_status_code = @StatusCode, locked_by = NULL, lease_until = NULL, retry_requested = 0 WHERE id = @DeliveryId AND locked_by = @Owner;";

        // Run only for an outcome that was recorded above (its claim still held the lease).
        public const string InsertAttempt =
            "INSERT OR IGNORE INTO delivery_attempts (delivery_id, number, started_at, duration_ms, status_code, error, response_excerpt) " +
            "VALUES (@DeliveryId, @Number, @StartedAt, @DurationMs, @StatusCode, @Error, @ResponseExcerpt);";
    }

    private static partial class SqlServer
    {
        // Held until the turn commits, so that outcomes from several nodes apply one after the other; in id order.
        public const string LoadWebhookState = $"SELECT {WebhookStateRow.Columns} FROM dbo.webhooks WITH (UPDLOCK, ROWLOCK) WHERE id IN @Ids ORDER BY id;";

        // A batch of attempts in ONE round trip: the outcomes travel as one JSON parameter. OUTPUT names the outcomes
        // whose claim still held the lease, by delivery and claim (see HeldTheLease): only those add their attempt row.
        public const string Record =
            """
            SET NOCOUNT ON;
            DECLARE @attempts TABLE (
                delivery_id UNIQUEIDENTIFIER NOT NULL, owner VARCHAR(100) NOT NULL, status VARCHAR(16) NOT NULL, number INT NOT NULL,
                next_attempt_at DATETIMEOFFSET(6) NULL, started_at DATETIMEOFFSET(6) NOT NULL, duration_ms INT NOT NULL, status_code INT NULL,
                error NVARCHAR(100) NULL, response_excerpt NVARCHAR(1024) NULL, PRIMARY KEY (delivery_id, owner));
            INSERT INTO @attempts (delivery_id, owner, status, number, next_attempt_at, started_at, duration_ms, status_code, error, response_excerpt)
            SELECT delivery_id, owner, status, number, next_attempt_at, started_at, duration_ms, status_code, error, response_excerpt
            FROM OPENJSON(@Attempts) WITH (
                delivery_id UNIQUEIDENTIFIER '$.DeliveryId', owner VARCHAR(100) '$.Owner', status VARCHAR(16) '$.Status', number INT '$.Number',
                next_attempt_at DATETIMEOFFSET(6) '$.NextAttemptAt', started_at DATETIMEOFFSET(6) '$.StartedAt', duration_ms INT '$.DurationMs',
                status_code INT '$.StatusCode', error NVARCHAR(100) '$.Error', response_excerpt NVARCHAR(1024) '$.ResponseExcerpt');
            DECLARE @recorded TABLE (id UNIQUEIDENTIFIER NOT NULL PRIMARY KEY, owner VARCHAR(100) NOT NULL);
            UPDATE d SET status = a.status, attempt_count = a.number, next_attempt_at = a.next_attempt_at, last_attempt_at = a.started_at,
                last_status_code = a.status_code, locked_by = NULL, lease_until = NULL, retry_requested = 0
            OUTPUT inserted.id, a.owner INTO @recorded (id, owner)
            FROM dbo.deliveries d JOIN @attempts a ON a.delivery_id = d.id AND d.locked_by = a.owner;
            INSERT INTO dbo.delivery_attempts (delivery_id, number, started_at, duration_ms, status_code, error, response_excerpt)
            SELECT a.delivery_id, a.number, a.started_at, a.duration_ms, a.status_code, a.error, a.response_excerpt
            FROM @attempts a JOIN @recorded r ON r.id = a.delivery_id AND r.owner = a.owner
            WHERE NOT EXISTS (SELECT 1 FROM dbo.delivery_attempts x WHERE x.delivery_id = a.delivery_id AND x.number = a.number);
            SELECT id, owner FROM @recorded;
            """;
    }

    private static partial class PostgreSql
    {
        // Locked until the turn commits, in id order, so that two nodes' turns never deadlock. FOR NO KEY UPDATE, not FOR
        // UPDATE: it does not conflict with the FOR KEY SHARE that an intake's insert into deliveries takes on the same
        // webhook for its foreign key (measured: FOR UPDATE deadlocked against the intake, 17 times in 50 s).
        public const string LoadWebhookState = $"SELECT {WebhookStateRow.Columns} FROM webhooks WHERE id = ANY(@Ids) ORDER BY id FOR NO KEY UPDATE;";

        // A batch of attempts in one statement per table (arrays, unnested into rows). RETURNING names the outcomes
        // whose claim still held the lease, by delivery and claim (see HeldTheLease): only those add their attempt row.
        public const string Record =
            "UPDATE deliveries d SET status = r.status, attempt_count = r.number, next_attempt_at = r.next_attempt_at, last_attempt_at = r.started_at, " +
            "last_status_code = r.status_code, locked_by = NULL, lease_until = NULL, retry_requested = 0 " +
            "FROM unnest(@DeliveryIds::uuid[], @Owners::text[], @Statuses::text[], @Numbers::integer[], @NextAttemptAts::timestamptz[], " +
            "@StartedAts::timestamptz[], @StatusCodes::integer[]) AS r (delivery_id, owner, status, number, next_attempt_at, started_at, status_code) " +
            "WHERE d.id = r.delivery_id AND d.locked_by = r.owner " +
            "RETURNING d.id, r.owner;";

        public const string InsertAttempt =
            "INSERT INTO delivery_attempts (delivery_id, number, started_at, duration_ms, status_code, error, response_excerpt) " +
            "SELECT r.delivery_id, r.number, r.started_at, r.duration_ms, r.status_code, r.error, r.response_excerpt " +
            "FROM unnest(@DeliveryIds::uuid[], @Numbers::integer[], @StartedAts::timestamptz[], @DurationMs::integer[], @StatusCodes::integer[], " +
            "@Errors::text[], @ResponseExcerpts::text[]) AS r (delivery_id, number, started_at, duration_ms, status_code, error, response_excerpt) " +
            "ON CONFLICT DO NOTHING;";
    }

    /// <summary>
    /// Writes a turn's outcomes: the attempts whose claim still held the lease (every attempt a row), hand-backs and
    /// cancels; then, for every webhook they touched (locked in id order on a server database), its health after the
    /// recorded attempts (<see cref="WebhookHealth.After"/>) and its due marker: a webhook that waited for room is due at
    /// once, one whose delivery is to be retried is due no later than that retry. Returns the attempts recorded and the
    /// health changes.
    /// </summary>
    private async Task<(List<DeliveryOutcome.Attempted> Recorded, List<WebhookHealthChanged> Changes)> RecordAsync(
        DatabaseWriter writer, DbTransaction transaction, IReadOnlyList<DeliveryOutcome> outcomes, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var connection = writer.Connection;
        List<DeliveryOutcome.Attempted> attempts = [.. outcomes.OfType<DeliveryOutcome.Attempted>()];
        var recorded = database.Dialect switch
        {
            SqlDialect.PostgreSql => await RecordOnPostgresAsync(connection, transaction, attempts, cancellationToken),
            SqlDialect.SqlServer => await RecordOnSqlServerAsync(connection, transaction, attempts, cancellationToken),
            _ => await RecordOnSqliteAsync(writer, transaction, attempts, cancellationToken),
        };

        // What each touched webhook's due marker must not be later than: a retry's time, or now for a hand-back.
        var touched = new Dictionary<Guid, DateTimeOffset?>();
        foreach (var attempted in recorded)
        {
            Touch(attempted.Claimed.Delivery.WebhookId.Value, attempted.Claimed.Delivery.NextAttemptAt);
        }

        foreach (var outcome in outcomes)
        {
            var owned = new { DeliveryId = outcome.Claimed.Delivery.Id.Value, Owner = outcome.Claimed.Claim, Now = now };
            var applied = outcome switch
            {
                DeliveryOutcome.Held => await Execute(connection, transaction, database.Sql(Portable.HandBack), owned, cancellationToken),
                DeliveryOutcome.Cancelled => await Execute(connection, transaction, database.Sql(Portable.Cancel), owned, cancellationToken),
                _ => 0,
            };
            if (applied == 1)
            {
                Touch(outcome.Claimed.Delivery.WebhookId.Value, outcome is DeliveryOutcome.Held ? now : null);
            }
        }

        return (recorded, touched.Count == 0 ? [] : await UpdateWebhooksAsync(writer, transaction, recorded, touched, now, cancellationToken));

        // The earliest time any of its outcomes needs it looked at; null when they all ended.
        void Touch(Guid webhookId, DateTimeOffset? dueBy)
        {
            var before = touched.GetValueOrDefault(webhookId);
            touched[webhookId] = before is null || (dueBy is not null && dueBy < before) ? dueBy : before;
        }
    }

    /// <summary>The health and due marker of the webhooks a turn's outcomes touched; writes only the rows that change.</summary>
    private async Task<List<WebhookHealthChanged>> UpdateWebhooksAsync(
        DatabaseWriter writer, DbTransaction transaction, List<DeliveryOutcome.Attempted> recorded, Dictionary<Guid, DateTimeOffset?> touched,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var ids = touched.Keys.Order().ToList();
        var rows = (database.Dialect == SqlDialect.Sqlite
            ? await writer.Command(Sqlite.LoadWebhookState, transaction, "@Ids").Bind(DapperSetup.SqliteIdArray(ids)).QueryAllAsync<WebhookStateRow>(cancellationToken)
            : await writer.Connection.QueryAsync<WebhookStateRow>(new CommandDefinition(
                database.ServerSql(SqlServer.LoadWebhookState, PostgreSql.LoadWebhookState), new { Ids = ids }, transaction,
                cancellationToken: cancellationToken))).ToDictionary(r => r.Id);

        var health = rows.ToDictionary(r => r.Key, r => r.Value.Health());
        var changes = new List<WebhookHealthChanged>();
        foreach (var outcome in recorded.Where(r => r.Attempt.CountsForEndpointHealth))
        {
            var webhookId = outcome.Claimed.Delivery.WebhookId.Value;
            if (!health.TryGetValue(webhookId, out var before))
            {
                continue;
            }

            var (after, change) = before.After(outcome.Attempt, now, policy.Health);
            health[webhookId] = after;
            if (change != HealthChange.None)
            {
                changes.Add(new WebhookHealthChanged(new WebhookId(webhookId), new ClientId(rows[webhookId].ClientId), change, after));
            }
        }

        foreach (var (id, row) in rows)
        {
            var after = health[id];

            // An attempt that ended freed room: a webhook waiting for it is due now; one with a retry is due by then.
            // A breaker that closed before its pause ended (a manual retry or a test event got through) no longer
            // holds what it held: the marker, set to the pause's end, comes back to now. A disabled webhook is looked
            // at again when it is enabled.
            var dueAt = row.DueAt;
            if (after.IsDisabled)
            {
                dueAt = null;
            }
            else if (row.WaitsForRoom || (dueAt > now && row.Health().IsPausedAt(now) && !after.IsPausedAt(now)))
            {
                dueAt = now;
            }
            else if (touched[id] is { } dueBy && (dueAt is null || dueAt > dueBy))
            {
                dueAt = dueBy;
            }

            if (after == row.Health() && dueAt == row.DueAt && !row.WaitsForRoom)
            {
                continue;
            }

            if (database.Dialect == SqlDialect.Sqlite)
            {
                await writer.Command(Portable.SaveWebhookState, transaction, "@ConsecutiveFailures", "@FailingSince", "@BreakerTrips", "@PausedUntil", "@DisabledAt", "@DisabledReason", "@DueAt", "@Id")
                    .Bind(after.ConsecutiveFailures, after.FailingSince, after.BreakerTrips, after.PausedUntil, after.DisabledAt, DisabledReasonColumn.Write(after.DisabledReason), dueAt, id)
                    .ExecuteNonQueryAsync(cancellationToken);
            }
            else
            {
                await Execute(writer.Connection, transaction, database.Sql(Portable.SaveWebhookState), new
                {
                    Id = id,
                    after.ConsecutiveFailures,
                    after.FailingSince,
                    after.BreakerTrips,
                    after.PausedUntil,
                    after.DisabledAt,
                    after.DisabledReason,
                    DueAt = dueAt,
                }, cancellationToken);
            }
        }

        return changes;
    }

    /// <summary>SQLite: each attempt's outcome and its attempt row, if its claim still holds the lease; returns those that did, in order.</summary>
    private static async Task<List<DeliveryOutcome.Attempted>> RecordOnSqliteAsync(
        DatabaseWriter writer, DbTransaction transaction, List<DeliveryOutcome.Attempted> attempted, CancellationToken cancellationToken)
    {
        var recorded = new List<DeliveryOutcome.Attempted>(attempted.Count);
        foreach (var outcome in attempted)
        {
            var delivery = outcome.Claimed.Delivery;
            var attempt = outcome.Attempt;

            // An outcome whose claim lost its lease changes nothing: the delivery belongs to a newer claim.
            var changed = await writer.Command(Sqlite.Record, transaction, "@Status", "@Number", "@NextAttemptAt", "@StartedAt", "@StatusCode", "@DeliveryId", "@Owner")
                .Bind(delivery.Status.ToText(), attempt.Number, delivery.NextAttemptAt, attempt.StartedAt, attempt.StatusCode, delivery.Id.Value, outcome.Claimed.Claim)
                .ExecuteNonQueryAsync(cancellationToken);
            if (changed != 1)
            {
                continue;
            }

            await writer.Command(Sqlite.InsertAttempt, transaction, "@DeliveryId", "@Number", "@StartedAt", "@DurationMs", "@StatusCode", "@Error", "@ResponseExcerpt")
                .Bind(delivery.Id.Value, attempt.Number, attempt.StartedAt, attempt.DurationMs, attempt.StatusCode, attempt.Error, attempt.ResponseExcerpt)
                .ExecuteNonQueryAsync(cancellationToken);
            recorded.Add(outcome);
        }

        return recorded;
    }

    /// <summary>PostgreSQL: the attempts of a batch in one statement per table; returns those whose claim still held the lease, in order.</summary>
    private static async Task<List<DeliveryOutcome.Attempted>> RecordOnPostgresAsync(
        DbConnection connection, DbTransaction transaction, List<DeliveryOutcome.Attempted> attempted, CancellationToken cancellationToken)
    {
        if (attempted.Count == 0)
        {
            return [];
        }

        var arrays = Arrays(attempted);
        var held = (await connection.QueryAsync<(Guid DeliveryId, string Owner)>(new CommandDefinition(
            PostgreSql.Record, arrays, transaction, cancellationToken: cancellationToken))).ToHashSet();
        var recorded = HeldTheLease(attempted, held);
        if (recorded.Count > 0)
        {
            // Usually every outcome still held its lease: then the arrays already built are the ones to insert.
            await Execute(connection, transaction, PostgreSql.InsertAttempt, recorded.Count == attempted.Count ? arrays : Arrays(recorded), cancellationToken);
        }

        return recorded;

        static object Arrays(List<DeliveryOutcome.Attempted> attempts) => new
        {
            DeliveryIds = attempts.Select(a => a.Claimed.Delivery.Id.Value).ToArray(),
            Owners = attempts.Select(a => a.Claimed.Claim).ToArray(),
            Statuses = attempts.Select(a => a.Claimed.Delivery.Status.ToText()).ToArray(),
            Numbers = attempts.Select(a => a.Attempt.Number).ToArray(),
            NextAttemptAts = attempts.Select(a => a.Claimed.Delivery.NextAttemptAt?.ToUniversalTime()).ToArray(),
            StartedAts = attempts.Select(a => a.Attempt.StartedAt.ToUniversalTime()).ToArray(),
            DurationMs = attempts.Select(a => a.Attempt.DurationMs).ToArray(),
            StatusCodes = attempts.Select(a => a.Attempt.StatusCode).ToArray(),
            Errors = attempts.Select(a => a.Attempt.Error).ToArray(),
            ResponseExcerpts = attempts.Select(a => a.Attempt.ResponseExcerpt).ToArray(),
        };
    }

    /// <summary>
    /// The outcomes whose claim the database found still holding the lease (<paramref name="held"/>, emptied here),
    /// matched by delivery AND claim: an attempt that outlived its lease can end in the same batch as the newer claim's
    /// attempt of the same delivery, and its outcome must neither write the attempt row nor count for the webhook's
    /// health. Each held pair takes one outcome: a claim makes one attempt of its delivery, and this keeps a second
    /// outcome of a pair (which no dispatcher writes) from becoming a second attempt row now that the attempt insert
    /// trusts this list.
    /// </summary>
    private static List<DeliveryOutcome.Attempted> HeldTheLease(
        List<DeliveryOutcome.Attempted> attempted, HashSet<(Guid DeliveryId, string Owner)> held) =>
        held.Count == 0 ? [] : [.. attempted.Where(a => held.Remove((a.Claimed.Delivery.Id.Value, a.Claimed.Claim)))];

    /// <summary>SQL Server: the attempts of a batch in one round trip; returns those whose claim still held the lease, in order.</summary>
    private static async Task<List<DeliveryOutcome.Attempted>> RecordOnSqlServerAsync(
        DbConnection connection, DbTransaction transaction, List<DeliveryOutcome.Attempted> attempted, CancellationToken cancellationToken)
    {
        if (attempted.Count == 0)
        {
            return [];
        }

        var held = (await connection.QueryAsync<(Guid DeliveryId, string Owner)>(new CommandDefinition(
            SqlServer.Record, new { Attempts = AttemptsJson(attempted) }, transaction, cancellationToken: cancellationToken))).ToHashSet();
        return HeldTheLease(attempted, held);
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
}
