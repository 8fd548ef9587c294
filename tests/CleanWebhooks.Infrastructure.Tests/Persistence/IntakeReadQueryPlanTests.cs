using CleanWebhooks.Infrastructure.Persistence.Webhooks;

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
        var plan = await PlanAsync(DialectStatements.Of(typeof(WebhookRepository), "Portable", "GetClientWebhookOfType"));

        Assert.Contains(plan, step => step.StartsWith("SEARCH c USING COVERING INDEX sqlite_autoindex_clients_", StringComparison.Ordinal));
        Assert.True(UsesTheActiveWebhookIndex(plan), string.Join(" | ", plan));
        Assert.DoesNotContain(plan, step => step.StartsWith("SCAN", StringComparison.Ordinal));
    }

    /// <summary>The assertion above can fail: the same join with <c>deleted_at IS NULL</c> moved to the WHERE clause loses the index.</summary>
    [Fact]
    public async Task Plan_DeletedAtOutsideTheJoin_LosesTheActiveWebhookIndex()
    {
        var production = DialectStatements.Of(typeof(WebhookRepository), "Portable", "GetClientWebhookOfType");
        var moved = production.Replace(" AND w.deleted_at IS NULL WHERE c.id = @ClientId", " WHERE c.id = @ClientId AND w.deleted_at IS NULL", StringComparison.Ordinal);
        Assert.NotEqual(production, moved);

        Assert.False(UsesTheActiveWebhookIndex(await PlanAsync(moved)));
    }

    private static bool UsesTheActiveWebhookIndex(IEnumerable<string> plan) =>
        plan.Any(step => step.StartsWith("SEARCH w USING INDEX ux_webhooks_client_type_active (client_id=? AND type=?)", StringComparison.Ordinal));

    private async Task<List<string>> PlanAsync(string sql)
    {
        await using var connection = await database.Database.OpenAsync(CancellationToken.None);
        return await SqliteQueryPlan.OfAsync(connection, sql, new { ClientId = Guid.NewGuid(), Type = 0 });
    }
}
