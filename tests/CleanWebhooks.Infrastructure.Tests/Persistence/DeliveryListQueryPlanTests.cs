using System.Reflection;
using System.Text.RegularExpressions;
using CleanWebhooks.Infrastructure.Persistence;
using CleanWebhooks.Application.Deliveries;
using CleanWebhooks.Domain.Deliveries;
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
    [InlineData(DeliveryStatus.Pending, false)]
    [InlineData(DeliveryStatus.Pending, true)]
    [InlineData(DeliveryStatus.Failed, false)]
    [InlineData(DeliveryStatus.Failed, true)]
    [InlineData(DeliveryStatus.Cancelled, false)]
    [InlineData(DeliveryStatus.Cancelled, true)]
    public async Task Plan_ListByAStatusOtherThanSucceeded_SearchesTheStatusIndexInOrder(DeliveryStatus status, bool after)
    {
        var plan = await PlanAsync(Queries.ListStatement(new DeliveryFilter(status, null), after));

        Assert.Contains(plan, step => step.StartsWith("SEARCH d USING INDEX ix_deliveries_webhook_status", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(DeliveryStatus.Succeeded, false)]
    [InlineData(DeliveryStatus.Succeeded, true)]
    [InlineData(null, false)]
    [InlineData(null, true)]
    public async Task Plan_ListOfSucceededOrOfAll_WalksTheWebhooksDeliveriesInOrder(DeliveryStatus? status, bool after)
    {
        var plan = await PlanAsync(Queries.ListStatement(new DeliveryFilter(status, null), after));

        Assert.Contains(plan, step => step.StartsWith("SEARCH d USING INDEX ix_deliveries_webhook (", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Portable", "HeldDeliveriesDue")]
    [InlineData("Sqlite", "CancelPendingDeliveries")]
    public async Task Plan_AWebhooksPendingDeliveries_AreSoughtInThePendingIndex(string dialect, string statement)
    {
        var plan = await PlanAsync(Statement(typeof(WebhookRepository), dialect, statement));

        Assert.Contains(plan, step => step.StartsWith("SEARCH deliveries USING INDEX ix_deliveries_webhook_due (webhook_id=?)", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.StartsWith("SCAN", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("CountRecoverable")]
    [InlineData("Recover")]
    public async Task Plan_Recovery_SearchesTheStatusIndex(string statement)
    {
        var plan = await PlanAsync(Statement(typeof(DeliveryRepository), statement.Equals("Recover", StringComparison.Ordinal) ? "Sqlite" : "Portable", statement));

        Assert.Contains(plan, step => step.StartsWith("SEARCH deliveries USING COVERING INDEX ix_deliveries_webhook_status (webhook_id=? AND status=? AND created_at>? AND created_at<?)", StringComparison.Ordinal));
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

        var rows = await connection.QueryAsync("EXPLAIN QUERY PLAN " + sql, parameters);
        return [.. rows.Select(row => (string)((IDictionary<string, object>)row)["detail"])];
    }

    private static string SqliteStatement(string name) => Statement(typeof(DeliveryQueries), "Sqlite", name);

    private static string Statement(Type owner, string dialect, string name) =>
        (string)owner.GetNestedType(dialect, BindingFlags.NonPublic)!.GetField(name, BindingFlags.Public | BindingFlags.Static)!.GetRawConstantValue()!;

    [GeneratedRegex(@"@(\w+)")]
    private static partial Regex Parameter();
}
