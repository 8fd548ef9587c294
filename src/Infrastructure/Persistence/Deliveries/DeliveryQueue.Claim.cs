using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using CleanWebhooks.Application.Deliveries.AttemptDelivery;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;
using Dapper;

namespace CleanWebhooks.Infrastructure.Persistence.Deliveries;

/// <summary>
/// The claim's half of a turn, in three steps in the turn's transaction:
/// <list type="number">
/// <item>read the webhooks whose due marker has come (<c>ix_webhooks_due</c>), those due longest first, with what is in
/// flight (on every node) and due of each: one index seek per count, bounded, whatever the backlog;</item>
/// <item><see cref="ClaimRule.Plan"/> decides how many deliveries each may take;</item>
/// <item>lease that many of each one's oldest due deliveries (manual retries first), cancel a deleted webhook's, and
/// move each webhook's due marker to when the claim should look at it next.</item>
/// </list>
/// Idle webhooks are never read. On a server database the webhooks are locked (skipping those another node's claim holds)
/// before they are counted, in a statement of their own: each claim of a webhook sees every lease committed before it,
/// so <c>maxInFlight</c> and <c>maxPerSecond</c> hold across nodes. SQLite has one writer, which does the same.
/// </summary>
internal sealed partial class DeliveryQueue
{
    /// <summary>Deliveries of a deleted webhook cancelled per turn (the delete itself cancels the rest in batches).</summary>
    private const int CancelBatch = 500;

    private static partial class Sqlite
    {
        // Counts stop at @DueCap rows: a backlog of any size costs the same. The leases and the manual retries are counted
        // in their own small indexes: without the hints SQLite (which has no statistics) may count either in a wider
        // index of the webhook's deliveries (ix_deliveries_webhook_due), reading every pending delivery of a webhook
        // with a backlog.
        public const string DueWebhooks =
            $"""
            SELECT {DueWebhookRow.Columns},
                (SELECT COUNT(*) FROM deliveries l INDEXED BY ix_deliveries_leased WHERE l.webhook_id = w.id AND l.lease_until IS NOT NULL AND l.lease_until >= @Now AND l.status = 'pending') AS in_flight,
                (SELECT COUNT(*) FROM (SELECT 1 FROM deliveries x WHERE x.webhook_id = w.id AND x.status = 'pending' AND x.next_attempt_at <= @Now LIMIT @DueCap)) AS due,
                (SELECT COUNT(*) FROM (SELECT 1 FROM deliveries r INDEXED BY ix_deliveries_retry_requested WHERE r.webhook_id = w.id AND r.retry_requested = 1 AND r.status = 'pending' AND r.next_attempt_at <= @Now LIMIT @DueCap)) AS retries_due
            FROM webhooks w
            WHERE w.due_at <= @Now
            ORDER BY w.due_at
            LIMIT @Candidates;
            """;

        // The grants travel as one JSON array of [webhook id, take, retries only]. Each webhook's oldest due deliveries
        // come from ix_deliveries_webhook_due, its manual retries from ix_deliveries_retry_requested; ranked with the
        // retries first, each webhook gets its take. A claimed delivery's next_attempt_at moves to its lease's end (and
        // back to now when it is handed back or released): rows in flight lie outside the range the claim seeks, and a
        // lost lease makes its delivery due again by itself.
        public const string Take =
            """
            WITH grants AS (
                SELECT json_extract(value, '$[0]') AS webhook_id, json_extract(value, '$[1]') AS take, json_extract(value, '$[2]') AS retries_only
                FROM json_each(@Grants)),
            candidates AS (
                SELECT d.id, d.webhook_id, d.next_attempt_at, d.retry_requested, g.take
                FROM grants g JOIN deliveries d ON d.id IN (
                    SELECT x.id FROM deliveries x
                    WHERE x.webhook_id = g.webhook_id AND x.status = 'pending' AND x.next_attempt_at <= @Now
                    ORDER BY x.next_attempt_at LIMIT @DueCap)
                WHERE g.retries_only = 0
                UNION
                SELECT d.id, d.webhook_id, d.next_attempt_at, d.retry_requested, g.take
                FROM grants g JOIN deliveries d INDEXED BY ix_deliveries_retry_requested ON d.webhook_id = g.webhook_id
                WHERE d.retry_requested = 1 AND d.status = 'pending' AND d.next_attempt_at <= @Now),
            ranked AS (
                SELECT id, take, ROW_NUMBER() OVER (PARTITION BY webhook_id ORDER BY retry_requested DESC, next_attempt_at, id) AS place
                FROM candidates)
            UPDATE deliveries SET locked_by = @Owner, lease_until = @LeaseUntil, next_attempt_at = @LeaseUntil
            WHERE id IN (SELECT id FROM ranked WHERE place <= take)
            RETURNING id;
            """;

        // The ids travel as one JSON array (json_each), so that the statement's text, and its compiled form, is the
        // same whatever their number.
        public const string Load =
            $"SELECT {ClaimedDeliveryRow.Columns} FROM deliveries d JOIN events e ON e.id = d.event_id WHERE d.id IN (SELECT value FROM json_each(@Ids)) AND d.locked_by = @Owner;";

        public const string CancelDeleted =
            "UPDATE deliveries SET status = 'cancelled', next_attempt_at = NULL, locked_by = NULL, lease_until = NULL " +
            "WHERE id IN (SELECT id FROM deliveries WHERE webhook_id = @Id AND status = 'pending' AND next_attempt_at <= @Now LIMIT @Batch);";

        // Due again no earlier than @NotBefore, and not before its earliest pending delivery (a retry, or a lease's end):
        // the first entry of ix_deliveries_webhook_due. Never, when it has none, or when @NotBefore is null (disabled).
        public const string Settle =
            """
            UPDATE webhooks SET next_start_at = @NextStartAt, waits_for_room = @WaitsForRoom,
                due_at = CASE WHEN @NotBefore IS NULL THEN NULL ELSE (
                    SELECT CASE WHEN earliest.next_due > @NotBefore THEN earliest.next_due ELSE @NotBefore END
                    FROM (SELECT d.next_attempt_at AS next_due FROM deliveries d
                          WHERE d.webhook_id = webhooks.id AND d.status = 'pending' ORDER BY d.next_attempt_at LIMIT 1) earliest) END
            WHERE id = @Id;
            """;
    }

    private static partial class SqlServer
    {
        // The webhooks are locked first (another node's claim holds some: READPAST passes them over), then counted in a
        // statement of its own, which reads the leases committed by every claim that held them before.
        public const string DueWebhooks =
            $"""
            SET NOCOUNT ON;
            DECLARE @locked TABLE (id UNIQUEIDENTIFIER NOT NULL PRIMARY KEY);
            INSERT INTO @locked (id)
            SELECT TOP (@Candidates) id FROM dbo.webhooks WITH (UPDLOCK, READPAST, ROWLOCK) WHERE due_at <= @Now ORDER BY due_at;
            SELECT {DueWebhookRow.Columns},
                (SELECT COUNT(*) FROM dbo.deliveries l WITH (READCOMMITTEDLOCK) WHERE l.webhook_id = w.id AND l.lease_until >= @Now AND l.status = 'pending') AS in_flight,
                (SELECT COUNT(*) FROM (SELECT TOP (@DueCap) x.id FROM dbo.deliveries x WITH (READCOMMITTEDLOCK) WHERE x.webhook_id = w.id AND x.status = 'pending' AND x.next_attempt_at <= @Now) c) AS due,
                (SELECT COUNT(*) FROM (SELECT TOP (@DueCap) r.id FROM dbo.deliveries r WITH (READCOMMITTEDLOCK) WHERE r.webhook_id = w.id AND r.retry_requested = 1 AND r.status = 'pending' AND r.next_attempt_at <= @Now) c) AS retries_due
            FROM dbo.webhooks w JOIN @locked k ON k.id = w.id
            ORDER BY w.due_at;
            """;

        // As on SQLite, with the grants as one JSON parameter and CROSS APPLY for each webhook's oldest due deliveries.
        public const string Take =
            """
            WITH grants AS (
                SELECT webhook_id, take, retries_only FROM OPENJSON(@Grants) WITH (
                    webhook_id UNIQUEIDENTIFIER '$[0]', take INT '$[1]', retries_only INT '$[2]')),
            candidates AS (
                SELECT x.id, x.webhook_id, x.next_attempt_at, x.retry_requested, g.take
                FROM grants g
                CROSS APPLY (
                    SELECT TOP (@DueCap) d.id, d.webhook_id, d.next_attempt_at, d.retry_requested
                    FROM dbo.deliveries d WITH (UPDLOCK, READPAST, ROWLOCK)
                    WHERE d.webhook_id = g.webhook_id AND d.status = 'pending' AND d.next_attempt_at <= @Now
                    ORDER BY d.next_attempt_at) x
                WHERE g.retries_only = 0
                UNION
                SELECT d.id, d.webhook_id, d.next_attempt_at, d.retry_requested, g.take
                FROM grants g JOIN dbo.deliveries d WITH (UPDLOCK, READPAST, ROWLOCK) ON d.webhook_id = g.webhook_id
                WHERE d.retry_requested = 1 AND d.status = 'pending' AND d.next_attempt_at <= @Now),
            ranked AS (
                SELECT id, take, ROW_NUMBER() OVER (PARTITION BY webhook_id ORDER BY retry_requested DESC, next_attempt_at, id) AS place
                FROM candidates),
            picked AS (
                SELECT id FROM ranked WHERE place <= take)
            UPDATE d SET locked_by = @Owner, lease_until = @LeaseUntil, next_attempt_at = @LeaseUntil
            OUTPUT inserted.id
            FROM dbo.deliveries d JOIN picked p ON p.id = d.id;
            """;

        public const string Load =
            $"SELECT {ClaimedDeliveryRow.Columns} FROM dbo.deliveries d JOIN dbo.events e ON e.id = d.event_id WHERE d.id IN @Ids AND d.locked_by = @Owner;";

        public const string CancelDeleted =
            "UPDATE TOP (@Batch) dbo.deliveries WITH (READPAST, ROWLOCK) SET status = 'cancelled', next_attempt_at = NULL, locked_by = NULL, lease_until = NULL " +
            "WHERE webhook_id = @Id AND status = 'pending' AND next_attempt_at <= @Now;";

        public const string Settle =
            """
            UPDATE w SET next_start_at = s.next_start_at, waits_for_room = s.waits_for_room,
                due_at = CASE WHEN s.not_before IS NULL OR m.next_due IS NULL THEN NULL WHEN m.next_due > s.not_before THEN m.next_due ELSE s.not_before END
            FROM dbo.webhooks w
            JOIN OPENJSON(@Settled) WITH (
                id UNIQUEIDENTIFIER '$.Id', next_start_at DATETIMEOFFSET(6) '$.NextStartAt', not_before DATETIMEOFFSET(6) '$.NotBefore',
                waits_for_room BIT '$.WaitsForRoom') s ON s.id = w.id
            OUTER APPLY (SELECT MIN(d.next_attempt_at) AS next_due FROM dbo.deliveries d WHERE d.webhook_id = s.id AND d.status = 'pending') m;
            """;
    }

    private static partial class PostgreSql
    {
        // The webhooks are locked first, skipping those another node's claim holds (a locked row is read as its last
        // committed version)...
        public const string LockDueWebhooks =
            $"SELECT {DueWebhookRow.Columns} FROM webhooks w WHERE w.due_at <= @Now ORDER BY w.due_at LIMIT @Candidates FOR NO KEY UPDATE SKIP LOCKED;";

        // ...then their deliveries counted in a statement of its own, whose snapshot holds every lease committed by the
        // claims that held them before (under READ COMMITTED each statement sees what was committed when it began).
        public const string CountDue =
            """
            SELECT k.id,
                (SELECT COUNT(*) FROM deliveries l WHERE l.webhook_id = k.id AND l.lease_until >= @Now AND l.status = 'pending') AS in_flight,
                (SELECT COUNT(*) FROM (SELECT 1 FROM deliveries x WHERE x.webhook_id = k.id AND x.status = 'pending' AND x.next_attempt_at <= @Now LIMIT @DueCap) c) AS due,
                (SELECT COUNT(*) FROM (SELECT 1 FROM deliveries r WHERE r.webhook_id = k.id AND r.retry_requested = 1 AND r.status = 'pending' AND r.next_attempt_at <= @Now LIMIT @DueCap) c) AS retries_due
            FROM unnest(@Ids::uuid[]) AS k (id);
            """;

        // As on SQLite, with the grants as arrays and a LATERAL subquery for each webhook's oldest due deliveries; the
        // chosen rows are locked one level out with SKIP LOCKED (PostgreSQL allows no FOR UPDATE beside a window
        // function), and what was leased is read back with its event in the same statement.
        public const string Take =
            $"""
            WITH grants AS (
                SELECT * FROM unnest(@GrantIds::uuid[], @GrantTakes::integer[], @GrantRetriesOnly::boolean[]) AS g (webhook_id, take, retries_only)),
            candidates AS (
                SELECT x.id, x.webhook_id, x.next_attempt_at, x.retry_requested, g.take
                FROM grants g
                CROSS JOIN LATERAL (
                    SELECT d.id, d.webhook_id, d.next_attempt_at, d.retry_requested
                    FROM deliveries d
                    WHERE d.webhook_id = g.webhook_id AND d.status = 'pending' AND d.next_attempt_at <= @Now
                    ORDER BY d.next_attempt_at LIMIT @DueCap) x
                WHERE NOT g.retries_only
                UNION
                SELECT d.id, d.webhook_id, d.next_attempt_at, d.retry_requested, g.take
                FROM grants g JOIN deliveries d ON d.webhook_id = g.webhook_id
                WHERE d.retry_requested = 1 AND d.status = 'pending' AND d.next_attempt_at <= @Now),
            ranked AS (
                SELECT id, take, ROW_NUMBER() OVER (PARTITION BY webhook_id ORDER BY retry_requested DESC, next_attempt_at, id) AS place
                FROM candidates),
            taken AS (
                UPDATE deliveries SET locked_by = @Owner, lease_until = @LeaseUntil, next_attempt_at = @LeaseUntil
                WHERE id IN (
                    SELECT d.id FROM deliveries d JOIN ranked r ON r.id = d.id
                    WHERE r.place <= r.take AND d.status = 'pending' AND d.next_attempt_at <= @Now
                    FOR UPDATE OF d SKIP LOCKED)
                RETURNING *)
            SELECT {ClaimedDeliveryRow.Columns} FROM taken d JOIN events e ON e.id = d.event_id;
            """;

        public const string CancelDeleted =
            "UPDATE deliveries SET status = 'cancelled', next_attempt_at = NULL, locked_by = NULL, lease_until = NULL " +
            "WHERE id IN (SELECT id FROM deliveries WHERE webhook_id = @Id AND status = 'pending' AND next_attempt_at <= @Now LIMIT @Batch FOR UPDATE SKIP LOCKED);";

        public const string Settle =
            """
            UPDATE webhooks w SET next_start_at = s.next_start_at, waits_for_room = s.waits_for_room,
                due_at = CASE WHEN s.not_before IS NULL OR m.next_due IS NULL THEN NULL ELSE GREATEST(m.next_due, s.not_before) END
            FROM unnest(@Ids::uuid[], @NextStartAts::timestamptz[], @NotBefores::timestamptz[], @WaitsForRoom::smallint[])
                AS s (id, next_start_at, not_before, waits_for_room)
            CROSS JOIN LATERAL (SELECT MIN(d.next_attempt_at) AS next_due FROM deliveries d WHERE d.webhook_id = s.id AND d.status = 'pending') m
            WHERE w.id = s.id;
            """;
    }

    /// <summary>
    /// The claim of a turn: returns what it leased, the stored state of those deliveries' webhooks, and the earliest time
    /// it left a webhook for (null: none).
    /// </summary>
    private async Task<(IReadOnlyList<ClaimedDelivery> Claimed, IReadOnlyList<WebhookVersion> Webhooks, DateTimeOffset? WakeAt)> ClaimAsync(
        DatabaseWriter writer, DbTransaction transaction, ClaimRequest claim, CancellationToken cancellationToken)
    {
        var now = claim.Now;
        var dueCap = policy.MaxPerWebhook;
        var candidates = Math.Clamp(claim.Capacity * 4, 64, 1000);
        var rows = await DueWebhooksAsync(writer, transaction, now, dueCap, candidates, cancellationToken);
        if (rows.Count == 0)
        {
            return ([], [], null);
        }

        var due = rows.Select(r => r.ToDueWebhook()).ToList();
        var plan = ClaimRule.Plan(due, claim.Node, claim.Capacity, now, policy);

        foreach (var deleted in plan.Where(p => p.Cancel))
        {
            await Execute(writer.Connection, transaction, database.Sql(Sqlite.CancelDeleted, SqlServer.CancelDeleted, PostgreSql.CancelDeleted),
                new { Id = deleted.Webhook.Id.Value, Now = now, Batch = CancelBatch }, cancellationToken);
        }

        var grants = plan.Where(p => p.Take > 0).ToList();
        var leased = grants.Count == 0 ? [] : await TakeAsync(writer, transaction, claim, grants, dueCap, cancellationToken);

        // Each webhook's deliveries in the order they are to start: the rate limit's slots go to them one by one.
        var claimed = new List<ClaimedDelivery>(leased.Count);
        var settled = new List<(Guid Id, DateTimeOffset? NextStartAt, DateTimeOffset? NotBefore, bool WaitsForRoom)>();
        var byWebhook = leased.GroupBy(r => r.WebhookId).ToDictionary(g => g.Key, g => g.OrderByDescending(r => r.RetryRequested).ThenBy(r => r.NextAttemptAt).ToList());
        foreach (var decision in plan)
        {
            var id = decision.Webhook.Id.Value;
            var taken = byWebhook.GetValueOrDefault(id) ?? [];
            var (first, spacing, _) = decision.Webhook.Limits.Starts(decision.Webhook.NextStartAt, now, taken.Count);
            for (var i = 0; i < taken.Count; i++)
            {
                claimed.Add(taken[i].ToClaimed(spacing == TimeSpan.Zero ? null : first + (spacing * i)));
            }

            // A webhook passed over only for this claim's capacity keeps its marker: it is still due.
            if (taken.Count > 0 || decision.Hold != ClaimHold.Capacity)
            {
                var (nextStartAt, notBefore, waitsForRoom) = decision.Settle(taken.Count, now, policy);
                settled.Add((id, nextStartAt, notBefore, waitsForRoom));
            }
        }

        await SettleAsync(writer, transaction, settled, cancellationToken);
        var leasedWebhooks = byWebhook.Keys.ToHashSet();
        var wakeAt = settled.Select(s => s.NotBefore).Where(at => at > now).Min();
        return (claimed, [.. rows.Where(r => leasedWebhooks.Contains(r.Id)).Select(r => r.ToVersion())], wakeAt);
    }

    private async Task<List<DueWebhookRow>> DueWebhooksAsync(
        DatabaseWriter writer, DbTransaction transaction, DateTimeOffset now, int dueCap, int candidates, CancellationToken cancellationToken)
    {
        switch (database.Dialect)
        {
            case SqlDialect.Sqlite:
                return await writer.Command(Sqlite.DueWebhooks, transaction, "@Now", "@DueCap", "@Candidates")
                    .Bind(now, dueCap, candidates).QueryAllAsync<DueWebhookRow>(cancellationToken);
            case SqlDialect.PostgreSql:
                var locked = (await writer.Connection.QueryAsync<DueWebhookRow>(new CommandDefinition(
                    PostgreSql.LockDueWebhooks, new { Now = now, Candidates = candidates }, transaction, cancellationToken: cancellationToken))).AsList();
                if (locked.Count > 0)
                {
                    var counts = (await writer.Connection.QueryAsync<DueCountsRow>(new CommandDefinition(
                        PostgreSql.CountDue, new { Ids = locked.Select(w => w.Id).ToArray(), Now = now, DueCap = dueCap }, transaction,
                        cancellationToken: cancellationToken))).ToDictionary(c => c.Id);
                    foreach (var webhook in locked)
                    {
                        webhook.Count(counts[webhook.Id]);
                    }
                }

                return locked;
            default:
                return (await writer.Connection.QueryAsync<DueWebhookRow>(new CommandDefinition(
                    SqlServer.DueWebhooks, new { Now = now, DueCap = dueCap, Candidates = candidates }, transaction, cancellationToken: cancellationToken))).AsList();
        }
    }

    /// <summary>Leases each granted webhook's oldest due deliveries (manual retries first); returns them with their events.</summary>
    private async Task<List<ClaimedDeliveryRow>> TakeAsync(
        DatabaseWriter writer, DbTransaction transaction, ClaimRequest claim, List<WebhookClaim> grants, int dueCap, CancellationToken cancellationToken)
    {
        var connection = writer.Connection;
        switch (database.Dialect)
        {
            case SqlDialect.Sqlite:
            {
                var ids = new List<string>();
                var command = writer.Command(Sqlite.Take, transaction, "@Grants", "@Now", "@DueCap", "@Owner", "@LeaseUntil")
                    .Bind(GrantsJson(grants, g => g.Webhook.Id.Value.ToString().ToUpperInvariant()), claim.Now, dueCap, claim.Claim, claim.LeaseUntil);
                await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
                {
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        ids.Add(reader.GetString(0));
                    }
                }

                return ids.Count == 0 ? [] : await writer.Command(Sqlite.Load, transaction, "@Ids", "@Owner")
                    .Bind(JsonSerializer.Serialize(ids), claim.Claim).QueryAllAsync<ClaimedDeliveryRow>(cancellationToken);
            }

            case SqlDialect.PostgreSql:
                return (await connection.QueryAsync<ClaimedDeliveryRow>(new CommandDefinition(
                    PostgreSql.Take,
                    new
                    {
                        GrantIds = grants.Select(g => g.Webhook.Id.Value).ToArray(),
                        GrantTakes = grants.Select(g => g.Take).ToArray(),
                        GrantRetriesOnly = grants.Select(g => g.RetriesOnly).ToArray(),
                        claim.Now,
                        DueCap = dueCap,
                        Owner = claim.Claim,
                        claim.LeaseUntil,
                    },
                    transaction,
                    cancellationToken: cancellationToken))).AsList();

            default:
            {
                var ids = (await connection.QueryAsync<Guid>(new CommandDefinition(
                    SqlServer.Take,
                    new { Grants = GrantsJson(grants, g => g.Webhook.Id.Value.ToString()), claim.Now, DueCap = dueCap, Owner = claim.Claim, claim.LeaseUntil },
                    transaction,
                    cancellationToken: cancellationToken))).AsList();
                return ids.Count == 0 ? [] : (await connection.QueryAsync<ClaimedDeliveryRow>(new CommandDefinition(
                    SqlServer.Load, new { Ids = ids, Owner = claim.Claim }, transaction, cancellationToken: cancellationToken))).AsList();
            }
        }
    }

    /// <summary>The grants as one JSON array of <c>[webhook id, take, retries only]</c>.</summary>
    private static string GrantsJson(List<WebhookClaim> grants, Func<WebhookClaim, string> id) =>
        JsonSerializer.Serialize(grants.Select(g => new object[] { id(g), g.Take, g.RetriesOnly ? 1 : 0 }));

    /// <summary>Moves each looked-at webhook's due marker and next start slot as the claim decided.</summary>
    private async Task SettleAsync(
        DatabaseWriter writer, DbTransaction transaction, List<(Guid Id, DateTimeOffset? NextStartAt, DateTimeOffset? NotBefore, bool WaitsForRoom)> settled,
        CancellationToken cancellationToken)
    {
        if (settled.Count == 0)
        {
            return;
        }

        switch (database.Dialect)
        {
            case SqlDialect.Sqlite:
                foreach (var (id, nextStartAt, notBefore, waitsForRoom) in settled)
                {
                    await writer.Command(Sqlite.Settle, transaction, "@NextStartAt", "@WaitsForRoom", "@NotBefore", "@Id")
                        .Bind(nextStartAt, waitsForRoom ? 1 : 0, notBefore, id).ExecuteNonQueryAsync(cancellationToken);
                }

                break;
            case SqlDialect.PostgreSql:
                await Execute(writer.Connection, transaction, PostgreSql.Settle, new
                {
                    Ids = settled.Select(s => s.Id).ToArray(),
                    NextStartAts = settled.Select(s => s.NextStartAt?.ToUniversalTime()).ToArray(),
                    NotBefores = settled.Select(s => s.NotBefore?.ToUniversalTime()).ToArray(),
                    WaitsForRoom = settled.Select(s => (short)(s.WaitsForRoom ? 1 : 0)).ToArray(),
                }, cancellationToken);
                break;
            default:
                await Execute(writer.Connection, transaction, SqlServer.Settle, new
                {
                    Settled = JsonSerializer.Serialize(settled.Select(s => new
                    {
                        s.Id,
                        NextStartAt = s.NextStartAt?.ToUniversalTime().ToString("o", CultureInfo.InvariantCulture),
                        NotBefore = s.NotBefore?.ToUniversalTime().ToString("o", CultureInfo.InvariantCulture),
                        s.WaitsForRoom,
                    })),
                }, cancellationToken);
                break;
        }
    }
}
