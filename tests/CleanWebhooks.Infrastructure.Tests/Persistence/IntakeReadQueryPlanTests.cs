using CleanWebhooks.Infrastructure.Persistence.Webhooks;
using Dapper;

namespace CleanWebhooks.Infrastructure.Tests.Persistence;

/// <summary>
/// The read every intake request makes (the client and its active webhook of the event's type, one join) looks both up
/// by key: the client by its primary key, the webhook through the partial unique index on (client_id, type), which
/// the join may use only while its condition names <c>deleted_at IS NULL</c>.
/// </summary>
public sealed class IntakeReadQueryPlanTests(SqliteContractDatabase database) : IClassFixture<SqliteContractDatabase>
{
    [Fact]
    public async Task Plan_ClientWebhookOfType_SearchesTheClientKeyAndTheActiveWebhookIndex()
    {
        var sql = DialectStatements.Of(typeof(WebhookRepository), "Portable", "GetClientWebhookOfType");
        await using var connection = await database.Database.OpenAsync(CancellationToken.None);

        var plan = (await connection.QueryAsync("EXPLAIN QUERY PLAN " + sql, new { ClientId = Guid.NewGuid(), Type = 0 }))
            .Select(row => (string)((IDictionary<string, object>)row)["detail"]).ToList();

        Assert.Contains(plan, step => step.StartsWith("SEARCH c USING COVERING INDEX sqlite_autoindex_clients_", StringComparison.Ordinal));
        Assert.Contains(plan, step => step.StartsWith("SEARCH w USING INDEX ux_webhooks_client_type_active (client_id=? AND type=?)", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.StartsWith("SCAN", StringComparison.Ordinal));
    }
}
