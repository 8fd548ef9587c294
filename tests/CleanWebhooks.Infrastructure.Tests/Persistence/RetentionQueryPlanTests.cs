using CleanWebhooks.Infrastructure.Persistence;
using CleanWebhooks.Infrastructure.Persistence.Retention;
using Dapper;

namespace CleanWebhooks.Infrastructure.Tests.Persistence;

/// <summary>
/// Each purge statement on SQLite reads a range of one index (migration 0003), never the whole table: SQLite's own
/// query plan, on a migrated file, says so.
/// </summary>
public sealed class RetentionQueryPlanTests : IClassFixture<SqliteContractDatabase>
{
    private readonly Database _database;

    public RetentionQueryPlanTests(SqliteContractDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database.Database;
    }

    [Theory]
    [InlineData("SelectEnded", "ix_deliveries_ended")]
    [InlineData("SelectCancelledUnattempted", "ix_deliveries_cancelled_unattempted")]
    [InlineData("SelectOldEvents", "ix_events_occurred_at")]
    [InlineData("DeleteKeys", "ix_idempotency_keys_created_at")]
    [InlineData("DeleteEventsWithoutDelivery", "ix_deliveries_event_id")]
    public async Task Plan_PurgeStatement_SearchesItsIndex(string statement, string index)
    {
        var plan = await PlanAsync(SqliteStatement(statement));

        Assert.Contains(plan, step => step.Contains(index, StringComparison.Ordinal) && step.StartsWith("SEARCH", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.StartsWith("SCAN", StringComparison.Ordinal) && !step.Contains("INDEX", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Plan_WithoutTheRangeCondition_ScansTheTable()
    {
        // The check above can fail: the same table without an indexed condition is a full scan.
        var plan = await PlanAsync("SELECT id FROM deliveries WHERE attempt_count > 3 LIMIT 10;");

        Assert.Contains(plan, step => step.StartsWith("SCAN deliveries", StringComparison.Ordinal));
    }

    private async Task<List<string>> PlanAsync(string sql)
    {
        await using var connection = await _database.OpenAsync(CancellationToken.None);
        var parameters = new DynamicParameters();
        foreach (var name in new[] { "Before", "From", "Limit", "Ids", "Ids1" })
        {
            parameters.Add(name, name == "Limit" ? 10 : "2026-01-01T00:00:00.000000Z");
        }

        // Dapper would expand "IN @Ids"; one element is enough for the plan.
        return await SqliteQueryPlan.OfAsync(connection, sql.Replace("IN @Ids", "IN (@Ids1)", StringComparison.Ordinal), parameters);
    }

    private static string SqliteStatement(string name) => DialectStatements.Of(typeof(RetentionStore), "Sqlite", name);
}
