using CleanWebhooks.Infrastructure.Persistence;
using CleanWebhooks.Infrastructure.Persistence.Migrations;
using CleanWebhooks.Testing;
using Dapper;

namespace CleanWebhooks.Infrastructure.Tests.Persistence;

/// <summary>
/// The repository contract on a real PostgreSQL database of its own (see <see cref="TestPostgres"/>). Runs wherever
/// <c>CLEANWEBHOOKS_TEST_POSTGRES</c> is set, as <c>.ci/run</c> does; fails, saying how to start a server, where not.
/// </summary>
public sealed class PostgresRepositoryContractTests(PostgresContractDatabase database)
    : RepositoryContract(database), IClassFixture<PostgresContractDatabase>
{
    [Fact]
    public async Task Storage_InPostgres_IsUuidIdsAndTimestamptzWithMicroseconds()
    {
        var (client, _, _) = await NewClientAsync();

        await using var connection = await Database.OpenAsync(default);
        var stored = await connection.QuerySingleAsync<(string IdType, string CreatedAtType, string CreatedAt)>(new CommandDefinition(
            "SELECT pg_typeof(id)::text, pg_typeof(created_at)::text, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US') " +
            "FROM clients WHERE id = @Id;", new { Id = client.Id.Value }));

        Assert.Equal("uuid", stored.IdType);
        Assert.Equal("timestamp with time zone", stored.CreatedAtType);
        Assert.Equal("2024-04-11T17:12:33.741194", stored.CreatedAt);
    }

    [Fact]
    public async Task Migrate_FiveNodesAtTheSameMoment_AppliesEachMigrationOnce()
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync("migrate");
        var nodes = Enumerable.Range(0, 5)
            .Select(_ => new Database(new DatabaseOptions { Provider = SqlDialect.PostgreSql, ConnectionString = connectionString }))
            .ToList();
        try
        {
            using var go = new ManualResetEventSlim();
            var migrations = nodes.Select(node => Task.Run(async () =>
            {
                go.Wait();
                await new Migrator(node).MigrateAsync(default);
            })).ToList();
            go.Set();
            await Task.WhenAll(migrations);

            await using var connection = await nodes[0].OpenAsync(default);
            var applied = (await connection.QueryAsync<string>("SELECT id FROM schema_migrations ORDER BY id;")).ToList();
            Assert.Equal(Migrator.Scripts(SqlDialect.PostgreSql).Select(s => s.Name), applied);
        }
        finally
        {
            nodes.ForEach(n => n.Dispose());
            await TestPostgres.DropDatabaseAsync(connectionString);
        }
    }
}
