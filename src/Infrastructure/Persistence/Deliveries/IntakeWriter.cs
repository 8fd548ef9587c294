using System.Data.Common;
using System.Text.Json;
using System.Threading.Channels;
using CleanWebhooks.Domain.Clients;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Infrastructure.Persistence.Webhooks;
using CleanWebhooks.Infrastructure.Telemetry;
using Dapper;

namespace CleanWebhooks.Infrastructure.Persistence.Deliveries;

/// <summary>
/// The intake's writer: each event and its delivery (handed off or due) written together in one transaction (the
/// outbox), idempotent by key, with events that arrive together committed together (group commit: one durable commit
/// for many events). On SQLite it is the one writer's busiest client; on a server database a batch is one round trip.
/// </summary>
public sealed class IntakeWriter : IEventOutbox, IAsyncDisposable
{
    /// <summary>What a transaction takes from the queue at first, and at most between two looks at whether other writes wait.</summary>
    private const int MaxBatch = 256;

    /// <summary>
    /// How long a SQLite transaction keeps taking more events while a whole chunk more is queued (a flood) and no other
    /// write (a claim, an outcome, a purge) waits for the writer: a commit costs mostly per page written and per sync,
    /// and the chunks of a flood share both. It bounds how much later than without growth the transaction's first
    /// events are answered, and how long another write that comes meanwhile waits: for the chunk under way and the
    /// commit of what the transaction holds.
    /// </summary>
    private static readonly TimeSpan MaxGrowingHold = TimeSpan.FromMilliseconds(100);

    private readonly Database _database;
    // Read by the write loop alone, but not declared single-reader: that channel cannot count what it holds (Grow asks).
    private readonly Channel<PendingIntake> _pending = Channel.CreateUnbounded<PendingIntake>();
    private readonly Lazy<Task> _writer;

    public IntakeWriter(Database database)
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

    private static class Portable
    {
        public const string InsertEvent =
            "INSERT INTO events (id, client_id, document_id, type, data, occurred_at, trace_parent) VALUES (@Id, @ClientId, @DocumentId, @Type, @Data, @OccurredAt, @TraceParent);";

        // A handed-off delivery is written leased to its intake's node (locked_by, lease_until) and due when its lease
        // ends; any other is due at once.
        public const string InsertDelivery =
            "INSERT INTO deliveries (id, webhook_id, event_id, status, attempt_count, next_attempt_at, created_at, locked_by, lease_until) " +
            "VALUES (@Id, @WebhookId, @EventId, 'pending', 0, @NextAttemptAt, @CreatedAt, @LockedBy, @LeaseUntil);";

        public const string ForgetExpiredKey =
            "DELETE FROM idempotency_keys WHERE client_id = @ClientId AND caller = @Caller AND \"key\" = @Key AND created_at < @Since;";

        public const string InsertKey =
            "INSERT INTO idempotency_keys (client_id, caller, \"key\", event_id, delivery_id, created_at) VALUES (@ClientId, @Caller, @Key, @EventId, @DeliveryId, @CreatedAt);";

        public const string FindReceipt =
            "SELECT event_id, delivery_id FROM idempotency_keys WHERE client_id = @ClientId AND caller = @Caller AND \"key\" = @Key AND created_at >= @Since;";
    }

    /// <summary>
    /// A whole intake batch in ONE round trip: the events travel as one JSON parameter, and the server walks them in
    /// order, each under its own savepoint. An event whose key is already taken (before, or earlier in the batch) gets
    /// the earlier receipt; an event that fails (another node committed the same key meanwhile: 2627) is rolled back to
    /// its savepoint alone and reported with its error number, and the batch goes on. A failure that dooms the
    /// transaction is thrown, and the batch is replayed event by event.
    /// </summary>
    private static class SqlServer
    {
        public const string InsertEvents =
            """
            SET NOCOUNT ON;
            DECLARE @rows TABLE (
                i INT NOT NULL PRIMARY KEY, client_id UNIQUEIDENTIFIER NOT NULL, caller VARCHAR(64) NULL,
                [key] NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NULL, since DATETIMEOFFSET(6) NOT NULL,
                event_id UNIQUEIDENTIFIER NOT NULL, document_id NVARCHAR(200) NOT NULL, type INT NOT NULL, data NVARCHAR(MAX) NULL,
                occurred_at DATETIMEOFFSET(6) NOT NULL, trace_parent VARCHAR(128) NULL,
                delivery_id UNIQUEIDENTIFIER NULL, webhook_id UNIQUEIDENTIFIER NULL, created_at DATETIMEOFFSET(6) NULL,
                next_attempt_at DATETIMEOFFSET(6) NULL, locked_by VARCHAR(100) NULL, lease_until DATETIMEOFFSET(6) NULL);
            INSERT INTO @rows (i, client_id, caller, [key], since, event_id, document_id, type, data, occurred_at, trace_parent, delivery_id, webhook_id, created_at,
                next_attempt_at, locked_by, lease_until)
            SELECT i, client_id, caller, [key], since, event_id, document_id, type, data, occurred_at, trace_parent, delivery_id, webhook_id, created_at,
                next_attempt_at, locked_by, lease_until
            FROM OPENJSON(@Batch) WITH (
                i INT '$.I', client_id UNIQUEIDENTIFIER '$.ClientId', caller VARCHAR(64) '$.Caller', [key] NVARCHAR(200) '$.Key',
                since DATETIMEOFFSET(6) '$.Since', event_id UNIQUEIDENTIFIER '$.EventId', document_id NVARCHAR(200) '$.DocumentId',
                type INT '$.Type', data NVARCHAR(MAX) '$.Data', occurred_at DATETIMEOFFSET(6) '$.OccurredAt',
                trace_parent VARCHAR(128) '$.TraceParent', delivery_id UNIQUEIDENTIFIER '$.DeliveryId',
                webhook_id UNIQUEIDENTIFIER '$.WebhookId', created_at DATETIMEOFFSET(6) '$.CreatedAt',
                next_attempt_at DATETIMEOFFSET(6) '$.NextAttemptAt', locked_by VARCHAR(100) '$.LockedBy', lease_until DATETIMEOFFSET(6) '$.LeaseUntil');
            DECLARE @results TABLE (i INT NOT NULL PRIMARY KEY, created BIT NOT NULL, event_id UNIQUEIDENTIFIER NULL, delivery_id UNIQUEIDENTIFIER NULL, error INT NULL);
            DECLARE @i INT = 0;
            DECLARE @n INT = (SELECT COUNT(*) FROM @rows);
            WHILE @i < @n
            BEGIN
                INSERT INTO @results (i, created, event_id, delivery_id)
                SELECT r.i, 0, k.event_id, k.delivery_id
                FROM @rows r JOIN dbo.idempotency_keys k ON k.client_id = r.client_id AND k.caller = r.caller AND k.[key] = r.[key] AND k.created_at >= r.since
                WHERE r.i = @i;
                IF @@ROWCOUNT = 0
                BEGIN
                    SAVE TRANSACTION intake_event;
                    BEGIN TRY
                        DELETE k FROM dbo.idempotency_keys k
                        JOIN @rows r ON k.client_id = r.client_id AND k.caller = r.caller AND k.[key] = r.[key] AND k.created_at < r.since
                        WHERE r.i = @i;
                        INSERT INTO dbo.idempotency_keys (client_id, caller, [key], event_id, delivery_id, created_at)
                        SELECT client_id, caller, [key], event_id, delivery_id, occurred_at FROM @rows WHERE i = @i AND [key] IS NOT NULL;
                        INSERT INTO dbo.events (id, client_id, document_id, type, data, occurred_at, trace_parent)
                        SELECT event_id, client_id, document_id, type, data, occurred_at, trace_parent FROM @rows WHERE i = @i;
                        INSERT INTO dbo.deliveries (id, webhook_id, event_id, status, attempt_count, next_attempt_at, created_at, locked_by, lease_until)
                        SELECT delivery_id, webhook_id, event_id, 'pending', 0, next_attempt_at, created_at, locked_by, lease_until
                        FROM @rows WHERE i = @i AND delivery_id IS NOT NULL;
                        INSERT INTO @results (i, created, event_id, delivery_id) SELECT i, 1, event_id, delivery_id FROM @rows WHERE i = @i;
                    END TRY
                    BEGIN CATCH
                        IF XACT_STATE() <> 1 THROW;
                        ROLLBACK TRANSACTION intake_event;
                        INSERT INTO @results (i, created, error) VALUES (@i, 0, ERROR_NUMBER());
                    END CATCH;
                END;
                SET @i += 1;
            END;
            UPDATE w SET due_at = n.due_at
            FROM dbo.webhooks w WITH (READCOMMITTEDLOCK)
            JOIN (SELECT r.webhook_id, MIN(r.next_attempt_at) AS due_at FROM @rows r JOIN @results x ON x.i = r.i AND x.created = 1
                  WHERE r.delivery_id IS NOT NULL GROUP BY r.webhook_id) n ON n.webhook_id = w.id
            WHERE w.disabled_at IS NULL AND (w.due_at IS NULL OR (w.due_at > n.due_at AND w.waits_for_room = 0));
            SELECT i, created, event_id, delivery_id, error FROM @results ORDER BY i;
            """;
    }

    /// <summary>
    /// A whole intake batch in one statement per table: each column travels as one array, <c>unnest</c> turns the
    /// arrays back into rows. Two nodes inserting the same idempotency key meet on its primary key (23505): the
    /// batch rolls back and is replayed event by event, and the loser answers with the winner's receipt.
    /// </summary>
    private static class PostgreSql
    {
        public const string FindReceipts =
            "SELECT k.client_id, k.caller, k.\"key\", k.event_id, k.delivery_id " +
            "FROM unnest(@ClientIds::uuid[], @Callers::text[], @Keys::text[], @Sinces::timestamptz[]) AS b (client_id, caller, \"key\", since) " +
            "JOIN idempotency_keys k ON k.client_id = b.client_id AND k.caller = b.caller AND k.\"key\" = b.\"key\" AND k.created_at >= b.since;";

        public const string ForgetExpiredKeys =
            "DELETE FROM idempotency_keys k " +
            "USING unnest(@ClientIds::uuid[], @Callers::text[], @Keys::text[], @Sinces::timestamptz[]) AS b (client_id, caller, \"key\", since) " +
            "WHERE k.client_id = b.client_id AND k.caller = b.caller AND k.\"key\" = b.\"key\" AND k.created_at < b.since;";

        public const string InsertKeys =
            "INSERT INTO idempotency_keys (client_id, caller, \"key\", event_id, delivery_id, created_at) " +
            "SELECT * FROM unnest(@ClientIds::uuid[], @Callers::text[], @Keys::text[], @EventIds::uuid[], @DeliveryIds::uuid[], @CreatedAts::timestamptz[]);";

        public const string InsertEvents =
            "INSERT INTO events (id, client_id, document_id, type, data, occurred_at, trace_parent) " +
            "SELECT * FROM unnest(@Ids::uuid[], @ClientIds::uuid[], @DocumentIds::text[], @Types::integer[], @Data::text[], @OccurredAts::timestamptz[], " +
            "@TraceParents::text[]);";

        public const string InsertDeliveries =
            "INSERT INTO deliveries (id, webhook_id, event_id, status, attempt_count, next_attempt_at, created_at, locked_by, lease_until) " +
            "SELECT id, webhook_id, event_id, 'pending', 0, next_attempt_at, created_at, locked_by, lease_until " +
            "FROM unnest(@Ids::uuid[], @WebhookIds::uuid[], @EventIds::uuid[], @NextAttemptAts::timestamptz[], @CreatedAts::timestamptz[], @LockedBys::text[], " +
            "@LeaseUntils::timestamptz[]) AS d (id, webhook_id, event_id, next_attempt_at, created_at, locked_by, lease_until);";
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
            throw new ObjectDisposedException(nameof(IntakeWriter), "The intake writer has stopped.");
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
                await WriteBatchAsync(batch, _pending.Reader);
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
            await WriteBatchAsync([single], more: null);
        }
        catch (DbException e) when (single.Key is not null && Database.IsUniqueViolation(e))
        {
            // Another node committed the same key between our look-up and our insert: answer as it did.
            await AnswerWithTheWinnersReceiptAsync(single, e);
        }
        catch (Exception e)
        {
            single.Done.TrySetException(e);
        }
    }

    /// <summary>
    /// Writes <paramref name="batch"/> in one transaction and answers each of its callers. On SQLite the transaction
    /// may take more events from <paramref name="more"/> (the loop's queue; null for exactly the batch), each added
    /// to <paramref name="batch"/>, so that the loop's fallback answers every event the transaction held.
    /// </summary>
    private async Task WriteBatchAsync(List<PendingIntake> batch, ChannelReader<PendingIntake>? more)
    {
        if (_database.Dialect == SqlDialect.SqlServer)
        {
            await WriteSqlServerAsync(batch);
            return;
        }

        IReadOnlyList<(IntakeReceipt Receipt, bool Created)> results =
            _database.Dialect == SqlDialect.PostgreSql ? await WriteSetBasedAsync(batch) : await WriteRowByRowAsync(batch, more);
        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Done.TrySetResult(results[i]);
        }
    }

    /// <summary>PostgreSQL: the batch in a fixed number of round trips (at most five), whatever its size.</summary>
    private async Task<(IntakeReceipt Receipt, bool Created)[]> WriteSetBasedAsync(IReadOnlyList<PendingIntake> batch)
    {
        var results = new (IntakeReceipt Receipt, bool Created)[batch.Count];
        using var activity = DeliveryTracing.StartIntakeCommit(batch.Select(b => b.TraceParent), batch.Count);
        await using var writer = await _database.OpenWriterAsync(CancellationToken.None);
        var connection = writer.Connection;
        await using var transaction = await connection.BeginTransactionAsync();

        var keyed = batch.Where(p => p.Key is not null).ToList();
        var known = new Dictionary<(Guid, string, string), IntakeReceipt>();
        if (keyed.Count > 0)
        {
            var rows = await connection.QueryAsync<KeyRow>(new CommandDefinition(PostgreSql.FindReceipts, KeyArrays(keyed), transaction));
            foreach (var row in rows)
            {
                known[(row.ClientId, row.Caller, row.Key)] = ToReceipt(row)!;
            }
        }

        var created = new List<PendingIntake>(batch.Count);
        var newKeys = new List<PendingIntake>();
        for (var i = 0; i < batch.Count; i++)
        {
            var pending = batch[i];
            var receipt = new IntakeReceipt(pending.Event.Id, pending.Delivery?.Id);
            if (pending.Key is { } key)
            {
                var scope = (pending.Event.ClientId.Value, key.Caller, key.Key);
                if (known.TryGetValue(scope, out var earlier))
                {
                    results[i] = (earlier, false);
                    continue;
                }

                known[scope] = receipt;
                newKeys.Add(pending);
            }

            created.Add(pending);
            results[i] = (receipt, true);
        }

        if (newKeys.Count > 0)
        {
            await Execute(connection, transaction, PostgreSql.ForgetExpiredKeys, KeyArrays(newKeys));
            await Execute(connection, transaction, PostgreSql.InsertKeys, new
            {
                ClientIds = newKeys.Select(p => p.Event.ClientId.Value).ToArray(),
                Callers = newKeys.Select(p => p.Key!.Caller).ToArray(),
                Keys = newKeys.Select(p => p.Key!.Key).ToArray(),
                EventIds = newKeys.Select(p => p.Event.Id.Value).ToArray(),
                DeliveryIds = newKeys.Select(p => p.Delivery?.Id.Value).ToArray(),
                CreatedAts = newKeys.Select(p => p.Event.OccurredAt.ToUniversalTime()).ToArray(),
            });
        }

        if (created.Count > 0)
        {
            await Execute(connection, transaction, PostgreSql.InsertEvents, new
            {
                Ids = created.Select(p => p.Event.Id.Value).ToArray(),
                ClientIds = created.Select(p => p.Event.ClientId.Value).ToArray(),
                DocumentIds = created.Select(p => p.Event.DocumentId).ToArray(),
                Types = created.Select(p => (int)p.Event.Type).ToArray(),
                Data = created.Select(p => p.Event.Data).ToArray(),
                OccurredAts = created.Select(p => p.Event.OccurredAt.ToUniversalTime()).ToArray(),
                TraceParents = created.Select(p => p.TraceParent).ToArray(),
            });
        }

        var deliveries = created.Where(p => p.Delivery is not null).ToList();
        if (deliveries.Count > 0)
        {
            await Execute(connection, transaction, PostgreSql.InsertDeliveries, new
            {
                Ids = deliveries.Select(p => p.Delivery!.Id.Value).ToArray(),
                WebhookIds = deliveries.Select(p => p.Delivery!.WebhookId.Value).ToArray(),
                EventIds = deliveries.Select(p => p.Event.Id.Value).ToArray(),
                NextAttemptAts = deliveries.Select(p => p.Delivery!.NextAttemptAt.ToUniversalTime()).ToArray(),
                CreatedAts = deliveries.Select(p => p.Delivery!.CreatedAt.ToUniversalTime()).ToArray(),
                LockedBys = deliveries.Select(p => p.Delivery!.Lease?.Claim).ToArray(),
                LeaseUntils = deliveries.Select(p => p.Delivery!.Lease?.Until.ToUniversalTime()).ToArray(),
            });
            await Execute(connection, transaction, WebhookDue.PostgreSql.NewWork, new
            {
                WebhookIds = deliveries.Select(p => p.Delivery!.WebhookId.Value).Distinct().Order().ToArray(),
                Now = deliveries.Min(p => p.Delivery!.NextAttemptAt).ToUniversalTime(),
            });
        }

        await transaction.CommitAsync();
        return results;
    }

    /// <summary>SQL Server: the batch in one round trip, an event that fails rolled back to its own savepoint (see <see cref="SqlServer"/>).</summary>
    private async Task WriteSqlServerAsync(IReadOnlyList<PendingIntake> batch)
    {
        using var activity = DeliveryTracing.StartIntakeCommit(batch.Select(b => b.TraceParent), batch.Count);
        List<IntakeResultRow> answers;
        await using (var writer = await _database.OpenWriterAsync(CancellationToken.None))
        {
            await using var transaction = await writer.Connection.BeginTransactionAsync();
            answers = (await writer.Connection.QueryAsync<IntakeResultRow>(new CommandDefinition(
                SqlServer.InsertEvents, new { Batch = BatchJson(batch.Select(p => (p.Event, p.Delivery, p.Key, p.TraceParent))) }, transaction))).AsList();
            await transaction.CommitAsync();
        }

        foreach (var answer in answers)
        {
            var pending = batch[answer.I];
            if (answer.Error is null)
            {
                var receipt = new IntakeReceipt(new EventId(answer.EventId!.Value), answer.DeliveryId is { } d ? new DeliveryId(d) : null);
                pending.Done.TrySetResult((receipt, answer.Created));
            }
            else if (pending.Key is not null && answer.Error is 2601 or 2627)
            {
                // Another node committed the same key between our look-up and our insert: answer as it did.
                await AnswerWithTheWinnersReceiptAsync(pending, new InvalidOperationException($"Idempotency key taken by another node (SQL Server error {answer.Error})."));
            }
            else
            {
                pending.Done.TrySetException(new InvalidOperationException($"SQL Server refused the event (error {answer.Error})."));
            }
        }

        // Every caller gets an answer, even should the server have left an event out.
        foreach (var unanswered in batch.Where(p => !p.Done.Task.IsCompleted))
        {
            unanswered.Done.TrySetException(new InvalidOperationException("The intake batch returned no answer for this event."));
        }
    }

    /// <summary>An intake batch as SQL Server's <see cref="SqlServer.InsertEvents"/> reads it with <c>OPENJSON</c>.</summary>
    internal static string BatchJson(IEnumerable<(DocumentEvent Event, NewDelivery? Delivery, IdempotencyKey? Key, string? TraceParent)> batch) =>
        JsonSerializer.Serialize(batch.Select((p, i) => new
        {
            I = i,
            ClientId = p.Event.ClientId.Value,
            p.Key?.Caller,
            p.Key?.Key,
            Since = (p.Event.OccurredAt - IdempotencyKey.Window).ToUniversalTime(),
            EventId = p.Event.Id.Value,
            p.Event.DocumentId,
            Type = (int)p.Event.Type,
            p.Event.Data,
            OccurredAt = p.Event.OccurredAt.ToUniversalTime(),
            p.TraceParent,
            DeliveryId = p.Delivery?.Id.Value,
            WebhookId = p.Delivery?.WebhookId.Value,
            CreatedAt = p.Delivery?.CreatedAt.ToUniversalTime(),
            NextAttemptAt = p.Delivery?.NextAttemptAt.ToUniversalTime(),
            LockedBy = p.Delivery?.Lease?.Claim,
            LeaseUntil = p.Delivery?.Lease?.Until.ToUniversalTime(),
        }));

    private async Task AnswerWithTheWinnersReceiptAsync(PendingIntake single, Exception conflict)
    {
        var since = single.Event.OccurredAt - IdempotencyKey.Window;
        try
        {
            var first = await FindReceiptAsync(single.Event.ClientId, single.Key!, since, CancellationToken.None);
            if (first is null)
            {
                single.Done.TrySetException(conflict);
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

    private static object KeyArrays(List<PendingIntake> keyed) => new
    {
        ClientIds = keyed.Select(p => p.Event.ClientId.Value).ToArray(),
        Callers = keyed.Select(p => p.Key!.Caller).ToArray(),
        Keys = keyed.Select(p => p.Key!.Key).ToArray(),
        Sinces = keyed.Select(p => (p.Event.OccurredAt - IdempotencyKey.Window).ToUniversalTime()).ToArray(),
    };

    /// <summary>
    /// SQLite (one writer, no round trip to pay): a statement per row, in one transaction, each statement compiled
    /// once for the life of the write connection (<see cref="DatabaseWriter.Command"/>). The transaction grows by
    /// chunks from <paramref name="more"/> while no other write waits (<see cref="Grow"/>).
    /// </summary>
    private async Task<List<(IntakeReceipt Receipt, bool Created)>> WriteRowByRowAsync(List<PendingIntake> batch, ChannelReader<PendingIntake>? more)
    {
        var results = new List<(IntakeReceipt Receipt, bool Created)>(batch.Count);
        var keysInBatch = new Dictionary<(Guid, string, string), IntakeReceipt>();
        using var activity = DeliveryTracing.StartIntakeCommit(batch.Select(b => b.TraceParent), batch.Count);
        // The batch waits no longer than its oldest event may: a batch queued behind one that waited out a lock does
        // not wait a whole busy timeout more.
        await using (var writer = await _database.OpenWriterAsync(CancellationToken.None, waitingSince: batch.Min(p => p.QueuedAt)))
        {
            await using var transaction = await writer.Connection.BeginTransactionAsync();
            for (var i = 0; i < batch.Count || Grow(batch, more, writer, activity); i++)
            {
                var (documentEvent, delivery, idempotencyKey, traceParent) = (batch[i].Event, batch[i].Delivery, batch[i].Key, batch[i].TraceParent);
                var receipt = new IntakeReceipt(documentEvent.Id, delivery?.Id);
                if (idempotencyKey is not null)
                {
                    var scope = (documentEvent.ClientId.Value, idempotencyKey.Caller, idempotencyKey.Key);
                    var earlier = keysInBatch.TryGetValue(scope, out var inBatch)
                        ? inBatch
                        : await FindReceiptAsync(writer, transaction, documentEvent, idempotencyKey);
                    if (earlier is not null)
                    {
                        results.Add((earlier, false));
                        continue;
                    }

                    await writer.Command(Portable.ForgetExpiredKey, transaction, "@ClientId", "@Caller", "@Key", "@Since")
                        .Bind(documentEvent.ClientId.Value, idempotencyKey.Caller, idempotencyKey.Key, documentEvent.OccurredAt - IdempotencyKey.Window)
                        .ExecuteNonQueryAsync();
                    await writer.Command(Portable.InsertKey, transaction, "@ClientId", "@Caller", "@Key", "@EventId", "@DeliveryId", "@CreatedAt")
                        .Bind(documentEvent.ClientId.Value, idempotencyKey.Caller, idempotencyKey.Key, documentEvent.Id.Value, delivery?.Id.Value, documentEvent.OccurredAt)
                        .ExecuteNonQueryAsync();
                    keysInBatch[scope] = receipt;
                }

                await writer.Command(Portable.InsertEvent, transaction, "@Id", "@ClientId", "@DocumentId", "@Type", "@Data", "@OccurredAt", "@TraceParent")
                    .Bind(documentEvent.Id.Value, documentEvent.ClientId.Value, documentEvent.DocumentId, (int)documentEvent.Type, documentEvent.Data, documentEvent.OccurredAt, traceParent)
                    .ExecuteNonQueryAsync();
                if (delivery is not null)
                {
                    await writer.Command(Portable.InsertDelivery, transaction, "@Id", "@WebhookId", "@EventId", "@NextAttemptAt", "@CreatedAt", "@LockedBy", "@LeaseUntil")
                        .Bind(delivery.Id.Value, delivery.WebhookId.Value, documentEvent.Id.Value, delivery.NextAttemptAt, delivery.CreatedAt, delivery.Lease?.Claim, delivery.Lease?.Until)
                        .ExecuteNonQueryAsync();
                }

                results.Add((receipt, true));
            }

            foreach (var (webhookId, dueAt) in NewWork(batch, results))
            {
                await writer.Command(WebhookDue.Portable.NewWork, transaction, "@Now", "@WebhookId").Bind(dueAt, webhookId).ExecuteNonQueryAsync();
            }

            await transaction.CommitAsync();
        }

        return results;
    }

    /// <summary>
    /// Takes the next <see cref="MaxBatch"/> queued events into the open transaction when at least that many are queued
    /// (events that trickle in go to the next transaction, as they did), no other write waits for the writer, and the
    /// transaction has held it for less than <see cref="MaxGrowingHold"/>; false when it took none.
    /// </summary>
    private static bool Grow(List<PendingIntake> batch, ChannelReader<PendingIntake>? more, DatabaseWriter writer, System.Diagnostics.Activity? activity)
    {
        var turn = writer.Turn();
        if (more is null || more.Count < MaxBatch || turn.Waiting > 0 || turn.Held >= MaxGrowingHold)
        {
            return false;
        }

        var taken = batch.Count;
        while (batch.Count < taken + MaxBatch && more.TryRead(out var next))
        {
            batch.Add(next);
        }

        if (batch.Count == taken)
        {
            return false;
        }

        DeliveryTracing.IntakeCommitGrew(activity, batch.Skip(taken).Select(p => p.TraceParent), batch.Count);
        return true;
    }

    /// <summary>The webhooks a batch created deliveries for, each with its earliest: the claim must look at them from then on.</summary>
    private static IEnumerable<(Guid WebhookId, DateTimeOffset DueAt)> NewWork(List<PendingIntake> batch, List<(IntakeReceipt Receipt, bool Created)> results) =>
        batch.Where((p, i) => results[i].Created && p.Delivery is not null)
            .GroupBy(p => p.Delivery!.WebhookId.Value)
            .Select(g => (g.Key, g.Min(p => p.Delivery!.NextAttemptAt)));

    /// <summary>The receipt of the earlier event under the same key, within the key's window, read in the intake's transaction.</summary>
    private static async Task<IntakeReceipt?> FindReceiptAsync(DatabaseWriter writer, DbTransaction transaction, DocumentEvent documentEvent, IdempotencyKey key)
    {
        var rows = await writer.Command(Portable.FindReceipt, transaction, "@ClientId", "@Caller", "@Key", "@Since")
            .Bind(documentEvent.ClientId.Value, key.Caller, key.Key, documentEvent.OccurredAt - IdempotencyKey.Window)
            .QueryAllAsync<ReceiptRow>(CancellationToken.None);
        return ToReceipt(rows.SingleOrDefault());
    }

    public async Task<IntakeReceipt?> FindReceiptAsync(ClientId clientId, IdempotencyKey key, DateTimeOffset since, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var connection = await _database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ReceiptRow>(new CommandDefinition(
            _database.Sql(Portable.FindReceipt),
            new { ClientId = clientId.Value, key.Caller, key.Key, Since = since },
            cancellationToken: cancellationToken));
        return ToReceipt(row);
    }

    private static IntakeReceipt? ToReceipt(ReceiptRow? row) =>
        row is null ? null : new IntakeReceipt(new EventId(row.EventId), row.DeliveryId is { } d ? new DeliveryId(d) : null);

    private static Task<int> Execute(DbConnection connection, DbTransaction transaction, string sql, object parameters) =>
        connection.ExecuteAsync(new CommandDefinition(sql, parameters, transaction));

    private sealed record PendingIntake(DocumentEvent Event, NewDelivery? Delivery, IdempotencyKey? Key, string? TraceParent)
    {
        /// <summary>When the event was queued: its write waits at most Database:BusyTimeout from here, queue included.</summary>
        public long QueuedAt { get; } = System.Diagnostics.Stopwatch.GetTimestamp();

        public TaskCompletionSource<(IntakeReceipt Receipt, bool Created)> Done { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class IntakeResultRow
    {
        public int I { get; init; }

        public bool Created { get; init; }

        public Guid? EventId { get; init; }

        public Guid? DeliveryId { get; init; }

        public int? Error { get; init; }
    }

    private class ReceiptRow
    {
        public Guid EventId { get; init; }

        public Guid? DeliveryId { get; init; }
    }

    private sealed class KeyRow : ReceiptRow
    {
        public Guid ClientId { get; init; }

        public string Caller { get; init; } = "";

        public string Key { get; init; } = "";
    }
}
