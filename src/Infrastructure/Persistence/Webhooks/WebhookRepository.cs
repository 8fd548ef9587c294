using System.Collections.Concurrent;
using System.Data.Common;
using CleanWebhooks.Application.Common.Abstractions;
using CleanWebhooks.Application.Deliveries.AttemptDelivery;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Webhooks;
using CleanWebhooks.Infrastructure.Security;
using Dapper;

namespace CleanWebhooks.Infrastructure.Persistence.Webhooks;

/// <summary>Stores webhooks with their secrets encrypted; a redacted copy of the fixed authorization is kept for reads.</summary>
public sealed class WebhookRepository(Database database, ISecretProtector protector) : IWebhookRepository, IWebhookSource
{
    /// <summary>
    /// Webhooks as the dispatcher sends to them, decrypted, by id with their version (<c>updated_at</c>). Decrypting
    /// costs more than a query, and the claim already reads each webhook's version, so a webhook is read and decrypted
    /// again only when its version moved: a rotation, new limits or a delete on any node reaches every node's next
    /// claim. Bounded: past <see cref="MaxCached"/> webhooks the least recently used quarter is dropped.
    /// </summary>
    private readonly ConcurrentDictionary<Guid, CachedWebhook> _decrypted = new();

    /// <summary>Webhooks kept decrypted per process (a few KB each).</summary>
    internal const int DefaultMaxCached = 20_000;

    /// <summary>The bound of <see cref="_decrypted"/>; lower only in tests.</summary>
    internal int MaxCached { get; init; } = DefaultMaxCached;

    private long _uses;

    /// <summary>1 while one caller drops the least recently used webhooks: the others go on.</summary>
    private int _forgetting;

    private sealed class CachedWebhook(DateTimeOffset updatedAt, Webhook.Snapshot snapshot)
    {
        public DateTimeOffset UpdatedAt { get; } = updatedAt;

        public Webhook.Snapshot Snapshot { get; } = snapshot;

        public long LastUse { get; set; }
    }

    private const string InsertColumns = WebhookRow.Columns;

    private const string InsertValues =
        "@Id, @ClientId, @Name, @Type, @Method, @Headers, @HeaderAuth, @Url, @AuthorizationCipher, @AuthorizationRedacted, " +
        "@AuthorizationUrl, @AuthorizationMethod, @AuthorizationHeaders, @AuthorizationBodyCipher, " +
        "@SigningPublicKey, @PreviousSigningPublicKey, " +
        "@AuthorizationResponseTokenAttr, @SigningSecretCipher, @PreviousSigningSecretCipher, " +
        "@PreviousSigningSecretExpiresAt, @CreatedAt, @UpdatedAt, @DeletedAt";

    private static class Portable
    {
        public const string Insert = $"INSERT INTO webhooks ({InsertColumns}) VALUES ({InsertValues});";

        public const string Get =
            $"SELECT {WebhookRow.Columns}, {WebhookRow.HealthColumns}, {WebhookRow.LimitColumns} FROM webhooks WHERE id = @Id AND client_id = @ClientId AND deleted_at IS NULL;";

        public const string GetHealth =
            $"SELECT {WebhookRow.HealthColumns} FROM webhooks WHERE id = @Id AND client_id = @ClientId AND deleted_at IS NULL;";

        // Enabled, it is due at once: its held deliveries go out.
        public const string Enable =
            "UPDATE webhooks SET consecutive_failures = @ConsecutiveFailures, failing_since = @FailingSince, breaker_trips = @BreakerTrips, " +
            "paused_until = @PausedUntil, disabled_at = @DisabledAt, disabled_reason = @DisabledReason, due_at = @Now, waits_for_room = 0 " +
            "WHERE id = @Id AND client_id = @ClientId AND deleted_at IS NULL;";

        // New limits may free room for deliveries that waited: the claim looks at it at once.
        public const string SetLimits =
            "UPDATE webhooks SET max_in_flight = @MaxInFlight, max_per_second = @MaxPerSecond, updated_at = @Now, due_at = @Now, waits_for_room = 0 " +
            "WHERE id = @Id AND client_id = @ClientId AND deleted_at IS NULL;";

        public const string HeldDeliveriesDue =
            "UPDATE deliveries SET next_attempt_at = @Now WHERE webhook_id = @Id AND status = 'pending' AND (lease_until IS NULL OR lease_until < @Now);";

        // A row when the client exists; its webhook's columns are null when it has no active webhook of the type. The
        // health and limit columns are the webhook's alone (clients has none of those names). deleted_at stays in the
        // join's condition: it is what lets the join use the partial unique index on (client_id, type).
        public const string GetClientWebhookOfType =
            $"SELECT w.id AS webhook_id, w.updated_at, {WebhookRow.HealthColumns}, {WebhookRow.LimitColumns} FROM clients c " +
            "LEFT JOIN webhooks w ON w.client_id = c.id AND w.type = @Type AND w.deleted_at IS NULL WHERE c.id = @ClientId;";

        // Due at once as well: a delivery an intake was writing meanwhile is cancelled by the next claim.
        public const string Delete =
            "UPDATE webhooks SET deleted_at = @DeletedAt, updated_at = @DeletedAt, due_at = @DeletedAt, waits_for_room = 0 " +
            "WHERE id = @Id AND client_id = @ClientId AND deleted_at IS NULL;";

        public const string UpdateSecrets =
            "UPDATE webhooks SET signing_secret_cipher = @SigningSecretCipher, previous_signing_secret_cipher = @PreviousSigningSecretCipher, " +
            "previous_signing_secret_expires_at = @PreviousSigningSecretExpiresAt, signing_public_key = @SigningPublicKey, " +
            "previous_signing_public_key = @PreviousSigningPublicKey, updated_at = @UpdatedAt WHERE id = @Id AND updated_at = @ReadUpdatedAt AND deleted_at IS NULL;";
    }

    /// <summary>
    /// A deleted webhook's pending deliveries, cancelled a small batch per transaction: a few thousand rows in one
    /// statement would escalate to a table lock on SQL Server and stop every node's claim. Rows a dispatcher or an
    /// intake holds at that moment are skipped; the dispatcher cancels a delivery of a deleted webhook when it claims it.
    /// </summary>
    private static class Sqlite
    {
        // The ids travel as one JSON array, so that the statement's text, and its compiled form, is the same whatever their number.
        public const string GetForDelivery =
            $"SELECT {WebhookRow.Columns}, {WebhookRow.HealthColumns}, {WebhookRow.LimitColumns} FROM webhooks WHERE id IN (SELECT value FROM json_each(@Ids));";

        public const string CancelPendingDeliveries =
            "UPDATE deliveries SET status = 'cancelled', next_attempt_at = NULL, locked_by = NULL, lease_until = NULL " +
            "WHERE id IN (SELECT id FROM deliveries WHERE webhook_id = @Id AND status = 'pending' LIMIT @Batch);";
    }

    private static class SqlServer
    {
        public const string GetForDelivery = $"SELECT {WebhookRow.Columns}, {WebhookRow.HealthColumns}, {WebhookRow.LimitColumns} FROM dbo.webhooks WHERE id IN @Ids;";

        public const string CancelPendingDeliveries =
            "UPDATE TOP (@Batch) dbo.deliveries WITH (READPAST, ROWLOCK) SET status = 'cancelled', next_attempt_at = NULL, locked_by = NULL, lease_until = NULL " +
            "WHERE webhook_id = @Id AND status = 'pending';";
    }

    private static class PostgreSql
    {
        public const string GetForDelivery = $"SELECT {WebhookRow.Columns}, {WebhookRow.HealthColumns}, {WebhookRow.LimitColumns} FROM webhooks WHERE id = ANY(@Ids);";

        public const string CancelPendingDeliveries =
            "UPDATE deliveries SET status = 'cancelled', next_attempt_at = NULL, locked_by = NULL, lease_until = NULL " +
            "WHERE id IN (SELECT id FROM deliveries WHERE webhook_id = @Id AND status = 'pending' LIMIT @Batch FOR UPDATE SKIP LOCKED);";
    }

    /// <summary>Pending deliveries cancelled per transaction when a webhook is deleted (well under SQL Server's lock escalation at 5,000).</summary>
    internal const int CancelBatch = 500;

    public async Task<bool> AddAsync(Webhook webhook, CancellationToken cancellationToken)
    {
        await using var writer = await database.OpenWriterAsync(cancellationToken);
        var connection = writer.Connection;
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                database.Sql(Portable.Insert), ToRow(webhook), cancellationToken: cancellationToken));
            return true;
        }
        catch (DbException e) when (Database.IsUniqueViolation(e))
        {
            return false;
        }
    }

    public async Task<Webhook?> GetAsync(ClientId clientId, WebhookId id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<WebhookRow>(new CommandDefinition(
            database.Sql(Portable.Get), new { Id = id.Value, ClientId = clientId.Value }, cancellationToken: cancellationToken));
        return row is null ? null : ToEntity(row);
    }

    public async Task<ClientWebhookOfType?> GetClientWebhookOfTypeAsync(ClientId clientId, WebhookType type, CancellationToken cancellationToken)
    {
        // Read by every intake request: its statement stays compiled. One active webhook per client and type (a unique index).
        var row = await database.QueryFirstPreparedAsync<ClientWebhookOfTypeRow>(
            Portable.GetClientWebhookOfType, [new("@ClientId", clientId.Value), new("@Type", (int)type)], cancellationToken);
        return row is null
            ? null
            : new ClientWebhookOfType(row.WebhookId is { } id ? new WebhookVersion(new WebhookId(id), row.UpdatedAt, row.Health(), row.Limits()) : null);
    }

    /// <summary>A client's webhook's version, health and limits, what the intake reads of it; no webhook id when it has none.</summary>
    private sealed class ClientWebhookOfTypeRow : StoredHealthRow
    {
        public Guid? WebhookId { get; init; }

        public DateTimeOffset UpdatedAt { get; init; }

        public int? MaxInFlight { get; init; }

        public int? MaxPerSecond { get; init; }

        public WebhookLimits Limits() => WebhookLimits.Restore(MaxInFlight, MaxPerSecond);
    }

    public async Task<bool> DeleteAsync(ClientId clientId, WebhookId id, DateTimeOffset deletedAt, CancellationToken cancellationToken)
    {
        var parameters = new { Id = id.Value, ClientId = clientId.Value, DeletedAt = deletedAt, Batch = CancelBatch };

        // The soft delete commits on its own first: from then on no intake creates a delivery for the webhook and
        // the dispatcher cancels what it claims of it, so the cancel below need not hold anything while it runs.
        if (await ExecuteRetryingDeadlockAsync(database.Sql(Portable.Delete), parameters, cancellationToken) == 0)
        {
            return false;
        }

        var cancel = database.Sql(Sqlite.CancelPendingDeliveries, SqlServer.CancelPendingDeliveries, PostgreSql.CancelPendingDeliveries);
        while (await ExecuteRetryingDeadlockAsync(cancel, parameters, cancellationToken) == CancelBatch)
        {
        }

        return true;
    }

    public async Task<WebhookHealth?> GetHealthAsync(ClientId clientId, WebhookId id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<WebhookRow>(new CommandDefinition(
            database.Sql(Portable.GetHealth), new { Id = id.Value, ClientId = clientId.Value }, cancellationToken: cancellationToken));
        return row?.Health();
    }

    public async Task<bool> EnableAsync(ClientId clientId, WebhookId id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var health = WebhookHealth.Enabled();
        await using var writer = await database.OpenWriterAsync(cancellationToken);
        var connection = writer.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await connection.ExecuteAsync(new CommandDefinition(
            database.Sql(Portable.Enable),
            new
            {
                Id = id.Value,
                ClientId = clientId.Value,
                health.ConsecutiveFailures,
                health.FailingSince,
                health.BreakerTrips,
                health.PausedUntil,
                health.DisabledAt,
                health.DisabledReason,
                Now = now,
            },
            transaction,
            cancellationToken: cancellationToken)) == 0)
        {
            return false;
        }

        await connection.ExecuteAsync(new CommandDefinition(
            database.Sql(Portable.HeldDeliveriesDue), new { Id = id.Value, Now = now }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<IReadOnlyDictionary<WebhookId, WebhookForDelivery>> GetForDeliveryAsync(
        IReadOnlyCollection<WebhookVersion> webhooks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(webhooks);
        var found = new Dictionary<WebhookId, WebhookForDelivery>(webhooks.Count);
        var use = Interlocked.Increment(ref _uses);
        var stale = new List<WebhookVersion>();
        foreach (var version in webhooks)
        {
            if (_decrypted.TryGetValue(version.Id.Value, out var cached) && cached.UpdatedAt == version.UpdatedAt)
            {
                cached.LastUse = use;
                found[version.Id] = Ready(cached.Snapshot, version);
            }
            else
            {
                stale.Add(version);
            }
        }

        if (stale.Count > 0)
        {
            var versions = stale.ToDictionary(v => v.Id.Value);
            foreach (var row in await ReadForDeliveryAsync(versions.Keys, cancellationToken))
            {
                if (row.DeletedAt is not null)
                {
                    continue;
                }

                try
                {
                    var snapshot = ToSnapshot(row);
                    _decrypted[row.Id] = new CachedWebhook(row.UpdatedAt, snapshot) { LastUse = use };
                    found[new WebhookId(row.Id)] = Ready(snapshot, versions[row.Id] with { UpdatedAt = row.UpdatedAt });
                }
                catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or FormatException or System.Text.Json.JsonException)
                {
                    found[new WebhookId(row.Id)] = new WebhookForDelivery(null, true);
                }
            }

            if (_decrypted.Count > MaxCached && Interlocked.CompareExchange(ref _forgetting, 1, 0) == 0)
            {
                try
                {
                    ForgetLeastRecentlyUsed();
                }
                finally
                {
                    Volatile.Write(ref _forgetting, 0);
                }
            }
        }

        foreach (var version in webhooks.Where(v => !found.ContainsKey(v.Id)))
        {
            found[version.Id] = WebhookForDelivery.Gone;
        }

        return found;

        // The health and limits change without a new version: always the claim's, never the cache's.
        static WebhookForDelivery Ready(Webhook.Snapshot snapshot, WebhookVersion version) =>
            new(Webhook.Restore(snapshot with { Health = version.Health, Limits = version.Limits }), false);
    }

    private async Task<IEnumerable<WebhookRow>> ReadForDeliveryAsync(IEnumerable<Guid> ids, CancellationToken cancellationToken)
    {
        if (database.Dialect == SqlDialect.Sqlite)
        {
            // Once per claim that meets a new version: its statement stays compiled on the kept read connections.
            return await database.QueryPreparedAsync<WebhookRow>(
                Sqlite.GetForDelivery, [new("@Ids", DapperSetup.SqliteIdArray(ids))], cancellationToken);
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<WebhookRow>(new CommandDefinition(
            database.ServerSql(SqlServer.GetForDelivery, PostgreSql.GetForDelivery), new { Ids = ids.ToList() },
            cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>
    /// Drops the least recently used quarter. It sorts a snapshot (<see cref="ConcurrentDictionary{TKey,TValue}.ToArray"/>
    /// copies under the dictionary's locks): LINQ's own copy of a dictionary that other callers change meanwhile throws,
    /// or yields empty entries, and that failed the hand-off that happened to cross the bound.
    /// </summary>
    private void ForgetLeastRecentlyUsed()
    {
        var entries = _decrypted.ToArray();
        var oldest = entries.OrderBy(e => e.Value.LastUse).Take(entries.Length / 4).Select(e => e.Key).ToList();
        foreach (var id in oldest)
        {
            _decrypted.TryRemove(id, out _);
        }
    }

    /// <summary>One statement in its own transaction, run again when the server chose it as a deadlock victim (safe: it is idempotent).</summary>
    private async Task<int> ExecuteRetryingDeadlockAsync(string sql, object parameters, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var writer = await database.OpenWriterAsync(cancellationToken);
                return await writer.Connection.ExecuteAsync(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken));
            }
            catch (DbException e) when (Database.IsDeadlock(e) && attempt < 3)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20 * attempt), cancellationToken);
            }
        }
    }

    public async Task<bool> SetLimitsAsync(ClientId clientId, WebhookId id, WebhookLimits limits, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(limits);
        await using var writer = await database.OpenWriterAsync(cancellationToken);
        return await writer.Connection.ExecuteAsync(new CommandDefinition(
            database.Sql(Portable.SetLimits),
            new { Id = id.Value, ClientId = clientId.Value, limits.MaxInFlight, limits.MaxPerSecond, Now = now },
            cancellationToken: cancellationToken)) == 1;
    }

    public async Task<bool> UpdateSecretsAsync(Webhook webhook, DateTimeOffset readUpdatedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        var row = ToRow(webhook);
        await using var writer = await database.OpenWriterAsync(cancellationToken);
        return await writer.Connection.ExecuteAsync(new CommandDefinition(
            database.Sql(Portable.UpdateSecrets),
            new
            {
                row.Id,
                row.SigningSecretCipher,
                row.PreviousSigningSecretCipher,
                row.PreviousSigningSecretExpiresAt,
                row.SigningPublicKey,
                row.PreviousSigningPublicKey,
                row.UpdatedAt,
                ReadUpdatedAt = readUpdatedAt,
            },
            cancellationToken: cancellationToken)) == 1;
    }

    private WebhookRow ToRow(Webhook w) => new()
    {
        Id = w.Id.Value,
        ClientId = w.ClientId.Value,
        Name = w.Name,
        Type = (int)w.Type,
        Method = w.Method,
        Headers = WebhookRow.WriteHeaders(w.Headers),
        HeaderAuth = w.HeaderAuth,
        Url = w.Url,
        AuthorizationCipher = Protect(w.Authorization),
        AuthorizationRedacted = w.RedactedAuthorization,
        AuthorizationUrl = w.AuthorizationUrl,
        AuthorizationMethod = w.AuthorizationMethod,
        AuthorizationHeaders = w.AuthorizationHeaders is null ? null : WebhookRow.WriteHeaders(w.AuthorizationHeaders),
        AuthorizationBodyCipher = Protect(w.AuthorizationBody),
        AuthorizationResponseTokenAttr = w.AuthorizationResponseTokenAttr,
        SigningSecretCipher = protector.Protect(w.SigningSecret),
        PreviousSigningSecretCipher = Protect(w.PreviousSigningSecret),
        PreviousSigningSecretExpiresAt = w.PreviousSigningSecretExpiresAt,
        SigningPublicKey = Ed25519Keys.PublicKey(w.SigningSecret),
        PreviousSigningPublicKey = w.PreviousSigningSecret is { } previous ? Ed25519Keys.PublicKey(previous) : null,
        CreatedAt = w.CreatedAt,
        UpdatedAt = w.UpdatedAt,
        DeletedAt = w.DeletedAt,
    };

    private Webhook ToEntity(WebhookRow r) => Webhook.Restore(ToSnapshot(r));

    private Webhook.Snapshot ToSnapshot(WebhookRow r) => new(
        new WebhookId(r.Id), new ClientId(r.ClientId), r.Name, (WebhookType)r.Type, r.Method, WebhookRow.ReadHeaders(r.Headers),
        r.HeaderAuth, r.Url, Unprotect(r.AuthorizationCipher), r.AuthorizationUrl, r.AuthorizationMethod,
        r.AuthorizationHeaders is null ? null : WebhookRow.ReadHeaders(r.AuthorizationHeaders), Unprotect(r.AuthorizationBodyCipher),
        r.AuthorizationResponseTokenAttr, protector.Unprotect(r.SigningSecretCipher), Unprotect(r.PreviousSigningSecretCipher),
        r.PreviousSigningSecretExpiresAt, r.CreatedAt, r.UpdatedAt, r.DeletedAt, r.Health(), r.Limits());

    private string? Protect(string? value) => value is null ? null : protector.Protect(value);

    private string? Unprotect(string? value) => value is null ? null : protector.Unprotect(value);
}
