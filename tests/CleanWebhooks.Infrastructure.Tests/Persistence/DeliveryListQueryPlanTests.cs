using System.Text.RegularExpressions;
using CleanWebhooks.Application.Deliveries;
using CleanWebhooks.Domain.Deliveries;
using CleanWebhooks.Infrastructure.Persistence;
using CleanWebhooks.Infrastructure.Persistence.Deliveries;
using CleanWebhooks.Infrastructure.Persistence.Webhooks;
using Dapper;

namespace CleanWebhooks.Infrastructure.Tests.Persistence;

/// <summary>
/// The delivery list filtered by a status other than succeeded seeks (webhook_id, status, created_at, id) on SQLite
/// (migrations 0005 and 0009), so a page after a cursor reads that page, not every delivery of the webhook before it;
/// so do the count and the batches of a recovery. Succeeded deliveries are not in that index (0009): their list walks
/// the webhook's deliveries newest first, in order, as the unfiltered list does; a webhook's pending deliveries (held
/// ones made due, a deleted webhook's cancelled) come from the pending index. Each list is planned as
/// <see cref="DeliveryQueries.ListStatement"/> picks it. A document's deliveries are found through its events
/// (migration 0007), never by reading a webhook's or a client's deliveries.
/// </summary>
public sealed partial class DeliveryListQueryPlanTests(SqliteContractDatabase database) : IClassFixture<SqliteContractDatabase>
{
    [Theory]
    [InlineData(DeliveryStatus.Pending, false, "ix_deliveries_webhook_status (")]
    [InlineData(DeliveryStatus.Pending, true, "ix_deliveries_webhook_status (")]
    [InlineData(DeliveryStatus.Failed, false, "ix_deliveries_webhook_status (")]
    [InlineData(DeliveryStatus.Failed, true, "ix_deliveries_webhook_status (")]
    [InlineData(DeliveryStatus.Cancelled, false, "ix_deliveries_webhook_status (")]
    [InlineData(DeliveryStatus.Cancelled, true, "ix_deliveries_webhook_status (")]
    [InlineData(DeliveryStatus.Succeeded, false, "ix_deliveries_webhook (")]
    [InlineData(DeliveryStatus.Succeeded, true, "ix_deliveries_webhook (")]
    [InlineData(null, false, "ix_deliveries_webhook (")]
    [InlineData(null, true, "ix_deliveries_webhook (")]
    public async Task Plan_ListOfAStatusOrOfAll_SearchesItsIndexInOrder(DeliveryStatus? status, bool after, string index)
    {
        var plan = await PlanAsync(Queries.ListStatement(new DeliveryFilter(status, null), after));

        Assert.Contains(plan, step => step.StartsWith("SEARCH d USING INDEX " + index, StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(typeof(WebhookRepository), "Portable", "HeldDeliveriesDue", "SEARCH deliveries USING INDEX ix_deliveries_webhook_due (webhook_id=?)")]
    [InlineData(typeof(WebhookRepository), "Sqlite", "CancelPendingDeliveries", "SEARCH deliveries USING INDEX ix_deliveries_webhook_due (webhook_id=?)")]
    [InlineData(typeof(DeliveryRepository), "Portable", "CountRecoverable", "SEARCH deliveries USING COVERING INDEX ix_deliveries_webhook_status (webhook_id=? AND status=? AND created_at>? AND created_at<?)")]
    [InlineData(typeof(DeliveryRepository), "Sqlite", "Recover", "SEARCH deliveries USING COVERING INDEX ix_deliveries_webhook_status (webhook_id=? AND status=? AND created_at>? AND created_at<?)")]
    public async Task Plan_AWebhooksDeliveriesOfOneStatus_AreSoughtInTheirIndex(Type owner, string dialect, string statement, string search)
    {
        var plan = await PlanAsync(DialectStatements.Of(owner, dialect, statement));

        Assert.Contains(plan, step => step.StartsWith(search, StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.StartsWith("SCAN", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("ListOfDocument")]
    [InlineData("ListOfDocumentAcrossWebhooks")]
    public async Task Plan_ListOfDocument_SeeksTheDocumentsEventsThenTheirDeliveries(string statement)
    {
        var plan = await PlanAsync(SqliteStatement(statement));

        Assert.Equal("SEARCH e USING INDEX ix_events_client_document (client_id=? AND document_id=?)", plan[0]);
        Assert.Contains(plan, step => step.StartsWith("SEARCH d USING INDEX ix_deliveries_event_id (event_id=?)", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.StartsWith("SCAN", StringComparison.Ordinal));
    }

    private DeliveryQueries Queries => new(database.Database, TimeProvider.System);

    private async Task<List<string>> PlanAsync(string sql)
    {
        await using var connection = await database.Database.OpenAsync(CancellationToken.None);
        var parameters = new DynamicParameters();
        foreach (var name in Parameter().Matches(sql).Select(m => m.Groups[1].Value).Distinct())
        {
            parameters.Add(name, name == "Take" ? 10 : "x");
        }

        return await SqliteQueryPlan.OfAsync(connection, sql, parameters);
    }

    private static string SqliteStatement(string name) => DialectStatements.Of(typeof(DeliveryQueries), "Sqlite", name);

    [GeneratedRegex(@"@(\w+)")]
    private static partial Regex Parameter();
}
