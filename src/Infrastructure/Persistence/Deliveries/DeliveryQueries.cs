using System.Globalization;
using CleanWebhooks.Application.Deliveries;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;
using Dapper;

namespace CleanWebhooks.Infrastructure.Persistence.Deliveries;

/// <summary>Reads a client's deliveries; the join on the client's webhook keeps other clients' deliveries out.</summary>
public sealed class DeliveryQueries(Database database, TimeProvider clock) : IDeliveryQueries
{
    private const string Columns =
        "d.id, d.webhook_id, d.event_id, e.document_id, e.type, d.status, d.attempt_count, d.next_attempt_at, d.last_attempt_at, " +
        "d.last_status_code, d.created_at, d.lease_until";

    private const string From =
        "FROM deliveries d JOIN events e ON e.id = d.event_id JOIN webhooks w ON w.id = d.webhook_id";

    private const string AttemptOutcomes =
        "SUM(CASE WHEN a.status_code BETWEEN 200 AND 299 THEN 1 ELSE 0 END) AS succeeded, " +
        "SUM(CASE WHEN a.status_code BETWEEN 200 AND 299 THEN 0 ELSE 1 END) AS failed";

    // last_attempt_at narrows the deliveries first: a delivery with a recent attempt was attempted recently.
    private const string RecentAttempts =
        "WHERE w.client_id = @ClientId AND w.deleted_at IS NULL AND d.last_attempt_at >= @Since AND a.started_at >= @Since";

    private const string SqlServerFrom =
        "FROM dbo.deliveries d JOIN dbo.events e ON e.id = d.event_id JOIN dbo.webhooks w ON w.id = d.webhook_id";

    private const string Mine = "WHERE d.webhook_id = @WebhookId AND w.client_id = @ClientId AND w.deleted_at IS NULL";

    private const string WithStatus = " AND d.status = @Status";

    // ix_deliveries_webhook_status leaves succeeded deliveries out on SQLite and PostgreSQL (migration 0009), and SQLite
    // uses it only for a statement that names its condition; the list of succeeded ones walks ix_deliveries_webhook
    // instead. SQL Server keeps its full index, so the plain text serves every status there.
    private const string NotSucceeded = " AND d.status <> 'succeeded'";

    private const string After = " AND (d.created_at < @AfterCreatedAt OR (d.created_at = @AfterCreatedAt AND d.id < @AfterId))";

    private const string NewestFirst = " ORDER BY d.created_at DESC, d.id DESC";

    // A document's deliveries: the client's events of that document (ix_events_client_document), then their deliveries
    // (ix_deliveries_event_id). A document has a handful of them, so the status and the cursor filter those few rows
    // (one statement for every shape) and the sort is of those few, however many deliveries the webhook has.
    private const string OfDocument =
        "e.client_id = @ClientId AND e.document_id = @DocumentId AND w.client_id = @ClientId AND w.deleted_at IS NULL " +
        "AND (@Status IS NULL OR d.status = @Status) " +
        "AND (@AfterCreatedAt IS NULL OR d.created_at < @AfterCreatedAt OR (d.created_at = @AfterCreatedAt AND d.id < @AfterId))";

    private const string OfWebhook = " AND d.webhook_id = @WebhookId";

    private const string FromDocument = "FROM events e JOIN deliveries d ON d.event_id = e.id JOIN webhooks w ON w.id = d.webhook_id WHERE";

    private const string SqlServerFromDocument =
        "FROM dbo.events e JOIN dbo.deliveries d ON d.event_id = e.id JOIN dbo.webhooks w ON w.id = d.webhook_id WHERE";

    // CROSS JOIN fixes SQLite's join order: without statistics it would rather walk the webhook's deliveries newest
    // first (ix_deliveries_webhook) to spare the sort, which reads every one of them for a document it never had.
    private const string SqliteFromDocument =
        "FROM events e CROSS JOIN deliveries d CROSS JOIN webhooks w WHERE d.event_id = e.id AND w.id = d.webhook_id AND";

    private static class Portable
    {
        public const string Get =
            $"SELECT {Columns} {From} WHERE d.id = @Id AND d.webhook_id = @WebhookId AND w.client_id = @ClientId AND w.deleted_at IS NULL;";

        public const string GetAttempts =
            "SELECT number, started_at, duration_ms, status_code, error, response_excerpt FROM delivery_attempts WHERE delivery_id = @Id ORDER BY number;";
    }

    // Paging is where the engines differ (LIMIT or TOP). Each shape of the list (with or without a status, first page
    // or after a cursor) is a statement of its own, so that each can seek an index; one catch-all statement with
    // "@x IS NULL OR" predicates gets one plan for all four shapes and scans.
    private static class Sqlite
    {
        public const string List = $"SELECT {Columns} {From} {Mine}{NewestFirst} LIMIT @Take;";

        public const string ListByStatus = $"SELECT {Columns} {From} {Mine}{WithStatus}{NewestFirst} LIMIT @Take;";

        public const string ListByStatusNotSucceeded = $"SELECT {Columns} {From} {Mine}{WithStatus}{NotSucceeded}{NewestFirst} LIMIT @Take;";

        public const string ListAfter = $"SELECT {Columns} {From} {Mine}{After}{NewestFirst} LIMIT @Take;";

        public const string ListByStatusAfter = $"SELECT {Columns} {From} {Mine}{WithStatus}{After}{NewestFirst} LIMIT @Take;";

        public const string ListByStatusNotSucceededAfter = $"SELECT {Columns} {From} {Mine}{WithStatus}{NotSucceeded}{After}{NewestFirst} LIMIT @Take;";

        public const string ListOfDocument = $"SELECT {Columns} {SqliteFromDocument} {OfDocument}{OfWebhook}{NewestFirst} LIMIT @Take;";

        public const string ListOfDocumentAcrossWebhooks = $"SELECT {Columns} {SqliteFromDocument} {OfDocument}{NewestFirst} LIMIT @Take;";

        // Timestamps are fixed-width UTC text, so the first 13 characters are the hour: 2026-11-29T08.
        public const string CountAttemptsByHour =
            $"SELECT d.webhook_id, substr(a.started_at, 1, 13) AS hour, {AttemptOutcomes} " +
            "FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id JOIN webhooks w ON w.id = d.webhook_id " +
            $"{RecentAttempts} GROUP BY d.webhook_id, substr(a.started_at, 1, 13);";
    }

    private static class SqlServer
    {
        public const string List = $"SELECT TOP (@Take) {Columns} {SqlServerFrom} {Mine}{NewestFirst};";

        public const string ListByStatus = $"SELECT TOP (@Take) {Columns} {SqlServerFrom} {Mine}{WithStatus}{NewestFirst};";

        public const string ListAfter = $"SELECT TOP (@Take) {Columns} {SqlServerFrom} {Mine}{After}{NewestFirst};";

        public const string ListByStatusAfter = $"SELECT TOP (@Take) {Columns} {SqlServerFrom} {Mine}{WithStatus}{After}{NewestFirst};";

        public const string ListOfDocument = $"SELECT TOP (@Take) {Columns} {SqlServerFromDocument} {OfDocument}{OfWebhook}{NewestFirst};";

        public const string ListOfDocumentAcrossWebhooks = $"SELECT TOP (@Take) {Columns} {SqlServerFromDocument} {OfDocument}{NewestFirst};";

        // Style 126 is ISO 8601; its first 13 characters are the hour. Attempts are stored in UTC.
        public const string CountAttemptsByHour =
            $"SELECT d.webhook_id, CONVERT(char(13), a.started_at, 126) AS hour, {AttemptOutcomes} " +
            "FROM dbo.delivery_attempts a JOIN dbo.deliveries d ON d.id = a.delivery_id JOIN dbo.webhooks w ON w.id = d.webhook_id " +
            $"{RecentAttempts} GROUP BY d.webhook_id, CONVERT(char(13), a.started_at, 126);";
    }

    /// <summary>LIMIT, as on SQLite.</summary>
    private static class PostgreSql
    {
        public const string List = Sqlite.List;

        public const string ListByStatus = Sqlite.ListByStatus;

        public const string ListAfter = Sqlite.ListAfter;

        public const string ListByStatusAfter = Sqlite.ListByStatusAfter;

        public const string ListByStatusNotSucceeded = Sqlite.ListByStatusNotSucceeded;

        public const string ListByStatusNotSucceededAfter = Sqlite.ListByStatusNotSucceededAfter;

        // The planner has statistics here: the document's few events are the obvious way in.
        public const string ListOfDocument = $"SELECT {Columns} {FromDocument} {OfDocument}{OfWebhook}{NewestFirst} LIMIT @Take;";

        public const string ListOfDocumentAcrossWebhooks = $"SELECT {Columns} {FromDocument} {OfDocument}{NewestFirst} LIMIT @Take;";

        public const string CountAttemptsByHour =
            $"SELECT d.webhook_id, to_char(a.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24') AS hour, {AttemptOutcomes} " +
            "FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id JOIN webhooks w ON w.id = d.webhook_id " +
            $"{RecentAttempts} GROUP BY 1, 2;";
    }

    public Task<DeliveryPage> ListAsync(
        ClientId clientId, WebhookId webhookId, DeliveryFilter filter, int limit, DeliveryCursor? after, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return PageAsync(ListStatement(filter, after is not null), clientId, webhookId.Value, filter, limit, after, cancellationToken);
    }

    /// <summary>The statement of a webhook's list: its shape (a document, a status, a cursor) picks the index it seeks.</summary>
    internal string ListStatement(DeliveryFilter filter, bool after) => (filter.DocumentId, filter.Status, after) switch
    {
        (not null, _, _) => database.Sql(Sqlite.ListOfDocument, SqlServer.ListOfDocument, PostgreSql.ListOfDocument),
        (null, null, false) => database.Sql(Sqlite.List, SqlServer.List, PostgreSql.List),
        (null, null, true) => database.Sql(Sqlite.ListAfter, SqlServer.ListAfter, PostgreSql.ListAfter),
        (null, DeliveryStatus.Succeeded, false) => database.Sql(Sqlite.ListByStatus, SqlServer.ListByStatus, PostgreSql.ListByStatus),
        (null, DeliveryStatus.Succeeded, true) => database.Sql(Sqlite.ListByStatusAfter, SqlServer.ListByStatusAfter, PostgreSql.ListByStatusAfter),
        (null, not null, false) => database.Sql(Sqlite.ListByStatusNotSucceeded, SqlServer.ListByStatus, PostgreSql.ListByStatusNotSucceeded),
        (null, not null, true) => database.Sql(Sqlite.ListByStatusNotSucceededAfter, SqlServer.ListByStatusAfter, PostgreSql.ListByStatusNotSucceededAfter),
    };

    public Task<DeliveryPage> ListOfDocumentAsync(ClientId clientId, string documentId, int limit, DeliveryCursor? after, CancellationToken cancellationToken) =>
        PageAsync(
            database.Sql(Sqlite.ListOfDocumentAcrossWebhooks, SqlServer.ListOfDocumentAcrossWebhooks, PostgreSql.ListOfDocumentAcrossWebhooks),
            clientId, null, new DeliveryFilter(null, documentId), limit, after, cancellationToken);

    private async Task<DeliveryPage> PageAsync(
        string sql, ClientId clientId, Guid? webhookId, DeliveryFilter filter, int limit, DeliveryCursor? after, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = (await connection.QueryAsync<DeliveryRow>(new CommandDefinition(
            sql,
            new
            {
                WebhookId = webhookId,
                ClientId = clientId.Value,
                Status = filter.Status?.ToText(),
                filter.DocumentId,
                AfterCreatedAt = after?.CreatedAt,
                AfterId = after?.Id,
                Take = limit + 1,
            },
            cancellationToken: cancellationToken))).AsList();

        var now = clock.GetUtcNow();
        var items = rows.Take(limit).Select(r => r.ToResponse(now)).ToList();
        var next = rows.Count > limit ? new DeliveryCursor(rows[limit - 1].CreatedAt, rows[limit - 1].Id).Encode() : null;
        return new DeliveryPage(items, next);
    }

    public async Task<DeliveryDetailsResponse?> GetAsync(ClientId clientId, WebhookId webhookId, DeliveryId id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var parameters = new { Id = id.Value, WebhookId = webhookId.Value, ClientId = clientId.Value };
        var row = await connection.QuerySingleOrDefaultAsync<DeliveryRow>(new CommandDefinition(
            database.Sql(Portable.Get), parameters, cancellationToken: cancellationToken));
        if (row is null)
        {
            return null;
        }

        var attempts = await connection.QueryAsync<AttemptRow>(new CommandDefinition(
            database.Sql(Portable.GetAttempts), parameters, cancellationToken: cancellationToken));
        return new DeliveryDetailsResponse(
            row.Id, row.WebhookId, row.EventId, row.DocumentId, row.Type, row.Status, row.AttemptCount, row.NextAttemptAt,
            row.LastAttemptAt, row.LastStatusCode, row.CreatedAt, row.InFlightAt(clock.GetUtcNow()),
            [.. attempts.Select(a => new DeliveryAttemptResponse(a.Number, a.StartedAt, a.DurationMs, a.StatusCode, a.Error, a.ResponseExcerpt))]);
    }

    public async Task<IReadOnlyList<AttemptCount>> CountAttemptsByHourAsync(ClientId clientId, DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<HourRow>(new CommandDefinition(
            database.Sql(Sqlite.CountAttemptsByHour, SqlServer.CountAttemptsByHour, PostgreSql.CountAttemptsByHour),
            new { ClientId = clientId.Value, Since = since },
            cancellationToken: cancellationToken));
        return
        [
            .. rows.Select(r => new AttemptCount(
                r.WebhookId,
                DateTimeOffset.ParseExact(r.Hour, "yyyy-MM-dd'T'HH", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                r.Succeeded,
                r.Failed)),
        ];
    }

    private sealed class DeliveryRow
    {
        public Guid Id { get; init; }

        public Guid WebhookId { get; init; }

        public Guid EventId { get; init; }

        public string DocumentId { get; init; } = "";

        public int Type { get; init; }

        public string Status { get; init; } = "";

        public int AttemptCount { get; init; }

        public DateTimeOffset? NextAttemptAt { get; init; }

        public DateTimeOffset? LastAttemptAt { get; init; }

        public int? LastStatusCode { get; init; }

        public DateTimeOffset CreatedAt { get; init; }

        public DateTimeOffset? LeaseUntil { get; init; }

        /// <summary>Pending and leased to a dispatcher: an attempt is being made (as <see cref="Domain.Deliveries.Delivery.IsInFlightAt"/>).</summary>
        public bool InFlightAt(DateTimeOffset now) => Status == "pending" && LeaseUntil > now;

        public DeliveryResponse ToResponse(DateTimeOffset now) => new(
            Id, WebhookId, EventId, DocumentId, Type, Status, AttemptCount, NextAttemptAt, LastAttemptAt, LastStatusCode, CreatedAt, InFlightAt(now));
    }

    private sealed class AttemptRow
    {
        public int Number { get; init; }

        public DateTimeOffset StartedAt { get; init; }

        public int DurationMs { get; init; }

        public int? StatusCode { get; init; }

        public string? Error { get; init; }

        public string? ResponseExcerpt { get; init; }
    }

    private sealed class HourRow
    {
        public Guid WebhookId { get; init; }

        public string Hour { get; init; } = "";

        public int Succeeded { get; init; }

        public int Failed { get; init; }
    }
}
