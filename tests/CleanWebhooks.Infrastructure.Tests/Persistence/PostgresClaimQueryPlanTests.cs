using Dapper;
using Npgsql;

namespace CleanWebhooks.Infrastructure.Tests.Persistence;

/// <summary>
/// PostgreSQL's claim, on a database of 3,000 webhooks of which 20 have due work and 20,000 ended deliveries (with
/// statistics, as a live server has them): it finds the due webhooks through <c>ix_webhooks_due</c>, reads each by its
/// key, and counts and takes deliveries through their indexes; it never scans <c>webhooks</c> or <c>deliveries</c>.
/// The same check catches the claim of the previous design, which walked every webhook.
/// </summary>
public sealed class PostgresClaimQueryPlanTests(PostgresContractDatabase database) : IClassFixture<PostgresContractDatabase>, IAsyncLifetime
{
    public async Task InitializeAsync()
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();

        // Once per database: the class's tests share it.
        if (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM webhooks;") > 0)
        {
            return;
        }

        await connection.ExecuteAsync(
            """
            INSERT INTO clients (id, name, created_at) SELECT gen_random_uuid(), 'client ' || g, now() FROM generate_series(1, 3000) g;
            INSERT INTO webhooks (id, client_id, name, type, method, headers, url, signing_secret_cipher, created_at, updated_at)
            SELECT gen_random_uuid(), c.id, 'idle', 0, 'POST', '{}', 'https://example.com/:id', 'x', now(), now() FROM clients c;
            UPDATE webhooks SET due_at = now() - interval '1 second'
            WHERE id IN (SELECT id FROM webhooks ORDER BY id LIMIT 20);
            INSERT INTO events (id, client_id, document_id, type, occurred_at)
            SELECT gen_random_uuid(), (SELECT client_id FROM webhooks ORDER BY id LIMIT 1), 'doc-' || g, 0, now() FROM generate_series(1, 20000) g;
            INSERT INTO deliveries (id, webhook_id, event_id, status, attempt_count, created_at, last_attempt_at)
            SELECT gen_random_uuid(), (SELECT id FROM webhooks ORDER BY id LIMIT 1), e.id, 'succeeded', 1, now(), now() FROM events e;
            ANALYZE;
            """);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Plan_LockDueWebhooks_SeeksTheDueMarkerIndex()
    {
        var plan = await PlanAsync(ClaimQueryPlanTests.Statement("LockDueWebhooks", "PostgreSql"), new { Now = DateTimeOffset.UtcNow, Candidates = 256 });

        Assert.Contains("ix_webhooks_due", plan, StringComparison.Ordinal);
        Assert.Empty(Scans(plan));
    }

    [Fact]
    public async Task Plan_CountDue_CountsThroughIndexesWithoutReadingWebhooks()
    {
        var ids = (await QueryAsync<Guid>("SELECT id FROM webhooks ORDER BY id LIMIT 20;")).ToArray();

        var plan = await PlanAsync(ClaimQueryPlanTests.Statement("CountDue", "PostgreSql"), new { Ids = ids, Now = DateTimeOffset.UtcNow, DueCap = 64 });

        Assert.True(plan.Contains("ix_deliveries_leased", StringComparison.Ordinal) && plan.Contains("ix_deliveries_webhook_due", StringComparison.Ordinal), plan);
        Assert.DoesNotContain("on webhooks", plan, StringComparison.Ordinal);
        Assert.Empty(Scans(plan));
    }

    [Fact]
    public async Task Plan_ClaimOfThePreviousDesign_IsCaughtScanningEveryWebhook()
    {
        var plan = await PlanAsync(ClaimQueryPlanTests.EveryWebhook, new { });

        Assert.NotEmpty(Scans(plan));
    }

    /// <summary>The plan's sequential scans of webhooks or deliveries.</summary>
    private static List<string> Scans(string plan) =>
        [.. plan.Split('\n').Where(line => line.Contains("Seq Scan on webhooks", StringComparison.Ordinal) || line.Contains("Seq Scan on deliveries", StringComparison.Ordinal))];

    private async Task<string> PlanAsync(string sql, object parameters) =>
        string.Join('\n', await QueryAsync<string>("EXPLAIN " + sql, parameters));

    private async Task<IEnumerable<T>> QueryAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        return (await connection.QueryAsync<T>(sql, parameters)).AsList();
    }
}
