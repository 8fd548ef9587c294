using System.Reflection;
using CleanWebhooks.Infrastructure.Persistence;
using CleanWebhooks.Infrastructure.Persistence.Deliveries;
using Dapper;

namespace CleanWebhooks.Infrastructure.Tests.Persistence;

/// <summary>
/// SQLite's claim reads a number of index entries that grows with the webhooks and the deliveries in flight, never
/// with the backlog: each webhook's due deliveries through <c>ix_deliveries_webhook_due</c>, the retried ones through
/// <c>ix_deliveries_retry_requested</c>, never all of a webhook's pending deliveries.
/// </summary>
public sealed class ClaimQueryPlanTests(SqliteContractDatabase database) : IClassFixture<SqliteContractDatabase>
{
    [Fact]
    public async Task Plan_Claim_SeeksOnlyDueRetriedAndLeasedDeliveries()
    {
        var sql = (string)typeof(DeliveryQueue).GetNestedType("Sqlite", BindingFlags.NonPublic)!
            .GetField("Claim", BindingFlags.Public | BindingFlags.Static)!.GetRawConstantValue()!;
        await using var connection = await database.Database.OpenAsync(CancellationToken.None);

        var plan = (await connection.QueryAsync("EXPLAIN QUERY PLAN " + sql, new
        {
            Now = DateTimeOffset.UtcNow,
            LeaseUntil = DateTimeOffset.UtcNow.AddMinutes(1),
            Owner = "claim",
            Limit = 64,
            MaxPerWebhook = 4,
            BreakerFailures = 5,
        })).Select(row => (string)((IDictionary<string, object>)row)["detail"]).ToList();

        Assert.Contains(plan, step => step.Contains("USING INDEX ix_deliveries_webhook_due (webhook_id=? AND next_attempt_at<?)", StringComparison.Ordinal));
        Assert.Contains(plan, step => step.Contains("USING INDEX ix_deliveries_retry_requested", StringComparison.Ordinal));

        // Every read of deliveries goes through an index that holds only due, retried or leased rows (or one row by key).
        string[] bounded = ["ix_deliveries_webhook_due", "ix_deliveries_retry_requested", "ix_deliveries_leased", "sqlite_autoindex_deliveries_1"];
        Assert.All(
            plan.Where(step => step.StartsWith("SCAN deliveries", StringComparison.Ordinal) || step.StartsWith("SEARCH deliveries", StringComparison.Ordinal)
                || step.StartsWith("SCAN d ", StringComparison.Ordinal) || step.StartsWith("SEARCH d ", StringComparison.Ordinal)
                || step.StartsWith("SCAN x ", StringComparison.Ordinal) || step.StartsWith("SEARCH x ", StringComparison.Ordinal)),
            step => Assert.Contains(bounded, index => step.Contains(index, StringComparison.Ordinal)));
    }
}
