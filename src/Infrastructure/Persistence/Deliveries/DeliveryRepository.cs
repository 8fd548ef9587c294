using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;
using CleanWebhooks.Infrastructure.Persistence.Webhooks;
using CleanWebhooks.Infrastructure.Telemetry;
using Dapper;

namespace CleanWebhooks.Infrastructure.Persistence.Deliveries;

/// <summary>
/// What operators and integrators do to deliveries already stored: a delivery's state, a manual retry, a test event,
/// a recovery. New events and their deliveries are the intake's (<see cref="IntakeWriter"/>).
/// </summary>
public sealed class DeliveryRepository(Database database) : IDeliveryRepository
{
    private readonly Database _database = database;

    private static class Portable
    {
        // makes deliveries due
        public const string MakeDueNow =
            "UPDATE deliveries SET status = 'pending', next_attempt_at = @Now, retry_requested = 1 WHERE id = @Id AND webhook_id = @WebhookId " +
            "AND status <> 'cancelled' AND (lease_until IS NULL OR lease_until < @Now) " +
            "AND NOT EXISTS (SELECT 1 FROM webhooks w WHERE w.id = @WebhookId AND w.disabled_at IS NOT NULL);";

        public const string Get =
            "SELECT id, webhook_id, status, attempt_count, next_attempt_at, retry_requested, lease_until FROM deliveries WHERE id = @Id AND webhook_id = @WebhookId;";

        public const string Exists = "SELECT COUNT(*) FROM deliveries WHERE id = @Id AND webhook_id = @WebhookId AND status <> 'cancelled';";

        public const string InsertTestEvent =
            "INSERT INTO events (id, client_id, document_id, type, data, occurred_at, trace_parent, is_test) " +
            "VALUES (@EventId, @ClientId, @DocumentId, @Type, NULL, @OccurredAt, @TraceParent, 1);";

        // makes deliveries due: a test delivery goes at once, ahead of the breaker (retry_requested), as a manual retry does.
        public const string InsertTestDelivery =
            "INSERT INTO deliveries (id, webhook_id, event_id, status, attempt_count, next_attempt_at, retry_requested, created_at) " +
            "VALUES (@Id, @WebhookId, @EventId, 'pending', 0, @CreatedAt, 1, @CreatedAt);";

        // ix_deliveries_webhook_status (webhook_id, status, created_at, id): a range of one index, however many there are.
        // On SQLite and PostgreSQL that index leaves succeeded deliveries out; SQLite uses it only where its condition is named.
        public const string CountRecoverable =
            "SELECT COUNT(*) FROM deliveries WHERE webhook_id = @WebhookId AND status = 'failed' AND status <> 'succeeded' AND created_at >= @Since AND created_at < @Until;";
    }

    /// <summary>
    /// Delivery.Recover, a batch at a time: the webhook's failed deliveries created in [since, until), oldest first,
    /// after the last one recovered (a range of ix_deliveries_webhook_status, since the recovered ones leave 'failed').
    /// Not a manual retry (retry_requested stays 0): the claim sends them within the webhook's window and limits, and
    /// not while its breaker holds it. Nothing while the webhook is disabled.
    /// </summary>
    private static class Sqlite
    {
        // makes deliveries due
        public const string Recover =
            """
            UPDATE deliveries SET status = 'pending', next_attempt_at = @Now, retry_requested = 0
            WHERE id IN (
                SELECT id FROM deliveries
                WHERE webhook_id = @WebhookId AND status = 'failed' AND status <> 'succeeded' AND created_at >= @AfterCreatedAt AND created_at < @Until
                    AND (created_at > @AfterCreatedAt OR id > @AfterId)
                ORDER BY created_at, id LIMIT @Batch)
            AND status = 'failed'
            AND NOT EXISTS (SELECT 1 FROM webhooks w WHERE w.id = @WebhookId AND w.disabled_at IS NOT NULL)
            RETURNING id, created_at;
            """;
    }

    private static class SqlServer
    {
        // makes deliveries due (see Sqlite.Recover). ROWLOCK without READPAST: a row another statement holds is waited
        // for, not skipped, so that the recovery leaves none behind.
        public const string Recover =
            """
            WITH batch AS (
                SELECT TOP (@Batch) id, created_at, status, next_attempt_at, retry_requested
                FROM dbo.deliveries WITH (ROWLOCK)
                WHERE webhook_id = @WebhookId AND status = 'failed' AND created_at >= @AfterCreatedAt AND created_at < @Until
                    AND (created_at > @AfterCreatedAt OR id > @AfterId)
                    AND NOT EXISTS (SELECT 1 FROM dbo.webhooks w WHERE w.id = @WebhookId AND w.disabled_at IS NOT NULL)
                ORDER BY created_at, id)
            UPDATE batch SET status = 'pending', next_attempt_at = @Now, retry_requested = 0
            OUTPUT inserted.id, inserted.created_at;
            """;
    }

    private static class PostgreSql
    {
        // makes deliveries due (see Sqlite.Recover): the same statement; a row another statement holds is waited for,
        // and the outer condition is checked again once it is free.
        public const string Recover = Sqlite.Recover;
    }

    public async Task<Domain.Deliveries.Delivery?> GetAsync(WebhookId webhookId, DeliveryId id, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<DeliveryStateRow>(new CommandDefinition(
            _database.Sql(Portable.Get), new { Id = id.Value, WebhookId = webhookId.Value }, cancellationToken: cancellationToken));
        return row?.ToDelivery();
    }

    public async Task<bool?> MakeDueNowAsync(WebhookId webhookId, DeliveryId id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var writer = await _database.OpenWriterAsync(cancellationToken);
        var connection = writer.Connection;
        var parameters = new { Id = id.Value, WebhookId = webhookId.Value, Now = now };
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            if (await connection.ExecuteAsync(new CommandDefinition(_database.Sql(Portable.MakeDueNow), parameters, transaction, cancellationToken: cancellationToken)) == 1)
            {
                await connection.ExecuteAsync(new CommandDefinition(_database.Sql(WebhookDue.Portable.Now), parameters, transaction, cancellationToken: cancellationToken));
                await transaction.CommitAsync(cancellationToken);
                return true;
            }
        }

        var exists = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            _database.Sql(Portable.Exists), parameters, cancellationToken: cancellationToken));
        return exists == 1 ? null : false;
    }

    public async Task AddTestEventAsync(DocumentEvent testEvent, NewDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(testEvent);
        ArgumentNullException.ThrowIfNull(delivery);
        await using var writer = await _database.OpenWriterAsync(cancellationToken);
        var connection = writer.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var parameters = new
        {
            EventId = testEvent.Id.Value,
            ClientId = testEvent.ClientId.Value,
            testEvent.DocumentId,
            Type = (int)testEvent.Type,
            testEvent.OccurredAt,
            TraceParent = Tracing.CurrentTraceParent(),
            Id = delivery.Id.Value,
            WebhookId = delivery.WebhookId.Value,
            delivery.CreatedAt,
        };
        await connection.ExecuteAsync(new CommandDefinition(_database.Sql(Portable.InsertTestEvent), parameters, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(_database.Sql(Portable.InsertTestDelivery), parameters, transaction, cancellationToken: cancellationToken));

        // Like a manual retry, an operator's act: the claim looks at the webhook now, whatever it waited for.
        await connection.ExecuteAsync(new CommandDefinition(
            _database.Sql(WebhookDue.Portable.Now), new { WebhookId = delivery.WebhookId.Value, Now = delivery.CreatedAt }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<int> CountRecoverableAsync(WebhookId webhookId, RecoveryWindow window, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(window);
        await using var connection = await _database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            _database.Sql(Portable.CountRecoverable), new { WebhookId = webhookId.Value, window.Since, window.Until }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<RecoveredDelivery>> RecoverAsync(
        WebhookId webhookId, RecoveryWindow window, RecoveredDelivery? after, int batch, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(window);
        await using var writer = await _database.OpenWriterAsync(cancellationToken);
        await using var transaction = await writer.Connection.BeginTransactionAsync(cancellationToken);
        var rows = (await writer.Connection.QueryAsync<RecoveredRow>(new CommandDefinition(
            _database.Sql(Sqlite.Recover, SqlServer.Recover, PostgreSql.Recover),
            new
            {
                WebhookId = webhookId.Value,
                AfterCreatedAt = after?.CreatedAt ?? window.Since,
                AfterId = after?.Id.Value ?? Guid.Empty,
                window.Until,
                Batch = batch,
                Now = now,
            },
            transaction,
            cancellationToken: cancellationToken))).AsList();

        // New work for the claim, as an intake's: recovered deliveries wait for room and for an open breaker like any other.
        if (rows.Count > 0)
        {
            await writer.Connection.ExecuteAsync(new CommandDefinition(
                _database.Dialect == SqlDialect.PostgreSql ? WebhookDue.PostgreSql.NewWork : _database.Sql(WebhookDue.Portable.NewWork),
                _database.Dialect == SqlDialect.PostgreSql ? new { WebhookIds = new[] { webhookId.Value }, Now = now } : new { WebhookId = webhookId.Value, Now = now },
                transaction,
                cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);

        // RETURNING and OUTPUT promise no order: the next batch starts after the last in the statement's own order, and
        // SQL Server orders uniqueidentifiers its own way (SqlGuid's), where SQLite's text and PostgreSQL's uuid order as Guid does.
        IComparer<Guid> ids = _database.Dialect == SqlDialect.SqlServer
            ? Comparer<Guid>.Create((x, y) => new System.Data.SqlTypes.SqlGuid(x).CompareTo(new System.Data.SqlTypes.SqlGuid(y)))
            : Comparer<Guid>.Default;
        return [.. rows.Select(r => new RecoveredDelivery(new DeliveryId(r.Id), r.CreatedAt)).OrderBy(r => r.CreatedAt).ThenBy(r => r.Id.Value, ids)];
    }

    private sealed class RecoveredRow
    {
        public Guid Id { get; init; }

        public DateTimeOffset CreatedAt { get; init; }
    }

}

/// <summary>A <c>deliveries</c> row's state, as the <see cref="Delivery"/> aggregate needs it.</summary>
internal class DeliveryStateRow
{
    public Guid Id { get; init; }

    public Guid WebhookId { get; init; }

    public string Status { get; init; } = "";

    public int AttemptCount { get; init; }

    public DateTimeOffset? NextAttemptAt { get; init; }

    public bool RetryRequested { get; init; }

    public DateTimeOffset? LeaseUntil { get; init; }

    public Domain.Deliveries.Delivery ToDelivery() => Domain.Deliveries.Delivery.Restore(new Domain.Deliveries.Delivery.Snapshot(
        new DeliveryId(Id), new WebhookId(WebhookId), DeliveryStatuses.TryParse(Status, out var status) ? status : throw new FormatException($"Unknown delivery status '{Status}'."),
        AttemptCount, NextAttemptAt, RetryRequested, LeaseUntil));
}
