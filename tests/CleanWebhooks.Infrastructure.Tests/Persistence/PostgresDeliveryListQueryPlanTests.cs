using CleanWebhooks.Infrastructure.Persistence.Deliveries;
using Dapper;

namespace CleanWebhooks.Infrastructure.Tests.Persistence;

/// <summary>
/// On PostgreSQL, with statistics of a webhook with many deliveries, a document's deliveries are found through its
/// events (<c>ix_events_client_document</c>, migration 0007) and their deliveries (<c>ix_deliveries_event_id</c>), never
/// by reading the webhook's deliveries; the list by status seeks the webhook's status index.
/// </summary>
public sealed class PostgresDeliveryListQueryPlanTests(PostgresContractDatabase database) : IClassFixture<PostgresContractDatabase>
{
    private static readonly Guid Client = Guid.CreateVersion7();
    private static readonly Guid Webhook = Guid.CreateVersion7();

    [Theory]
    [InlineData("ListOfDocument")]
    [InlineData("ListOfDocumentAcrossWebhooks")]
    public async Task Plan_ListOfDocumentAmongManyDeliveries_SeeksTheDocumentsEvents(string statement)
    {
        var plan = await PlanAsync(statement, new
        {
            ClientId = Client,
            WebhookId = Webhook,
            DocumentId = "doc-4242",
            Status = (string?)null,
            AfterCreatedAt = (DateTimeOffset?)null,
            AfterId = (Guid?)null,
            Take = 51,
        });

        Assert.Contains("ix_events_client_document", plan, StringComparison.Ordinal);
        Assert.Contains("ix_deliveries_event_id", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("Seq Scan on deliveries", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("Seq Scan on events", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("ix_deliveries_webhook ", plan, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ListByStatusNotSucceeded", "failed", "ix_deliveries_webhook_status ")]
    [InlineData("ListByStatusNotSucceededAfter", "failed", "ix_deliveries_webhook_status ")]
    [InlineData("ListByStatus", "succeeded", "ix_deliveries_webhook ")]
    [InlineData("ListByStatusAfter", "succeeded", "ix_deliveries_webhook ")]
    public async Task Plan_ListByStatusAmongManySucceeded_WalksItsIndexInOrder(string statement, string status, string index)
    {
        // The status index holds every status but succeeded (migration 0009), and the statements for those name that
        // condition: they seek it. The succeeded list walks the webhook's deliveries newest first, nearly all of them
        // succeeded. Neither may scan or sort the webhook's 20,000 deliveries.
        var plan = await PlanAsync(statement, new
        {
            ClientId = Client,
            WebhookId = Webhook,
            Status = status,
            AfterCreatedAt = DateTimeOffset.UtcNow,
            AfterId = Guid.CreateVersion7(),
            Take = 51,
        });

        Assert.Contains(index, plan, StringComparison.Ordinal);
        Assert.DoesNotContain("Seq Scan on deliveries", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("Sort", plan, StringComparison.Ordinal);
    }

    /// <summary>PostgreSQL's plan of one of <see cref="DeliveryQueries"/>' statements, among the seeded deliveries.</summary>
    private async Task<string> PlanAsync(string statement, object parameters)
    {
        await using var connection = await database.Database.OpenAsync(CancellationToken.None);
        await SeedAsync(connection);
        var sql = DialectStatements.Of(typeof(DeliveryQueries), "PostgreSql", statement);
        return string.Join(Environment.NewLine, await connection.QueryAsync<string>("EXPLAIN " + sql, parameters));
    }

    /// <summary>One client and webhook with 20,000 events and deliveries (once per class), then fresh statistics.</summary>
    private static async Task SeedAsync(System.Data.Common.DbConnection connection)
    {
        await connection.ExecuteAsync(
            """
            INSERT INTO clients (id, name, created_at) VALUES (@Client, 'Plan', now()) ON CONFLICT DO NOTHING;
            INSERT INTO webhooks (id, client_id, name, type, method, headers, url, signing_secret_cipher, created_at, updated_at)
            VALUES (@Webhook, @Client, 'Plan', 0, 'POST', '{}', 'https://example.com/:id', 'x', now(), now()) ON CONFLICT DO NOTHING;
            INSERT INTO events (id, client_id, document_id, type, occurred_at)
            SELECT gen_random_uuid(), @Client, 'doc-' || n, 0, now() - n * interval '1 second' FROM generate_series(1, 20000) AS n
            WHERE NOT EXISTS (SELECT 1 FROM events WHERE client_id = @Client);
            INSERT INTO deliveries (id, webhook_id, event_id, status, attempt_count, created_at)
            SELECT gen_random_uuid(), @Webhook, e.id, 'succeeded', 1, e.occurred_at FROM events e
            WHERE e.client_id = @Client AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id);
            ANALYZE events;
            ANALYZE deliveries;
            ANALYZE webhooks;
            """,
            new { Client, Webhook });
    }
}
