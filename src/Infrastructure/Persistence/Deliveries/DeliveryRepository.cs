using System.Data.Common;
using System.Threading.Channels;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Domain.Webhooks;
using CleanWebhooks.Infrastructure.Telemetry;
using Dapper;

namespace CleanWebhooks.Infrastructure.Persistence.Deliveries;

/// <summary>The intake side of the delivery queue: events and their deliveries, written together (the outbox).</summary>
public sealed class DeliveryRepository : IDeliveryRepository, IAsyncDisposable
{
    private const int MaxBatch = 256;

    private readonly Database _database;
    private readonly Channel<PendingIntake> _pending = Channel.CreateUnbounded<PendingIntake>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lazy<Task> _writer;

    public DeliveryRepository(Database database)
    {
        _database = database;
        _writer = new Lazy<Task>(() =>
        {
            // The loop serves every request: it must not run inside the first one's context (its trace above all).
            using (ExecutionContext.SuppressFlow())
            {
                return Task.Run(WriteLoopAsync);
            }
        });
    }

    private static class Sqlite
    {
        public const string InsertEvent =
            "INSERT INTO events (id, client_id, document_id, type, data, occurred_at, trace_parent) VALUES (@Id, @ClientId, @DocumentId, @Type, @Data, @OccurredAt, @TraceParent);";

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
            "UPDATE deliveries SET status = 'pending', next_attempt_at = @Now, retry_requested = 1 WHERE id = @Id AND webhook_id = @WebhookId " +
            "AND status <> 'cancelled' AND (lease_until IS NULL OR lease_until < @Now) " +
            "AND NOT EXISTS (SELECT 1 FROM webhooks w WHERE w.id = @WebhookId AND w.disabled_at IS NOT NULL);";

        public const string Get =
            "SELECT id, webhook_id, status, attempt_count, next_attempt_at, retry_requested, lease_until FROM deliveries WHERE id = @Id AND webhook_id = @WebhookId;";

        public const string Exists = "SELECT COUNT(*) FROM deliveries WHERE id = @Id AND webhook_id = @WebhookId AND status <> 'cancelled';";
    }

    private static class SqlServer
    {
        public const string InsertEvent =
            "INSERT INTO dbo.events (id, client_id, document_id, type, data, occurred_at, trace_parent) VALUES (@Id, @ClientId, @DocumentId, @Type, @Data, @OccurredAt, @TraceParent);";

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
            "UPDATE dbo.deliveries SET status = 'pending', next_attempt_at = @Now, retry_requested = 1 WHERE id = @Id AND webhook_id = @WebhookId " +
            "AND status <> 'cancelled' AND (lease_until IS NULL OR lease_until < @Now) " +
            "AND NOT EXISTS (SELECT 1 FROM dbo.webhooks w WHERE w.id = @WebhookId AND w.disabled_at IS NOT NULL);";

        public const string Get =
            "SELECT id, webhook_id, status, attempt_count, next_attempt_at, retry_requested, lease_until FROM dbo.deliveries WHERE id = @Id AND webhook_id = @WebhookId;";

        public const string Exists = "SELECT COUNT(*) FROM dbo.deliveries WHERE id = @Id AND webhook_id = @WebhookId AND status <> 'cancelled';";
    }

    /// <summary>
    /// Queues the event for the intake writer and waits for its commit. Events arriving together are committed
    /// together (group commit): one durable commit for many events, instead of one each.
    /// </summary>
    public Task<(IntakeReceipt Receipt, bool Created)> AddEventAsync(
        DocumentEvent documentEvent, NewDelivery? delivery, IdempotencyKey? idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(documentEvent);
        // Taken here, in the reporting request's flow: the writer loop below runs outside it.
        var pending = new PendingIntake(documentEvent, delivery, idempotencyKey, Tracing.CurrentTraceParent());
        _ = _writer.Value;
        if (!_pending.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(DeliveryRepository), "The intake writer has stopped.");
        }

        // A caller that stops waiting does not stop the write: once queued, the event is recorded.
        return pending.Done.Task.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        if (_writer.IsValueCreated)
        {
            await _writer.Value;
        }
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingIntake>(MaxBatch);
        while (await _pending.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && _pending.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            try
            {
                await WriteBatchAsync(batch);
            }
            catch (Exception e) when (StorageFaultClassifier.Classify(e))
            {
                // Disk full, locked, unreachable: nothing of the batch was committed, and writing the events one by
                // one would only meet the same fault once per event. Each caller is answered 503, none 202.
                foreach (var failed in batch)
                {
                    failed.Done.TrySetException(e);
                }
            }
            catch (Exception)
            {
                // One event spoiled the batch (on SQL Server: another node took the same idempotency key first).
                // Write the events one by one, so that each gets its own answer.
                foreach (var single in batch)
                {
                    await WriteAloneAsync(single);
                }
            }

            batch.Clear();
        }
    }

    private async Task WriteAloneAsync(PendingIntake single)
    {
        try
        {
            await WriteBatchAsync([single]);
        }
        catch (DbException e) when (single.Key is not null && Database.IsUniqueViolation(e))
        {
            // Another node committed the same key between our look-up and our insert: answer as it did.
            var since = single.Event.OccurredAt - IdempotencyKey.Window;
            try
            {
                var first = await FindReceiptAsync(single.Event.ClientId, single.Key, since, CancellationToken.None);
                if (first is null)
                {
                    single.Done.TrySetException(e);
                }
                else
                {
                    single.Done.TrySetResult((first, false));
                }
            }
            catch (Exception again)
            {
                single.Done.TrySetException(again);
            }
        }
        catch (Exception e)
        {
            single.Done.TrySetException(e);
        }
    }

    private async Task WriteBatchAsync(IReadOnlyList<PendingIntake> batch)
    {
        var results = new (IntakeReceipt Receipt, bool Created)[batch.Count];
        var keysInBatch = new Dictionary<(Guid, string, string), IntakeReceipt>();
        using var activity = DeliveryTracing.StartIntakeCommit(batch.Select(b => b.TraceParent), batch.Count);
        await using (var writer = await _database.OpenWriterAsync(CancellationToken.None))
        {
            var connection = writer.Connection;
            await using var transaction = await connection.BeginTransactionAsync();
            for (var i = 0; i < batch.Count; i++)
            {
                var (documentEvent, delivery, idempotencyKey, traceParent) = (batch[i].Event, batch[i].Delivery, batch[i].Key, batch[i].TraceParent);
                var receipt = new IntakeReceipt(documentEvent.Id, delivery?.Id);
                if (idempotencyKey is not null)
                {
                    var scope = (documentEvent.ClientId.Value, idempotencyKey.Caller, idempotencyKey.Key);
                    var key = new
                    {
                        ClientId = documentEvent.ClientId.Value,
                        idempotencyKey.Caller,
                        idempotencyKey.Key,
                        EventId = documentEvent.Id.Value,
                        DeliveryId = delivery?.Id.Value,
                        CreatedAt = documentEvent.OccurredAt,
                        Since = documentEvent.OccurredAt - IdempotencyKey.Window,
                    };
                    var earlier = keysInBatch.TryGetValue(scope, out var inBatch)
                        ? inBatch
                        : ToReceipt(await connection.QuerySingleOrDefaultAsync<ReceiptRow>(new CommandDefinition(
                            _database.Sql(Sqlite.FindReceipt, SqlServer.FindReceipt), key, transaction)));
                    if (earlier is not null)
                    {
                        results[i] = (earlier, false);
                        continue;
                    }

                    await Execute(connection, transaction, _database.Sql(Sqlite.ForgetExpiredKey, SqlServer.ForgetExpiredKey), key);
                    await Execute(connection, transaction, _database.Sql(Sqlite.InsertKey, SqlServer.InsertKey), key);
                    keysInBatch[scope] = receipt;
                }

                await Execute(connection, transaction, _database.Sql(Sqlite.InsertEvent, SqlServer.InsertEvent), new
                {
                    Id = documentEvent.Id.Value,
                    ClientId = documentEvent.ClientId.Value,
                    documentEvent.DocumentId,
                    Type = (int)documentEvent.Type,
                    documentEvent.Data,
                    documentEvent.OccurredAt,
                    TraceParent = traceParent,
                });

                if (delivery is not null)
                {
                    await Execute(connection, transaction, _database.Sql(Sqlite.InsertDelivery, SqlServer.InsertDelivery), new
                    {
                        Id = delivery.Id.Value, WebhookId = delivery.WebhookId.Value, EventId = documentEvent.Id.Value, delivery.CreatedAt,
                    });
                }

                results[i] = (receipt, true);
            }

            await transaction.CommitAsync();
        }

        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Done.TrySetResult(results[i]);
        }
    }

    public async Task<IntakeReceipt?> FindReceiptAsync(ClientId clientId, IdempotencyKey key, DateTimeOffset since, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var connection = await _database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ReceiptRow>(new CommandDefinition(
            _database.Sql(Sqlite.FindReceipt, SqlServer.FindReceipt),
            new { ClientId = clientId.Value, key.Caller, key.Key, Since = since },
            cancellationToken: cancellationToken));
        return ToReceipt(row);
    }

    public async Task<Domain.Deliveries.Delivery?> GetAsync(WebhookId webhookId, DeliveryId id, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<DeliveryStateRow>(new CommandDefinition(
            _database.Sql(Sqlite.Get, SqlServer.Get), new { Id = id.Value, WebhookId = webhookId.Value }, cancellationToken: cancellationToken));
        return row?.ToDelivery();
    }

    public async Task<bool?> MakeDueNowAsync(WebhookId webhookId, DeliveryId id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var writer = await _database.OpenWriterAsync(cancellationToken);
        var connection = writer.Connection;
        var parameters = new { Id = id.Value, WebhookId = webhookId.Value, Now = now };
        if (await connection.ExecuteAsync(new CommandDefinition(_database.Sql(Sqlite.MakeDueNow, SqlServer.MakeDueNow), parameters, cancellationToken: cancellationToken)) == 1)
        {
            return true;
        }

        var exists = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            _database.Sql(Sqlite.Exists, SqlServer.Exists), parameters, cancellationToken: cancellationToken));
        return exists == 1 ? null : false;
    }

    private static IntakeReceipt? ToReceipt(ReceiptRow? row) =>
        row is null ? null : new IntakeReceipt(new EventId(row.EventId), row.DeliveryId is { } d ? new DeliveryId(d) : null);

    private static Task<int> Execute(DbConnection connection, DbTransaction transaction, string sql, object parameters) =>
        connection.ExecuteAsync(new CommandDefinition(sql, parameters, transaction));

    private sealed record PendingIntake(DocumentEvent Event, NewDelivery? Delivery, IdempotencyKey? Key, string? TraceParent)
    {
        public TaskCompletionSource<(IntakeReceipt Receipt, bool Created)> Done { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class ReceiptRow
    {
        public Guid EventId { get; init; }

        public Guid? DeliveryId { get; init; }
    }
}

/// <summary>A <c>deliveries</c> row's state, as the <see cref="Delivery"/> aggregate needs it.</summary>
internal sealed class DeliveryStateRow
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
