using CleanWebhooks.Infrastructure.Persistence;
using CleanWebhooks.Infrastructure.Persistence.Deliveries;
using CleanWebhooks.Infrastructure.Persistence.Webhooks;

namespace CleanWebhooks.Infrastructure.Tests.Persistence;

/// <summary>
/// The SQLite statements that take their ids as one JSON array (<c>json_each</c>, so that they are compiled once
/// whatever the number of ids) still look each id up by its key, never scan the table.
/// </summary>
public sealed class IdArrayQueryPlanTests(SqliteContractDatabase database) : IClassFixture<SqliteContractDatabase>
{
    [Theory]
    [InlineData(typeof(DeliveryQueue), "Load", "d")]
    [InlineData(typeof(DeliveryQueue), "LoadWebhookState", "webhooks")]
    [InlineData(typeof(WebhookRepository), "GetForDelivery", "webhooks")]
    public async Task Plan_IdsAsJsonArray_SearchesThePrimaryKey(Type owner, string statement, string table)
    {
        var sql = DialectStatements.Of(owner, "Sqlite", statement);
        await using var connection = await database.Database.OpenAsync(CancellationToken.None);

        var plan = await SqliteQueryPlan.OfAsync(connection, sql, new { Ids = DapperSetup.SqliteIdArray([Guid.NewGuid()]), Owner = "x" });

        Assert.Contains(plan, step => step.StartsWith($"SEARCH {table} USING INDEX sqlite_autoindex_", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.StartsWith($"SCAN {table}", StringComparison.Ordinal));
    }
}
