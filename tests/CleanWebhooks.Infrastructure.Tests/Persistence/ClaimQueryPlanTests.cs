using CleanWebhooks.Infrastructure.Persistence;
using CleanWebhooks.Infrastructure.Persistence.Deliveries;

namespace CleanWebhooks.Infrastructure.Tests.Persistence;

/// <summary>
/// The claim's cost follows the work that is due, never the webhooks that are idle nor a backlog (issue 22): it starts
/// from the webhooks whose due marker has come (<c>ix_webhooks_due</c>), counts and takes each one's deliveries through
/// indexes that hold only due, retried or leased rows, and never scans <c>webhooks</c> or <c>deliveries</c>. Each test
/// also shows that its check catches the claim of the previous design, which walked every webhook.
/// </summary>
public sealed class ClaimQueryPlanTests(SqliteContractDatabase database) : IClassFixture<SqliteContractDatabase>
{
    /// <summary>The previous claim's first step: every webhook that is not disabled.</summary>
    internal const string EveryWebhook = "SELECT w.id FROM webhooks w WHERE w.disabled_at IS NULL;";

    private static readonly string[] BoundedIndexes =
        ["ix_webhooks_due", "ix_deliveries_webhook_due", "ix_deliveries_retry_requested", "ix_deliveries_leased", "sqlite_autoindex_deliveries_1", "sqlite_autoindex_webhooks_1"];

    [Theory]
    [InlineData("DueWebhooks")]
    [InlineData("Take")]
    [InlineData("Settle")]
    public async Task Plan_ClaimStatement_ReadsOnlyDueWorkThroughBoundedIndexes(string statement)
    {
        var plan = await PlanAsync(Statement(statement));

        Assert.Empty(Unbounded(plan));

        // Each read of a webhook's deliveries goes through the index that holds what it looks for, and no more: its
        // leases, its manual retries, or (bounded by a LIMIT) its due deliveries in order.
        string[] expected = statement switch
        {
            "DueWebhooks" =>
            [
                "SEARCH w USING INDEX ix_webhooks_due (due_at<?)", "SEARCH l USING INDEX ix_deliveries_leased (webhook_id=?)",
                "SEARCH x USING COVERING INDEX ix_deliveries_webhook_due (webhook_id=? AND next_attempt_at<?)",
                "SEARCH r USING INDEX ix_deliveries_retry_requested (webhook_id=?)",
            ],
            "Take" =>
            [
                "SEARCH x USING INDEX ix_deliveries_webhook_due (webhook_id=? AND next_attempt_at<?)",
                "SEARCH d USING INDEX ix_deliveries_retry_requested (webhook_id=?)",
            ],
            _ => ["SEARCH d USING COVERING INDEX ix_deliveries_webhook_due (webhook_id=?)"],
        };
        Assert.All(expected, step => Assert.Contains(plan, line => line.Contains(step, StringComparison.Ordinal)));
        if (statement == "Settle")
        {
            // Its earliest pending delivery is the index's first entry: no sort of them all.
            Assert.DoesNotContain(plan, step => step.Contains("TEMP B-TREE", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Plan_ClaimOfThePreviousDesign_IsCaughtScanningEveryWebhook()
    {
        var plan = await PlanAsync(EveryWebhook);

        Assert.NotEmpty(Unbounded(plan));
    }

    /// <summary>The steps that read webhooks or deliveries other than through a bounded index or a key.</summary>
    private static List<string> Unbounded(List<string> plan) =>
        [.. plan.Where(step => (step.StartsWith("SCAN ", StringComparison.Ordinal) || step.StartsWith("SEARCH ", StringComparison.Ordinal))
            && !step.Contains("json_each", StringComparison.Ordinal) && !step.StartsWith("SCAN grants", StringComparison.Ordinal)
            && !step.StartsWith("SCAN candidates", StringComparison.Ordinal) && !step.StartsWith("SCAN ranked", StringComparison.Ordinal)
            && !step.Contains("SUBQUERY", StringComparison.Ordinal) && !step.Contains("CO-ROUTINE", StringComparison.Ordinal)
            && !step.StartsWith("SCAN (subquery-", StringComparison.Ordinal) && !step.StartsWith("SCAN earliest", StringComparison.Ordinal)
            && !BoundedIndexes.Any(index => step.Contains(index, StringComparison.Ordinal)))];

    private async Task<List<string>> PlanAsync(string sql)
    {
        await using var connection = await database.Database.OpenAsync(CancellationToken.None);
        var now = DateTimeOffset.UtcNow;
        return await SqliteQueryPlan.OfAsync(connection, sql, new
        {
            Now = now,
            LeaseUntil = now.AddMinutes(1),
            Owner = "claim",
            DueCap = 64,
            Candidates = 256,
            Grants = """[["A",1,0]]""",
            Id = Guid.NewGuid(),
            NextStartAt = (DateTimeOffset?)null,
            NotBefore = now,
            WaitsForRoom = 0,
        });
    }

    internal static string Statement(string name, string dialect = "Sqlite") => DialectStatements.Of(typeof(DeliveryQueue), dialect, name);
}
